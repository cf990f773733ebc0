from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from media_pipeline.briefs import clean_brief, is_complete
from projects.models import STEP_ORDER, Project, Step

DEFAULT_TITLE = "Untitled project"


class ProjectError(Exception):
    """A change the project's state does not allow; the message says what to do instead."""


def project_create(*, owner: AbstractBaseUser, title: str = "") -> Project:
    return Project.objects.create(owner=owner, title=title.strip() or DEFAULT_TITLE)


def project_rename(*, project: Project, title: str) -> Project:
    project.title = title.strip() or DEFAULT_TITLE
    project.save(update_fields=["title", "updated_at"])
    return project


@transaction.atomic
def project_duplicate(*, project: Project) -> Project:
    """A copy to branch from: the brief, the conversation and the mood boards (sharing their files)."""
    copy = Project.objects.create(
        owner=project.owner,
        title=f"Copy of {project.title}"[:120],
        brief=project.brief,
        product=project.product,
        thumbnail=project.thumbnail,
    )
    for message in project.messages.all():
        copy.messages.create(role=message.role, content=message.content, status=message.status)
    mood_copies = {mood.pk: _copy_mood(mood, copy) for mood in project.moods.prefetch_related("images")}
    copy.selected_mood = mood_copies.get(project.selected_mood_id)
    copy.step = min(project.step, Step.SCENES, key=STEP_ORDER.index)
    copy.save(update_fields=["selected_mood", "step"])
    return copy


def _copy_mood(mood: Any, project: Project) -> Any:
    images = list(mood.images.all())
    mood.pk = None
    mood.project = project
    mood.save()
    for image in images:
        mood.images.create(position=image.position, image=image.image.name, width=image.width, height=image.height)
    return mood


def project_delete(*, project: Project) -> None:
    project.delete()


def project_unlock_step(*, project: Project, step: str) -> None:
    """Move the project's furthest step forward to `step` (never backwards)."""
    if STEP_ORDER.index(step) > project.step_index():
        Project.objects.filter(pk=project.pk).update(step=step)
        project.step = step


def project_lock_after(*, project: Project, step: str) -> None:
    """Pull the furthest step back to `step` when what later steps stood on is gone."""
    if project.step_index() > STEP_ORDER.index(step):
        Project.objects.filter(pk=project.pk).update(step=step)
        project.step = step


def brief_update(*, project: Project, data: dict[str, Any]) -> Project:
    """Store a new brief (raises BriefError when invalid) and keep the Mood step in step with it."""
    project.brief = clean_brief(data)
    project.save(update_fields=["brief", "updated_at"])
    if is_complete(project.brief):
        project_unlock_step(project=project, step=Step.MOOD)
    else:
        project_lock_after(project=project, step=Step.BRIEF)
    return project
