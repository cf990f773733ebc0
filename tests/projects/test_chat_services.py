"""Sending a message and retrying a reply: the user-facing chat services."""

import pytest

from projects import services
from projects.models import ChatMessage
from projects.services import ProjectError

pytestmark = pytest.mark.django_db


def test_sending_stores_the_message_and_queues_one_reply(
    project, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.chat_message_send(project=project, content="We sell a glow serum.")
    user_message, assistant = project.messages.all()
    assert (user_message.role, user_message.content) == ("user", "We sell a glow serum.")
    assert assistant == reply and reply.status == ChatMessage.Status.PENDING
    assert queued == [reply.pk]


def test_a_second_message_waits_for_the_reply(project, queued):
    services.chat_message_send(project=project, content="One")
    with pytest.raises(ProjectError, match="still answering"):
        services.chat_message_send(project=project, content="Two")
    assert project.messages.count() == 2


def test_a_failed_reply_can_be_retried_once(project, queued, django_capture_on_commit_callbacks):
    reply = project.messages.create(role="assistant", status=ChatMessage.Status.FAILED, error="x")
    with django_capture_on_commit_callbacks(execute=True):
        services.chat_reply_retry(message=reply)
    reply.refresh_from_db()
    assert reply.status == ChatMessage.Status.PENDING and queued == [reply.pk]
    with pytest.raises(ProjectError):
        services.chat_reply_retry(message=reply)
