"""The Brief step over a real socket: the reply streams in, then the card updates."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async

from projects import tasks
from projects.models import ChatMessage
from tests.factories import ProjectFactory
from tests.projects.fakes import ScriptedTextBackend
from tests.projects.test_consumers import TIMEOUT, communicator_for, session_headers

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def scripted_text(settings):
    ScriptedTextBackend.reset()
    ScriptedTextBackend.token_delay = 0.06  # slower than a flush, so tokens arrive one by one
    settings.MEDIA_PIPELINE = {
        **settings.MEDIA_PIPELINE,
        "text": {"BACKEND": "tests.projects.fakes.ScriptedTextBackend", "OPTIONS": {}},
    }


def test_reply_tokens_then_the_final_message_and_the_card_reach_the_page(user):
    project = ProjectFactory(owner=user)
    reply = project.messages.create(role="assistant", status=ChatMessage.Status.PENDING)
    headers = session_headers(user)

    async def scenario():
        communicator = communicator_for(project.pk, headers, page="brief")
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        assert connected
        snapshot = await communicator.receive_from(timeout=TIMEOUT)
        assert 'id="chat-thread"' in snapshot and 'id="brief-card"' in snapshot
        await sync_to_async(tasks.chat_reply.apply)(args=[reply.pk])
        frames = []
        while not any('id="brief-card"' in frame for frame in frames):
            frames.append(await communicator.receive_from(timeout=TIMEOUT))
        await communicator.disconnect()
        return frames

    frames = async_to_sync(scenario)()
    appends = [f for f in frames if f"beforeend:#message-{reply.pk}-body" in f]
    assert appends, frames
    final = next(f for f in frames if f'id="message-{reply.pk}"' in f)
    assert "Lovely — who is it for?" in final and 'hx-swap-oob="true"' in final
    card = next(f for f in frames if 'id="brief-card"' in f)
    assert "Glow serum" in card
    assert frames.index(appends[0]) < frames.index(final) < frames.index(card)


def test_a_mood_page_receives_no_brief_regions(user):
    project = ProjectFactory(owner=user)
    reply = project.messages.create(role="assistant", status=ChatMessage.Status.PENDING)
    headers = session_headers(user)

    async def scenario():
        communicator = communicator_for(project.pk, headers, page="mood")
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        assert connected
        await sync_to_async(tasks.chat_reply.apply)(args=[reply.pk])
        assert await communicator.receive_nothing(timeout=0.5)
        await communicator.disconnect()

    async_to_sync(scenario)()
