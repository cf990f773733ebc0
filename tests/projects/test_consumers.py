from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.utils.html import format_html

from config.asgi import application
from projects import live
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://testserver")
TIMEOUT = 5
IDLE_SECONDS = 7


@pytest.fixture(autouse=True)
def note_renderers(monkeypatch):
    """A stand-in object kind: the partial names the user it was rendered for."""

    def render_note(user, note_id: int) -> str:
        return format_html('<div id="note-{}" hx-swap-oob="true">for {}</div>', note_id, user.email)

    def render_board(user, project) -> str:
        return format_html('<div id="board-{}" hx-swap-oob="true">snapshot</div>', project.pk)

    monkeypatch.setitem(live._renderers, "note", (render_note, "mood"))
    monkeypatch.setattr(live, "_snapshots", [(render_board, "mood")])


def session_headers(user) -> list[tuple[bytes, bytes]]:
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return [ORIGIN, (b"cookie", f"{settings.SESSION_COOKIE_NAME}={session}".encode())]


@asynccontextmanager
async def owner_page(
    project, page: str = "mood", *, snapshot: bool = True
) -> AsyncIterator[WebsocketCommunicator]:
    """A connected page of the project's owner; its snapshot, if it has one, is kept as `.snapshot`."""
    headers = await sync_to_async(session_headers)(project.owner)
    communicator = communicator_for(project.pk, headers, page)
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected
    communicator.snapshot = await communicator.receive_from(timeout=TIMEOUT) if snapshot else ""
    try:
        yield communicator
    finally:
        await communicator.disconnect()


def communicator_for(project_id: int, headers: list, page: str = "mood") -> WebsocketCommunicator:
    path = f"/ws/projects/{project_id}/?page={page}"
    return WebsocketCommunicator(application, path, headers=headers)


def test_anonymous_user_is_refused():
    project = ProjectFactory()

    async def scenario():
        communicator = communicator_for(project.pk, [ORIGIN])
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        assert not connected

    async_to_sync(scenario)()


def test_another_users_project_is_refused_like_a_missing_one():
    project = ProjectFactory()
    headers = session_headers(UserFactory())

    async def scenario():
        for project_id in (project.pk, project.pk + 1000):
            connected, _ = await communicator_for(project_id, headers).connect(timeout=TIMEOUT)
            assert not connected

    async_to_sync(scenario)()


def test_foreign_origin_is_refused():
    project = ProjectFactory()
    headers = [(b"origin", b"http://evil.example"), session_headers(project.owner)[1]]

    async def scenario():
        connected, _ = await communicator_for(project.pk, headers).connect(timeout=TIMEOUT)
        assert not connected

    async_to_sync(scenario)()


def test_owner_gets_the_snapshot_on_connect():
    project = ProjectFactory()

    async def scenario():
        async with owner_page(project) as page:
            assert (
                page.snapshot == f'<div id="board-{project.pk}" hx-swap-oob="true">snapshot</div>'
            )

    async_to_sync(scenario)()


def test_published_update_is_pushed_rendered_for_the_connected_user():
    project = ProjectFactory()

    async def scenario():
        async with owner_page(project) as page:
            await sync_to_async(live.publish)(project.pk, "note", 7)
            pushed = await page.receive_from(timeout=TIMEOUT)
            assert pushed == f'<div id="note-7" hx-swap-oob="true">for {project.owner.email}</div>'

    async_to_sync(scenario)()


def test_empty_render_sends_nothing(monkeypatch):
    monkeypatch.setitem(live._renderers, "hidden", (lambda user, object_id: "", "mood"))
    project = ProjectFactory()

    async def scenario():
        async with owner_page(project) as page:
            await sync_to_async(live.publish)(project.pk, "hidden", 1)
            assert await page.receive_nothing(timeout=0.5)

    async_to_sync(scenario)()


def test_published_append_is_pushed_escaped():
    project = ProjectFactory()

    async def scenario():
        async with owner_page(project) as page:
            await sync_to_async(live.publish_append)(
                project.pk, "message-3-text", "<b>Hi</b> ", page="mood"
            )
            pushed = await page.receive_from(timeout=TIMEOUT)
            assert pushed == (
                '<span hx-swap-oob="beforeend:#message-3-text">&lt;b&gt;Hi&lt;/b&gt; </span>'
            )

    async_to_sync(scenario)()


def test_updates_of_other_projects_are_not_pushed():
    project, other = ProjectFactory(), ProjectFactory()

    async def scenario():
        async with owner_page(project) as page:
            await sync_to_async(live.publish)(other.pk, "note", 1)
            assert await page.receive_nothing(timeout=0.5)

    async_to_sync(scenario)()


@pytest.mark.slow
def test_an_idle_connection_outlives_the_layers_blocking_read():
    """The layer waits on Redis in 5 s blocking reads; a shorter socket timeout kills idle pages."""
    project = ProjectFactory()

    async def scenario():
        async with owner_page(project) as page:
            assert await page.receive_nothing(timeout=IDLE_SECONDS)
            await sync_to_async(live.publish)(project.pk, "note", 9)
            assert 'id="note-9"' in await page.receive_from(timeout=TIMEOUT)

    async_to_sync(scenario)()


def test_appends_for_another_page_are_not_pushed():
    project = ProjectFactory()

    async def scenario():
        async with owner_page(project, page="mood") as page:
            await sync_to_async(live.publish_append)(
                project.pk, "message-3-text", "Hi", page="brief"
            )
            assert await page.receive_nothing(timeout=0.5)

    async_to_sync(scenario)()
