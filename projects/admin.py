from django.contrib import admin

from media_pipeline.admin_previews import image_preview
from projects.models import ChatMessage, Product, ProductImage, Project


class ChatMessageInline(admin.TabularInline):
    model = ChatMessage
    extra = 0
    fields = ["role", "status", "content", "error", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "step", "updated_at"]
    list_filter = ["step", "created_at"]
    search_fields = ["title", "owner__email"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner", "product"]
    readonly_fields = ["created_at", "updated_at"]
    date_hierarchy = "created_at"
    inlines = [ChatMessageInline]


@admin.register(ChatMessage)
class ChatMessageAdmin(admin.ModelAdmin):
    list_display = ["project", "role", "status", "short_content", "created_at"]
    list_filter = ["role", "status"]
    search_fields = ["content", "project__title", "project__owner__email"]
    list_select_related = ["project"]
    raw_id_fields = ["project"]
    readonly_fields = ["created_at", "status_changed_at"]

    @admin.display(description="Content")
    def short_content(self, message: ChatMessage) -> str:
        return message.content[:80]


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    fields = ["image", "cutout", "cutout_status", "cutout_error", "position"]
    readonly_fields = ["cutout_status", "cutout_error"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "created_at"]
    search_fields = ["name", "owner__email"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [ProductImageInline]


@admin.register(ProductImage)
class ProductImageAdmin(admin.ModelAdmin):
    preview = image_preview("image")
    cutout_preview = image_preview("cutout")
    list_display = [
        "pk",
        "preview",
        "cutout_preview",
        "product",
        "position",
        "cutout_status",
        "status_changed_at",
        "created_at",
    ]
    list_filter = ["cutout_status"]
    search_fields = ["product__name", "product__owner__email", "original_name"]
    list_select_related = ["product"]
    raw_id_fields = ["product"]
    readonly_fields = [
        "preview",
        "cutout_preview",
        "cutout_status",
        "cutout_error",
        "created_at",
        "status_changed_at",
    ]
