"""Flags filed from the moderation check's signal (media_pipeline.moderation.content_flagged),
and the usage roll-ups kept as the ledger is written (operations.rollups)."""

import re

from django.db.models.signals import post_delete, post_save

from media_pipeline.models import ProviderUsage
from media_pipeline.moderation import content_flagged
from operations import rollups
from operations.models import Flag
from projects.models import Project

PROJECT_SUBJECT = re.compile(r"^project:(\d+)")
REASON_LENGTH = Flag._meta.get_field("reason").max_length


def flag_file(
    *, user_id: int | None, what: str, subject: str, excerpt: str, reasons: list[str], backend: str
) -> Flag:
    match = PROJECT_SUBJECT.match(subject)
    project_id = int(match[1]) if match else None
    if project_id and not Project.objects.filter(pk=project_id).exists():
        project_id = None
    return Flag.objects.create(
        user_id=user_id,
        what=what,
        project_id=project_id,
        subject=subject,
        excerpt=excerpt,
        reason=", ".join(reasons)[:REASON_LENGTH] or "flagged",
        backend=backend,
    )


def _on_content_flagged(sender: object, signal: object, **details: object) -> None:
    flag_file(**details)


def _on_usage_saved(sender: object, instance: ProviderUsage, created: bool, **kwargs) -> None:
    if created:
        rollups.record(instance)


def _on_usage_deleted(sender: object, instance: ProviderUsage, **kwargs) -> None:
    rollups.record(instance, sign=-1)


def connect() -> None:
    content_flagged.connect(_on_content_flagged, dispatch_uid="operations.flag_file")
    post_save.connect(_on_usage_saved, sender=ProviderUsage, dispatch_uid="operations.rollups")
    post_delete.connect(_on_usage_deleted, sender=ProviderUsage, dispatch_uid="operations.rollups")
