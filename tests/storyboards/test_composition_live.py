"""A connected Final page sees the film being made, step by step, then the player."""

import asyncio
import re
import threading

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from config.asgi import application
from storyboards import composing, tasks
from tests.factories import CompositionFactory
from tests.storyboards.films import film_settings, ready_storyboard

TIMEOUT = 10
# Pushes read before giving up on the finished film: far more than a tiny film's progress steps.
MAX_PUSHES = 200
PROGRESS_RE = re.compile(r'<progress id="composition-progress" max="100" value="(\d+)"')


def session_headers(user) -> list[tuple[bytes, bytes]]:
    client = Client()
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return [(b"origin", b"http://testserver"), (b"cookie", cookie.encode())]


@pytest.fixture
def lockstep_publish(monkeypatch):
    """The job waits after each publish until the page has read a push, so every state is seen.

    The consumer renders the row when the event arrives; without this the tiny film would be
    finished before the first render.
    """
    pushed = threading.Semaphore(0)
    real_publish = composing.publish

    def publish_and_wait(*args) -> None:
        real_publish(*args)
        pushed.acquire(timeout=TIMEOUT)

    monkeypatch.setattr(composing, "publish", publish_and_wait)
    return pushed


@pytest.mark.django_db(transaction=True)
def test_the_film_job_pushes_its_progress_then_the_player_to_the_open_page(
    user, settings, lockstep_publish
):
    film_settings(settings)
    storyboard = ready_storyboard(user)
    composition = CompositionFactory(storyboard=storyboard, audio_source="none")
    path = f"/ws/projects/{storyboard.project_id}/?page=final"
    headers = session_headers(user)

    async def scenario() -> tuple[str, list[str]]:
        communicator = WebsocketCommunicator(application, path, headers=headers)
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        assert connected
        snapshot = await communicator.receive_from(timeout=TIMEOUT)
        job = asyncio.ensure_future(
            sync_to_async(tasks.composition_render_task.apply, thread_sensitive=False)(
                kwargs={"composition_id": composition.pk}
            )
        )
        pushed = []
        while len(pushed) < MAX_PUSHES and (not pushed or "<video" not in pushed[-1]):
            pushed.append(await communicator.receive_from(timeout=TIMEOUT))
            lockstep_publish.release()
        await job
        await communicator.disconnect()
        return snapshot, pushed

    snapshot, pushed = async_to_sync(scenario)()

    assert 'id="composition-current"' in snapshot and "Waiting for a free worker" in snapshot
    assert all(
        'id="composition-current"' in push and 'hx-swap-oob="true"' in push for push in pushed
    )
    values = [int(match[1]) for push in pushed if (match := PROGRESS_RE.search(push))]
    assert values == sorted(values) and len(values) >= 3 and values[-1] == 100
    assert "Joining" in "".join(pushed)
    assert "controls playsinline" in pushed[-1] and "Download" in pushed[-1]
