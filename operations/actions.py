"""What staff do with a flag: dismiss it, hide the project, delete an artifact, suspend the user.

Every action is logged as a Django `LogEntry` on the flag and on the object it touched, so it
shows on both history pages in the admin (who, what, when).
"""

from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import models, transaction
from django.utils import timezone

import live
from operations.models import Flag, ProjectHold
from projects.models import Project


class ActionRefused(Exception):
    """The action does not apply to this flag; the message says why."""


def staff_log(
    *, staff: AbstractBaseUser, obj: models.Model, message: str, flag: int = CHANGE
) -> None:
    LogEntry.objects.log_actions(
        user_id=staff.pk,
        queryset=[obj],
        action_flag=flag,
        change_message=message,
        single_object=True,
    )


def _close(flag: Flag, *, staff: AbstractBaseUser, status: str, message: str) -> None:
    flag.status = status
    flag.reviewed_by = staff
    flag.reviewed_at = timezone.now()
    flag.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    staff_log(staff=staff, obj=flag, message=message)


@transaction.atomic
def flag_dismiss(*, flag: Flag, staff: AbstractBaseUser) -> None:
    _close(flag, staff=staff, status=Flag.Status.DISMISSED, message="Dismissed the flag.")


@transaction.atomic
def project_hide(*, flag: Flag, staff: AbstractBaseUser) -> ProjectHold:
    """Hold the flagged project for review: its owner sees that, nothing else changes."""
    if flag.project is None:
        raise ActionRefused("This flag has no project to hide.")
    hold, _ = ProjectHold.objects.get_or_create(
        project=flag.project, defaults={"flag": flag, "created_by": staff}
    )
    staff_log(
        staff=staff, obj=flag.project, message=f"Hid the project for review (flag {flag.pk})."
    )
    _close(flag, staff=staff, status=Flag.Status.ACTIONED, message="Hid the project for review.")
    return hold


@transaction.atomic
def project_release(*, project: Project, staff: AbstractBaseUser) -> None:
    ProjectHold.objects.filter(project=project).delete()
    staff_log(staff=staff, obj=project, message="Ended the review; the project is visible again.")


@transaction.atomic
def artifact_delete(*, flag: Flag, staff: AbstractBaseUser, artifact: models.Model) -> None:
    """Delete one generated artifact (a mood board, a scene, a film) of the flagged project."""
    owner_project = _project_of(artifact)
    if flag.project_id is None or owner_project != flag.project_id:
        raise ActionRefused("Pick an artifact of the flagged project.")
    name = f"{artifact._meta.verbose_name} {artifact.pk} ({artifact})"
    staff_log(staff=staff, obj=artifact, message=f"Deleted (flag {flag.pk}).", flag=DELETION)
    artifact.delete()
    _close(flag, staff=staff, status=Flag.Status.ACTIONED, message=f"Deleted {name}.")


@transaction.atomic
def user_suspend(*, flag: Flag, staff: AbstractBaseUser) -> None:
    """Deactivate the user; their sessions end at their next request, their sockets at once."""
    if flag.user_id is None:
        raise ActionRefused("This flag has no user to suspend.")
    get_user_model().objects.filter(pk=flag.user_id).update(is_active=False)
    staff_log(staff=staff, obj=flag.user, message=f"Suspended the user (flag {flag.pk}).")
    _close(flag, staff=staff, status=Flag.Status.ACTIONED, message="Suspended the user.")
    user_id = flag.user_id
    transaction.on_commit(lambda: live.end_user(user_id))


def _project_of(artifact: models.Model) -> int | None:
    for path in ("project_id", "storyboard.project_id", "mood.project_id"):
        value = artifact
        for part in path.split("."):
            value = getattr(value, part, None)
        if value is not None:
            return value
    return None
