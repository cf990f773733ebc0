"""The creative brief's state: stored validated, and the Mood step kept in step with it."""

from typing import Any

from django.db import transaction

import live
from media_pipeline import moderation
from media_pipeline.briefs import clean_brief, is_complete
from projects.live import BRIEF_CARD
from projects.models import Project, Step
from projects.steps import project_lock_after, project_unlock_step


def brief_update(*, project: Project, data: dict[str, Any]) -> Project:
    """Store a new brief (raises BriefError when invalid, ContentRefused when flagged) and keep
    the Mood step in step with it."""
    brief = clean_brief(data)
    text = "\n".join(str(value) for value in brief.values() if value)
    moderation.check(text, user_id=project.owner_id, what="brief", subject=f"project:{project.pk}")
    project.brief = brief
    project.save(update_fields=["brief", "updated_at"])
    if is_complete(project.brief):
        project_unlock_step(project=project, step=Step.MOOD)
    else:
        project_lock_after(project=project, step=Step.BRIEF)
    transaction.on_commit(lambda: live.publish(project.pk, BRIEF_CARD, project.pk))
    return project


# --- The brief conversation -----------------------------------------------------------
