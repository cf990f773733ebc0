"""The Brief step over a real socket: the reply streams in, then the card updates."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async

from projects import tasks
from projects.models import ChatMessage
from tests.factories import ProjectFactory
from tests.fakes.text import ScriptedTextBackend
from tests.live.conftest import TIMEOUT, owner_page

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def scripted_text(settings):
    ScriptedTextBackend.reset()
    ScriptedTextBackend.token_delay = 0.06  # slower than a flush, so tokens arrive one by one
    settings.MEDIA_PIPELINE = {
        **settings.MEDIA_PIPELINE,
        "text": {"BACKEND": "tests.fakes.text.ScriptedTextBackend", "OPTIONS": {}},
    }


def test_reply_tokens_then_the_final_message_and_the_card_reach_the_page(user):
    project = ProjectFactory(owner=user)
    reply = project.messages.create(role="assistant", status=ChatMessage.Status.PENDING)

    async def scenario():
        async with owner_page(project, page="brief") as page:
            assert 'id="chat-thread"' in page.snapshot and 'id="brief-card"' in page.snapshot
            await sync_to_async(tasks.chat_reply_answer_task.apply)(kwargs={"message_id": reply.pk})
            frames = []
            while not any('id="brief-card"' in frame for frame in frames):
                frames.append(await page.receive_from(timeout=TIMEOUT))
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

    async def scenario():
        # A project without boards has nothing to show on its mood page yet: no snapshot.
        async with owner_page(project, page="mood", snapshot=False) as page:
            await sync_to_async(tasks.chat_reply_answer_task.apply)(kwargs={"message_id": reply.pk})
            assert await page.receive_nothing(timeout=0.5)

    async_to_sync(scenario)()
