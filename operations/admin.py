from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.views.decorators.http import require_POST

from operations import actions
from operations.models import Budget, Flag, ProjectHold, UsageDay, UsageDuration, UserSpendDay
from storyboards.models import Composition, Mood, Scene

# What "delete an artifact" may delete, by the name its button posts.
ARTIFACTS = {"mood": Mood, "scene": Scene, "composition": Composition}


@admin.register(Budget)
class BudgetAdmin(admin.ModelAdmin):
    list_display = ("user", "monthly_limit", "updated_at")
    search_fields = ("user__email",)
    raw_id_fields = ("user",)
    readonly_fields = ("updated_at",)


class RollupAdmin(admin.ModelAdmin):
    """Read-only: operations.rollups keeps these as usage is metered (rebuild_rollups redoes them)."""

    date_hierarchy = "day"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(UsageDay)
class UsageDayAdmin(RollupAdmin):
    list_display = ("day", "capability", "backend", "calls", "done", "cost")
    list_filter = ("capability", "backend")


@admin.register(UsageDuration)
class UsageDurationAdmin(RollupAdmin):
    list_display = ("day", "capability", "backend", "bucket", "calls")
    list_filter = ("capability", "backend")


@admin.register(UserSpendDay)
class UserSpendDayAdmin(RollupAdmin):
    list_display = ("day", "user", "calls", "cost")
    search_fields = ("user__email",)
    list_select_related = ("user",)


@admin.register(ProjectHold)
class ProjectHoldAdmin(admin.ModelAdmin):
    list_display = ("project", "flag", "created_by", "created_at")
    search_fields = ("project__title", "project__owner__email")
    list_select_related = ("project", "flag", "created_by")
    readonly_fields = ("project", "flag", "created_by", "created_at")
    actions = ["release"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="End the review (show the projects again)")
    def release(self, request: HttpRequest, holds: QuerySet[ProjectHold]) -> None:
        for hold in holds.select_related("project"):
            actions.project_release(project=hold.project, staff=request.user)


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    """The review queue: what was flagged, whose, why, when, and what staff decided."""

    list_display = ("created_at", "what", "user", "project", "reason", "short_excerpt", "status")
    list_filter = ("status", "what", "backend", "created_at")
    search_fields = ("excerpt", "reason", "user__email", "project__title")
    list_select_related = ("user", "project")
    date_hierarchy = "created_at"
    readonly_fields = (
        "what",
        "user",
        "project",
        "subject",
        "excerpt",
        "reason",
        "backend",
        "status",
        "reviewed_by",
        "reviewed_at",
        "created_at",
        "artifacts",
    )
    actions = ["dismiss", "hide_project", "suspend_user"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="Excerpt")
    def short_excerpt(self, flag: Flag) -> str:
        return flag.excerpt[:80]

    @admin.display(description="Artifacts of the project")
    def artifacts(self, flag: Flag) -> str:
        """A delete button per mood board, scene and film of the flagged project."""
        if flag.project_id is None:
            return "—"
        rows = [
            *(("mood", mood) for mood in Mood.objects.filter(project_id=flag.project_id)),
            *(
                ("scene", scene)
                for scene in Scene.objects.filter(storyboard__project_id=flag.project_id)
            ),
            *(
                ("composition", film)
                for film in Composition.objects.filter(storyboard__project_id=flag.project_id)
            ),
        ]
        return (
            format_html_join(
                "",
                # Buttons of the change form (which carries the CSRF token), posting elsewhere.
                '<div>{} <button type="submit" formmethod="post" formaction="{}">Delete</button></div>',
                (
                    (
                        obj,
                        reverse(
                            "admin:operations_flag_delete_artifact", args=[flag.pk, kind, obj.pk]
                        ),
                    )
                    for kind, obj in rows
                ),
            )
            or "None"
        )

    def get_urls(self):
        own = [
            path(
                "<int:flag_id>/delete-artifact/<str:kind>/<int:artifact_id>/",
                self.admin_site.admin_view(self.delete_artifact_view),
                name="operations_flag_delete_artifact",
            )
        ]
        return own + super().get_urls()

    @admin.action(description="Dismiss")
    def dismiss(self, request: HttpRequest, flags: QuerySet[Flag]) -> None:
        for flag in flags:
            actions.flag_dismiss(flag=flag, staff=request.user)
        self.message_user(request, f"Dismissed {len(flags)} flag(s).")

    @admin.action(description="Hide the project (owner sees it is under review)")
    def hide_project(self, request: HttpRequest, flags: QuerySet[Flag]) -> None:
        self._each(request, flags, actions.project_hide, "Hid the project of")

    @admin.action(description="Suspend the user (deactivate, end their sessions)")
    def suspend_user(self, request: HttpRequest, flags: QuerySet[Flag]) -> None:
        self._each(request, flags, actions.user_suspend, "Suspended the user of")

    def _each(self, request: HttpRequest, flags: QuerySet[Flag], action, done: str) -> None:
        for flag in flags.select_related("project", "user"):
            try:
                action(flag=flag, staff=request.user)
            except actions.ActionRefused as refused:
                self.message_user(request, f"Flag {flag.pk}: {refused}", messages.WARNING)
            else:
                self.message_user(request, f"{done} flag {flag.pk}.")

    def delete_artifact_view(
        self, request: HttpRequest, flag_id: int, kind: str, artifact_id: int
    ) -> HttpResponse:
        return require_POST(self._delete_artifact)(request, flag_id, kind, artifact_id)

    def _delete_artifact(
        self, request: HttpRequest, flag_id: int, kind: str, artifact_id: int
    ) -> HttpResponse:
        flag = get_object_or_404(Flag, pk=flag_id)
        model = ARTIFACTS.get(kind)
        artifact = get_object_or_404(model, pk=artifact_id) if model else None
        try:
            if artifact is None:
                raise actions.ActionRefused("Unknown kind of artifact.")
            actions.artifact_delete(flag=flag, staff=request.user, artifact=artifact)
        except actions.ActionRefused as refused:
            self.message_user(request, str(refused), messages.WARNING)
        else:
            self.message_user(request, f"Deleted {kind} {artifact_id}.")
        return HttpResponseRedirect(reverse("admin:operations_flag_change", args=[flag.pk]))
