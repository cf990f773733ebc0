import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.utils.html import format_html

import live
from live.consumers import SIGNED_OUT
from live.publishing import project_group
from tests.factories import ProjectFactory, UserFactory
from tests.live.conftest import (
    ORIGIN,
    TIMEOUT,
    communicator_for,
    connect_then_end,
    connected_page,
    logged_in_client,
    owner_page,
    session_headers,
)

pytestmark = pytest.mark.django_db(transaction=True)

IDLE_SECONDS = 7


@pytest.fixture
def renders():
    """The (user, object id) of every render of the stand-in kind."""
    return []


@pytest.fixture(autouse=True)
def note(kinds, renders):
    """A stand-in kind on the mood page: the partial names the user it was rendered for."""

    def render_note(user, note_id: int) -> str:
        renders.append((user.pk, note_id))
        return format_html('<div id="note-{}" hx-swap-oob="true">for {}</div>', note_id, user.email)

    def render_board(user, project_id: int) -> str:
        return format_html('<div id="board-{}" hx-swap-oob="true">snapshot</div>', project_id)

    live.snapshot("mood", render_board)
    return live.kind("note", page="mood", render=render_note)


def test_anonymous_user_is_told_it_is_signed_out():
    project = ProjectFactory()

    async def scenario():
        connected, said = await connect_then_end(communicator_for(project.pk, [ORIGIN]))
        assert connected
        assert said == [{"type": "websocket.close", "code": SIGNED_OUT}]

    async_to_sync(scenario)()


def test_another_users_project_is_refused_like_a_missing_one():
    project = ProjectFactory()
    headers = session_headers(logged_in_client(UserFactory()))

    async def scenario():
        for project_id in (project.pk, project.pk + 1000):
            connected, _ = await connect_then_end(communicator_for(project_id, headers))
            assert not connected

    async_to_sync(scenario)()


def test_foreign_origin_is_refused():
    project = ProjectFactory()
    cookie = session_headers(logged_in_client(project.owner))[1]

    async def scenario():
        headers = [(b"origin", b"http://evil.example"), cookie]
        connected, _ = await connect_then_end(communicator_for(project.pk, headers))
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


def test_published_update_is_pushed_rendered_for_the_connected_user(note):
    project = ProjectFactory()

    async def scenario():
        async with owner_page(project) as page:
            await sync_to_async(live.publish)(project.pk, note, 7)
            pushed = await page.receive_from(timeout=TIMEOUT)
            assert pushed == f'<div id="note-7" hx-swap-oob="true">for {project.owner.email}</div>'

    async_to_sync(scenario)()


def test_an_update_is_rendered_once_for_every_page_of_a_user(note, renders):
    project = ProjectFactory()
    headers = session_headers(logged_in_client(project.owner))

    async def scenario():
        async with (
            connected_page(project.pk, headers) as first,
            connected_page(project.pk, headers) as second,
            connected_page(project.pk, headers) as third,
            connected_page(project.pk, headers, page="brief", snapshot=False) as brief,
        ):
            await sync_to_async(live.publish)(project.pk, note, 7)
            pushed = [await page.receive_from(timeout=TIMEOUT) for page in (first, second, third)]
            assert await brief.receive_nothing(timeout=0.5)
            return pushed

    pushed = async_to_sync(scenario)()
    assert len(set(pushed)) == 1 and 'id="note-7"' in pushed[0]
    assert renders == [(project.owner.pk, 7)]


def test_each_publish_is_rendered_afresh(note, renders):
    project = ProjectFactory()

    async def scenario():
        async with owner_page(project) as page:
            for _ in range(2):
                await sync_to_async(live.publish)(project.pk, note, 7)
                await page.receive_from(timeout=TIMEOUT)

    async_to_sync(scenario)()
    assert renders == [(project.owner.pk, 7)] * 2


def test_a_failing_render_sends_nothing_and_keeps_the_socket(kinds, note):
    def broken(user, object_id):
        raise ValueError("template is broken")

    failing = live.kind("broken", page="mood", render=broken)
    project = ProjectFactory()

    async def scenario():
        async with owner_page(project) as page:
            await sync_to_async(live.publish)(project.pk, failing, 1)
            await sync_to_async(live.publish)(project.pk, note, 2)
            assert 'id="note-2"' in await page.receive_from(timeout=TIMEOUT)

    async_to_sync(scenario)()


def test_empty_render_sends_nothing():
    hidden = live.kind("hidden", page="mood", render=lambda user, object_id: "")
    project = ProjectFactory()

    async def scenario():
        async with owner_page(project) as page:
            await sync_to_async(live.publish)(project.pk, hidden, 1)
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


def test_appends_arrive_in_the_order_they_were_published():
    project = ProjectFactory()
    tokens = [f"token {n} " for n in range(30)]

    async def scenario():
        async with owner_page(project) as page:
            for token in tokens:
                await sync_to_async(live.publish_append)(project.pk, "reply", token, page="mood")
            return [await page.receive_from(timeout=TIMEOUT) for _ in tokens]

    pushed = async_to_sync(scenario)()
    assert pushed == [f'<span hx-swap-oob="beforeend:#reply">{token}</span>' for token in tokens]


def test_updates_of_other_projects_are_not_pushed(note):
    project, other = ProjectFactory(), ProjectFactory()

    async def scenario():
        async with owner_page(project) as page:
            await sync_to_async(live.publish)(other.pk, note, 1)
            assert await page.receive_nothing(timeout=0.5)

    async_to_sync(scenario)()


@pytest.mark.slow
def test_an_idle_connection_outlives_the_layers_blocking_read(note):
    """The layer waits on Redis in 5 s blocking reads; a shorter socket timeout kills idle pages."""
    project = ProjectFactory()

    async def scenario():
        async with owner_page(project) as page:
            assert await page.receive_nothing(timeout=IDLE_SECONDS)
            await sync_to_async(live.publish)(project.pk, note, 9)
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


def test_the_pages_of_a_project_share_one_group_member_per_process():
    project = ProjectFactory()
    headers = session_headers(logged_in_client(project.owner))

    async def members(layer) -> int:
        connection = layer.connection(layer.consistent_hash(project_group(project.pk)))
        return await connection.zcard(layer._group_key(project_group(project.pk)))

    async def scenario():
        layer = get_channel_layer()
        async with connected_page(project.pk, headers), connected_page(project.pk, headers):
            assert await members(layer) == 1
        assert await members(layer) == 0

    async_to_sync(scenario)()
