import logging
import time
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

import live
from media_pipeline import base
from media_pipeline.briefs import BriefError, clean_brief, is_complete
from media_pipeline.registry import providers
from projects.live import BRIEF_CARD, CHAT, MESSAGE
from projects.models import STEP_ORDER, ChatMessage, Project, Step
from projects.ratelimit import rate_limit_hit

logger = logging.getLogger(__name__)
# Tokens reach the page in small batches: smooth to read, without one Redis message per token.
STREAM_FLUSH_SECONDS = 0.05
# The text streamed so far is saved now and then, so a page that reloads mid-reply shows it.
STREAM_SAVE_SECONDS = 0.5
ANSWERING = (ChatMessage.Status.PENDING, ChatMessage.Status.STREAMING)
# The assistant reads the latest turns only; the brief card carries what older turns settled,
# and a long conversation must not outgrow the model's context window.
CHAT_HISTORY_WINDOW = 30

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
    mood_copies = {
        mood.pk: _copy_mood(mood, copy) for mood in project.moods.prefetch_related("images")
    }
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
        mood.images.create(
            position=image.position, image=image.image.name, width=image.width, height=image.height
        )
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
    transaction.on_commit(lambda: live.publish(project.pk, BRIEF_CARD, project.pk))
    return project


# --- The brief conversation -----------------------------------------------------------


def chat_message_send(*, project: Project, content: str) -> ChatMessage:
    """Store the user's message and queue the assistant's reply; returns the reply placeholder."""
    from projects.tasks import chat_reply

    rate_limit_hit(user_id=project.owner_id, bucket="chat")
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=project.pk).first()
        if project.messages.filter(role=ChatMessage.Role.ASSISTANT, status__in=ANSWERING).exists():
            raise ProjectError(
                "The assistant is still answering. Wait for it to finish, then send."
            )
        project.messages.create(role=ChatMessage.Role.USER, content=content)
        reply = project.messages.create(
            role=ChatMessage.Role.ASSISTANT, status=ChatMessage.Status.PENDING
        )
        Project.objects.filter(pk=project.pk).update(updated_at=reply.created_at)
        transaction.on_commit(lambda: chat_reply.delay(reply.pk))
        transaction.on_commit(lambda: live.publish(project.pk, CHAT, project.pk))
    return reply


def chat_reply_retry(*, message: ChatMessage) -> None:
    from projects.tasks import chat_reply

    rate_limit_hit(user_id=message.project.owner_id, bucket="chat")
    restarted = ChatMessage.objects.filter(pk=message.pk, status=ChatMessage.Status.FAILED).update(
        status=ChatMessage.Status.PENDING, content="", error="", status_changed_at=timezone.now()
    )
    if not restarted:
        raise ProjectError("That reply is not failed, so there is nothing to retry.")
    transaction.on_commit(lambda: chat_reply.delay(message.pk))
    transaction.on_commit(lambda: live.publish(message.project_id, MESSAGE, message.pk))


def chat_reply_start(*, message_id: int) -> ChatMessage | None:
    """Claim a pending reply for this worker; None when it is done or another worker has it."""
    claimed = ChatMessage.objects.filter(pk=message_id, status=ChatMessage.Status.PENDING).update(
        status=ChatMessage.Status.STREAMING, status_changed_at=timezone.now()
    )
    if not claimed:
        return None
    return ChatMessage.objects.select_related("project").get(pk=message_id)


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
            ChatMessage.objects.filter(pk=message.pk).update(content=text)
            last_save = now
    message.content = text.strip()
    message.status = ChatMessage.Status.DONE
    message.save(update_fields=["content", "status"])
    live.publish(project.pk, MESSAGE, message.pk)


def chat_reply_requeue(*, message: ChatMessage) -> None:
    """A transient fault: the reply starts over from nothing when the task retries."""
    ChatMessage.objects.filter(pk=message.pk).update(
        status=ChatMessage.Status.PENDING, content="", status_changed_at=timezone.now()
    )
    live.publish(message.project_id, MESSAGE, message.pk)


def chat_reply_fail(*, message_id: int, error: str) -> None:
    failed = ChatMessage.objects.filter(pk=message_id, status__in=ANSWERING).update(
        status=ChatMessage.Status.FAILED, error=error[:500]
    )
    if failed:
        project_id = ChatMessage.objects.values_list("project_id", flat=True).get(pk=message_id)
        live.publish(project_id, MESSAGE, message_id)


def chat_reply_sweep_stuck(*, older_than: timedelta) -> int:
    """Fail replies stuck waiting or streaming (a lost worker), so the page offers a retry."""
    cutoff = timezone.now() - older_than
    stuck = list(
        ChatMessage.objects.filter(status__in=ANSWERING, status_changed_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
    for message_id in stuck:
        chat_reply_fail(
            message_id=message_id, error="The assistant took too long to answer. Try again."
        )
    return len(stuck)


def brief_refresh_from_chat(*, project: Project) -> None:
    """Let the assistant fill the brief card from everything said so far."""
    project.refresh_from_db(fields=["brief", "step"])
    extracted = providers["text"].extract_brief(
        messages=_conversation(project), brief=project.brief
    )
    try:
        brief_update(project=project, data=extracted)
    except BriefError as error:
        logger.warning("project %s: extracted brief rejected: %s", project.pk, error)


def _conversation(project: Project) -> list[base.ChatMessage]:
    finished = project.messages.filter(status=ChatMessage.Status.DONE).order_by(
        "-created_at", "-id"
    )
    latest = reversed(finished[:CHAT_HISTORY_WINDOW])
    return [base.ChatMessage(role=item.role, content=item.content) for item in latest]
