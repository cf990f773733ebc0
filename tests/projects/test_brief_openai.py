"""The Brief step on the real OpenAI backend: the SDK streams from the fake, then extracts the brief."""

import pytest

from media_pipeline.models import ProviderUsage
from projects import tasks
from projects.models import ChatMessage, Step
from tests.factories import COMPLETE_BRIEF, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def openai_text(settings, openai_fake):
    settings.MEDIA_PIPELINE = {
        **settings.MEDIA_PIPELINE,
        "text": {"BACKEND": "media_pipeline.backends.openai_text.OpenAITextBackend", "OPTIONS": {}},
    }
    return openai_fake


def test_a_reply_streams_from_openai_and_fills_the_brief(
    user, openai_text, django_capture_on_commit_callbacks
):
    project = ProjectFactory(owner=user)
    project.messages.create(role="user", content="We sell GlowSerum to busy professionals.")
    reply = project.messages.create(role="assistant", status=ChatMessage.Status.PENDING)
    openai_text.reply("Lovely. What tone should it have?")
    openai_text.reply(dict(COMPLETE_BRIEF))

    with django_capture_on_commit_callbacks(execute=True):
        tasks.chat_reply_answer_task.apply(kwargs={"message_id": reply.pk})

    reply.refresh_from_db()
    project.refresh_from_db()
    assert reply.status == ChatMessage.Status.DONE
    assert reply.content == "Lovely. What tone should it have?"
    assert project.brief == COMPLETE_BRIEF and project.step == Step.MOOD
    stream, extraction = openai_text.chat_requests
    assert stream["stream"] is True
    assert stream["messages"][-1] == {
        "role": "user",
        "content": "We sell GlowSerum to busy professionals.",
    }
    assert extraction["response_format"]["json_schema"]["strict"] is True
    usage = ProviderUsage.objects.filter(capability="text", outcome="success")
    assert usage.count() == 2 and all(row.user_id == user.pk for row in usage)


def test_a_rejected_key_fails_the_reply_with_a_message_to_act_on(user, openai_text):
    project = ProjectFactory(owner=user)
    reply = project.messages.create(role="assistant", status=ChatMessage.Status.PENDING)
    openai_text.fail(401, "Incorrect API key provided: sk-abc***.", code="invalid_api_key")

    tasks.chat_reply_answer_task.apply(kwargs={"message_id": reply.pk})

    reply.refresh_from_db()
    assert reply.status == ChatMessage.Status.FAILED
    assert "OPENAI_API_KEY" in reply.error
