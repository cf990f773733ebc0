import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html

from projects import live
from tests.factories import ProjectFactory


@pytest.fixture
def snapshots(monkeypatch):
    registered: list = []
    monkeypatch.setattr(live, "_snapshots", registered)
    return registered


def render_title(user, project) -> str:
    return format_html('<h1 id="title-{}" hx-swap-oob="true">{}</h1>', project.pk, project.title)


def render_step(user, project) -> str:
    return format_html('<p id="step-{}" hx-swap-oob="true">{}</p>', project.pk, project.step)


def test_project_group_is_named_after_the_project():
    assert live.project_group(42) == "project-42"


def test_append_html_escapes_the_text_and_targets_the_element():
    assert live.append_html("reply", "a < b & c") == (
        '<span hx-swap-oob="beforeend:#reply">a &lt; b &amp; c</span>'
    )


def test_render_update_of_an_unknown_kind_is_empty():
    assert live.render_update(None, "no-such-kind", 1, "mood") == ""


def test_render_update_is_empty_for_a_page_that_does_not_show_the_kind(monkeypatch):
    monkeypatch.setitem(live._renderers, "note", (lambda user, note_id: "<p>note</p>", "brief"))
    assert live.render_update(None, "note", 1, "brief") == "<p>note</p>"
    assert live.render_update(None, "note", 1, "mood") == ""


@pytest.mark.django_db
def test_snapshot_joins_every_registered_region_once(snapshots):
    project = ProjectFactory(title="Spring launch")
    live.register_snapshot(render_title, page="brief")
    live.register_snapshot(render_step, page="brief")
    live.register_snapshot(render_title, page="brief")
    live.register_snapshot(render_step, page="mood")

    html = live.snapshot_html(project.owner, project, "brief")

    assert html == render_title(None, project) + render_step(None, project)
    assert live.snapshot_html(project.owner, project, "mood") == render_step(None, project)


def test_publish_never_raises_when_the_layer_is_down(monkeypatch, caplog):
    def broken_layer():
        raise ConnectionError("redis is gone")

    monkeypatch.setattr(live, "get_channel_layer", broken_layer)

    live.publish(1, "mood", 2)
    live.publish_append(1, "reply", "text", page="brief")

    assert "Could not publish live.update to project 1" in caplog.text
    assert "Could not publish live.append to project 1" in caplog.text


@pytest.mark.django_db
def test_snapshot_view_returns_the_regions_to_the_owner(client, snapshots):
    project = ProjectFactory(title="Spring launch")
    live.register_snapshot(render_title, page="brief")
    client.force_login(project.owner)

    response = client.get(reverse("projects:live_snapshot", args=[project.pk]) + "?page=brief")

    assert response.status_code == 200
    assert response.content.decode() == render_title(None, project)
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_snapshot_view_of_another_users_project_is_404(client, other_user, snapshots):
    project = ProjectFactory()
    client.force_login(other_user)

    response = client.get(reverse("projects:live_snapshot", args=[project.pk]))

    assert response.status_code == 404


@pytest.mark.django_db
def test_snapshot_view_needs_a_login(client, snapshots):
    project = ProjectFactory()

    response = client.get(reverse("projects:live_snapshot", args=[project.pk]))

    assert response.status_code == 302


@pytest.mark.django_db
def test_live_connection_connects_the_socket_and_prepares_the_poller():
    project = ProjectFactory()

    html = render_to_string("projects/_live_connection.html", {"project": project, "step": "mood"})

    assert 'hx-ext="ws"' in html
    assert f'ws-connect="/ws/projects/{project.pk}/?page=mood"' in html
    snapshot_url = reverse("projects:live_snapshot", args=[project.pk])
    assert f'hx-get="{snapshot_url}?page=mood" hx-trigger="load, every 3s" hx-swap="none"' in html
    assert "js/live.js" in html
