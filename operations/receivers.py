"""Flags filed from the moderation check's signal (media_pipeline.moderation.content_flagged)."""

import re

from media_pipeline.moderation import content_flagged
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


def connect() -> None:
    content_flagged.connect(_on_content_flagged, dispatch_uid="operations.flag_file")
