from django.contrib import admin
from django.utils.html import format_html_join

from media_pipeline.admin_previews import image_preview, video_preview
from storyboards.models import Composition, Mood, MoodImage, Scene, Storyboard

TIMESTAMPS = ("status_changed_at", "created_at", "updated_at")


class MoodImageInline(admin.TabularInline):
    model = MoodImage
    extra = 0
    fields = ("position", "status", "image", "width", "height", "attempts", "error", "created_at")
    readonly_fields = ("width", "height", "attempts", "created_at")


@admin.register(Mood)
class MoodAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "project",
        "position",
        "status",
        "selected",
        "swatches",
        "updated_at",
    )
    list_filter = ("status", "selected")
    search_fields = ("name", "feel", "project__title", "project__owner__email")
    list_select_related = ("project",)
    raw_id_fields = ("project",)
    readonly_fields = TIMESTAMPS
    inlines = [MoodImageInline]

    @admin.display(description="Palette")
    def swatches(self, mood: Mood) -> str:
        return (
            format_html_join(
                "",
                '<span title="{0}" style="display:inline-block;width:1em;height:1em;background:{0}"></span>',
                ((colour,) for colour in mood.palette),
            )
            or "—"
        )


@admin.register(MoodImage)
class MoodImageAdmin(admin.ModelAdmin):
    preview = image_preview("image")
    list_display = ("__str__", "preview", "mood", "position", "status", "attempts", "created_at")
    list_filter = ("status",)
    search_fields = ("mood__name", "mood__project__title", "image")
    list_select_related = ("mood",)
    raw_id_fields = ("mood",)
    readonly_fields = ("preview", "width", "height", "attempts", "status_changed_at", "created_at")


class SceneInline(admin.TabularInline):
    model = Scene
    extra = 0
    fields = (
        "position",
        "text",
        "duration",
        "state",
        "text_status",
        "image_status",
        "video_status",
    )
    readonly_fields = ("state", "text_status", "image_status", "video_status")
    show_change_link = True


@admin.register(Storyboard)
class StoryboardAdmin(admin.ModelAdmin):
    list_display = ("__str__", "project", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("project__title", "project__owner__email")
    list_select_related = ("project",)
    raw_id_fields = ("project",)
    readonly_fields = ("created_at", "updated_at")
    inlines = [SceneInline]


@admin.register(Scene)
class SceneAdmin(admin.ModelAdmin):
    preview = image_preview("image")
    player = video_preview("video", poster="image")
    list_display = (
        "__str__",
        "preview",
        "storyboard",
        "state",
        "text_status",
        "image_status",
        "video_status",
        "duration",
        "updated_at",
    )
    list_filter = ("state", "text_status", "image_status", "video_status")
    search_fields = ("text", "error_message", "storyboard__project__title")
    list_select_related = ("storyboard__project",)
    raw_id_fields = ("storyboard",)
    readonly_fields = ("preview", "player", *TIMESTAMPS)


@admin.register(Composition)
class CompositionAdmin(admin.ModelAdmin):
    player = video_preview("video", poster="thumbnail")
    list_display = (
        "__str__",
        "storyboard",
        "status",
        "progress",
        "stage",
        "captions",
        "created_at",
    )
    list_filter = ("status", "captions")
    search_fields = ("storyboard__project__title", "error", "stage")
    list_select_related = ("storyboard__project",)
    raw_id_fields = ("storyboard",)
    readonly_fields = ("player", "created_at", "updated_at")
