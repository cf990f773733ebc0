"""Projects and the brief conversation, as the user drives them.

The reply job's work is in projects/replies.py; imports go one way: services → tasks → replies.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

import live
from media_pipeline import moderation
from media_pipeline.jobs import enqueue_on_commit
from projects import tasks
from projects.live import CHAT
from projects.models import ANSWERING, STEP_ORDER, ChatMessage, Project, Step
from projects.ratelimit import rate_limit_hit
from projects.replies import reply_move
from projects.signals import project_duplicated

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
    """A copy to branch from: the brief and the finished conversation; later apps add their part.

    Nothing in flight is copied (a reply being written has no job in the copy), and receivers of
    `project_duplicated` copy what belongs to their app (the mood boards).
    """
    copy = Project.objects.create(
        owner=project.owner,
        title=f"Copy of {project.title}"[:120],
        brief=project.brief,
        product=project.product,
        thumbnail=project.thumbnail,
        step=min(project.step, Step.MOOD, key=STEP_ORDER.index),
    )
    finished = project.messages.filter(status=ChatMessage.Status.DONE)
    ChatMessage.objects.bulk_create(
        ChatMessage(project=copy, role=message.role, content=message.content)
        for message in finished
    )
    project_duplicated.send(sender=Project, source=project, copy=copy)
    return copy


def project_delete(*, project: Project) -> None:
    project.delete()


def chat_message_send(*, project: Project, content: str) -> ChatMessage:
    """Store the user's message and queue the assistant's reply; returns the reply placeholder."""
    subject = f"project:{project.pk}"
    moderation.check(content, user_id=project.owner_id, what="chat message", subject=subject)
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=project.pk).first()
        if project.messages.filter(role=ChatMessage.Role.ASSISTANT, status__in=ANSWERING).exists():
            raise ProjectError(
                "The assistant is still answering. Wait for it to finish, then send."
            )
        rate_limit_hit(user_id=project.owner_id, bucket="chat")
        project.messages.create(role=ChatMessage.Role.USER, content=content)
        reply = project.messages.create(
            role=ChatMessage.Role.ASSISTANT, status=ChatMessage.Status.PENDING
        )
        Project.objects.filter(pk=project.pk).update(updated_at=reply.created_at)
        enqueue_on_commit(tasks.chat_reply_answer_task, message_id=reply.pk)
        transaction.on_commit(lambda: live.publish(project.pk, CHAT, project.pk))
    return reply


def chat_reply_retry(*, message: ChatMessage) -> None:
    rate_limit_hit(user_id=message.project.owner_id, bucket="chat")
    restarted = reply_move(
        message.pk, to=ChatMessage.Status.PENDING, sources=[ChatMessage.Status.FAILED], content=""
    )
    if not restarted:
        raise ProjectError("That reply is not failed, so there is nothing to retry.")
    enqueue_on_commit(tasks.chat_reply_answer_task, message_id=message.pk)
