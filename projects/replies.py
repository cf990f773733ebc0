"""The assistant's reply, as its job writes it: claim, stream, store, then refresh the brief.

A reply's life is `REPLY_STATES` (projects/models.py): pending → streaming (a lease, renewed
as the text is saved) → done | failed; a transient fault sends it back to pending for the retry.
"""

import logging
import time
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

import live
from media_pipeline import base
from media_pipeline.briefs import BriefError
from media_pipeline.jobs import job_lease
from media_pipeline.metering import usage_context
from media_pipeline.moderation import ContentRefused
from media_pipeline.registry import providers
from media_pipeline.states import claim, renew, transition
from projects.briefs import brief_update
from projects.live import MESSAGE
from projects.models import ANSWERING, REPLY_STATES, ChatMessage, Project, Step

logger = logging.getLogger(__name__)
# Tokens reach the page in small batches: smooth to read, without one Redis message per token.
STREAM_FLUSH_SECONDS = 0.05
# The text streamed so far is saved now and then, so a page that reloads mid-reply shows it.
STREAM_SAVE_SECONDS = 0.5
# A reply job's soft time limit: a streamed answer takes seconds, a stuck one is cut short.
REPLY_SECONDS = 180
REPLY_TOO_SLOW = "The assistant took too long to answer. Try again."
# The assistant reads the latest turns only; the brief card carries what older turns settled,
# and a long conversation must not outgrow the model's context window.
CHAT_HISTORY_WINDOW = 30


def chat_reply_answer(*, message_id: int) -> None:
    """Claim the reply (LeaseHeld if a live job has it), stream it, then refresh the brief."""
    message = _reply_claim(message_id)
    if message is None:
        return  # answered already, or failed by the sweep
    project = message.project
    with usage_context(user_id=project.owner_id, subject=f"project:{project.pk}"):
        chat_reply_stream(message=message)
        brief_refresh_from_chat(project=project)


def chat_reply_stream(*, message: ChatMessage) -> None:
    """Stream the assistant's turn onto the open pages, then store it whole."""
    project = message.project
    history = _conversation(project)
    target = f"message-{message.pk}-body"
    text, pending = "", ""
    last_flush = last_save = time.monotonic()
    for token in providers["text"].chat_reply(messages=history, brief=project.brief):
        text, pending = text + token, pending + token
        now = time.monotonic()
        if now - last_flush >= STREAM_FLUSH_SECONDS:
            live.publish_append(project.pk, target, pending, page=Step.BRIEF.value)
            pending, last_flush = "", now
        if now - last_save >= STREAM_SAVE_SECONDS:
            # Saving the text so far also renews the reply's lease.
            renew(
                _reply(message.pk), REPLY_STATES, running=ChatMessage.Status.STREAMING, content=text
            )
            last_save = now
    reply_move(message.pk, to=ChatMessage.Status.DONE, content=text.strip())


def chat_reply_requeue(*, message_id: int) -> None:
    """A transient fault: the reply starts over from nothing when the job retries."""
    reply_move(
        message_id,
        to=ChatMessage.Status.PENDING,
        sources=[ChatMessage.Status.STREAMING],
        content="",
    )


def chat_reply_fail(*, message_id: int, message: str) -> None:
    reply_move(message_id, to=ChatMessage.Status.FAILED, error=message[:500])


def chat_reply_sweep_stuck(*, older_than: timedelta) -> int:
    """Fail replies stuck waiting or streaming past every retry (the last resort after leases)."""
    cutoff = timezone.now() - older_than
    stuck = ChatMessage.objects.filter(status__in=ANSWERING, status_changed_at__lt=cutoff)
    message_ids = list(stuck.values_list("pk", flat=True))
    for message_id in message_ids:
        chat_reply_fail(message_id=message_id, message=REPLY_TOO_SLOW)
    return len(message_ids)


def chat_replies_waiting(*, older_than: timedelta) -> list[int]:
    """Replies pending past any retry's wait: their job may never have reached the broker."""
    cutoff = timezone.now() - older_than
    waiting = ChatMessage.objects.filter(
        status=ChatMessage.Status.PENDING, status_changed_at__lt=cutoff
    )
    return list(waiting.values_list("pk", flat=True))


def brief_refresh_from_chat(*, project: Project) -> None:
    """Let the assistant fill the brief card from everything said so far."""
    project.refresh_from_db(fields=["brief", "step"])
    extracted = providers["text"].extract_brief(
        messages=_conversation(project), brief=project.brief
    )
    try:
        brief_update(project=project, data=extracted)
    except (BriefError, ContentRefused) as error:
        logger.warning("project %s: extracted brief rejected: %s", project.pk, error)


def _reply(message_id: int) -> QuerySet[ChatMessage]:
    return ChatMessage.objects.filter(pk=message_id, role=ChatMessage.Role.ASSISTANT)


def _reply_publish(message_id: int) -> Callable[[], None]:
    project_id = ChatMessage.objects.values_list("project_id", flat=True).get(pk=message_id)
    return lambda: live.publish(project_id, MESSAGE, message_id)


def reply_move(message_id: int, *, to: str, sources: list[str] | None = None, **fields) -> bool:
    """One declared transition of a reply, pushed to the open pages once committed."""
    fields.setdefault("error", "")
    moved = transition(_reply(message_id), REPLY_STATES, to=to, sources=sources, **fields)
    if moved:
        transaction.on_commit(_reply_publish(message_id))
    return bool(moved)


def _reply_claim(message_id: int) -> ChatMessage | None:
    claimed = claim(
        _reply(message_id),
        REPLY_STATES,
        waiting=ChatMessage.Status.PENDING,
        running=ChatMessage.Status.STREAMING,
        lease=job_lease(),
    )
    return ChatMessage.objects.select_related("project").get(pk=message_id) if claimed else None


def _conversation(project: Project) -> list[base.ChatMessage]:
    finished = project.messages.filter(status=ChatMessage.Status.DONE).order_by(
        "-created_at", "-id"
    )
    latest = reversed(finished[:CHAT_HISTORY_WINDOW])
    return [base.ChatMessage(role=item.role, content=item.content) for item in latest]
