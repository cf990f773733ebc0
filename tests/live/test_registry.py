import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.exceptions import ImproperlyConfigured
from django.utils.html import format_html

import live
from live import publishing, registry
from live.rendering import append_html
from projects.live import BRIEF_CARD, CHAT
from tests.factories import ProjectFactory


def render_title(user, project_id: int) -> str:
    return format_html('<h1 id="title-{}" hx-swap-oob="true">{}</h1>', project_id, "title")


def render_step(user, project_id: int) -> str:
    return format_html('<p id="step-{}" hx-swap-oob="true">step</p>', project_id)


def render_note(user, note_id: int) -> str:
    return "<p>note</p>"


def test_groups_are_named_after_the_project_the_user_and_a_digest_of_the_session():
    assert publishing.project_group(42) == "project-42"
    assert publishing.user_group(7) == "user-7"
    group = publishing.session_group("s3cr3tsessionkey")
    assert group.startswith("session-") and "s3cr3tsessionkey" not in group


def test_append_html_escapes_the_text_and_targets_the_element():
    assert append_html("reply", "a < b & c") == (
        '<span hx-swap-oob="beforeend:#reply">a &lt; b &amp; c</span>'
    )


def test_the_apps_declare_their_kinds_where_they_render():
    assert (CHAT.name, CHAT.page) == ("chat", "brief")
    assert registry.kind_for_page("brief", "brief") is BRIEF_CARD
    assert registry.kind_for_page("mood", "mood").render.__module__ == "storyboards.live"


def test_a_kind_is_shown_only_on_its_page(kinds):
    note = live.kind("note", page="brief", render=render_note)

    assert registry.kind_for_page("note", "brief") is note
    assert registry.kind_for_page("note", "mood") is None
    assert registry.kind_for_page("no-such-kind", "brief") is None


def test_a_kind_name_declared_twice_is_refused(kinds):
    live.kind("note", page="brief", render=render_note)

    with pytest.raises(ImproperlyConfigured, match="'note' is declared twice"):
        live.kind("note", page="mood", render=render_note)


@pytest.mark.django_db
def test_snapshot_joins_every_registered_region_once(kinds, user):
    live.snapshot("brief", render_title)
    live.snapshot("brief", render_step)
    live.snapshot("brief", render_title)
    live.snapshot("mood", render_step)

    assert registry.snapshot_html(user, 3, "brief") == render_title(user, 3) + render_step(user, 3)
    assert registry.snapshot_html(user, 3, "mood") == render_step(user, 3)


@pytest.mark.django_db
def test_only_the_owner_may_follow_a_project(other_user):
    project = ProjectFactory()

    assert registry.may_follow(project.owner, project.pk)
    assert not registry.may_follow(other_user, project.pk)
    assert not registry.may_follow(project.owner, project.pk + 1000)


def test_publish_never_raises_when_the_layer_is_down(monkeypatch, caplog):
    def broken_layer():
        raise ConnectionError("redis is gone")

    monkeypatch.setattr(publishing, "get_channel_layer", broken_layer)

    live.publish(1, CHAT, 2)
    live.publish_append(1, "reply", "text", page="brief")

    assert "Could not publish live.update to project-1" in caplog.text
    assert "Could not publish live.append to project-1" in caplog.text


def test_every_published_update_carries_its_own_event_id():
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)("project-1", channel)

    live.publish(1, CHAT, 2)
    live.publish(1, CHAT, 2)

    async def receive_two() -> list[dict]:
        return [await layer.receive(channel) for _ in range(2)]

    received = async_to_sync(receive_two)()
    assert [(event["kind"], event["object_id"]) for event in received] == [("chat", 2)] * 2
    assert len({event["event_id"] for event in received}) == 2


def test_publishing_from_many_threads_shares_one_loop_and_its_connection():
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda n: live.publish(n, CHAT, n), range(8)))

    assert list(get_channel_layer()._layers) == [publishing._publisher._loop]
