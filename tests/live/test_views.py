import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html

import live
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def render_title(user, project_id: int) -> str:
    return format_html('<h1 id="title-{}" hx-swap-oob="true">title</h1>', project_id)


def snapshot_url(project) -> str:
    return reverse("live:snapshot", args=[project.pk])


def test_snapshot_returns_the_pages_regions_to_the_owner(client, kinds):
    project = ProjectFactory()
    live.snapshot("brief", render_title)
    client.force_login(project.owner)

    response = client.get(snapshot_url(project) + "?page=brief")

    assert response.status_code == 200
    assert response.content.decode() == render_title(project.owner, project.pk)
    assert "no-cache" in response["Cache-Control"]


def test_snapshot_of_another_users_project_is_404(client, other_user, kinds):
    client.force_login(other_user)

    response = client.get(snapshot_url(ProjectFactory()))

    assert response.status_code == 404


def test_snapshot_needs_a_login(client, kinds):
    response = client.get(snapshot_url(ProjectFactory()))

    assert response.status_code == 302


def test_a_poll_after_the_session_ended_is_sent_to_the_login_page(client, kinds):
    project = ProjectFactory()
    page = reverse("projects:brief", args=[project.pk])

    response = client.get(
        snapshot_url(project),
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{page}"},
    )

    assert response["HX-Redirect"] == f"{reverse('account_login')}?next={page}"


def test_connection_connects_the_socket_and_prepares_the_poller_and_the_signed_out_banner():
    project = ProjectFactory()

    html = render_to_string("live/_connection.html", {"project": project, "step": "mood"})

    assert 'hx-ext="ws"' in html
    assert f'ws-connect="/ws/projects/{project.pk}/?page=mood"' in html
    url = snapshot_url(project)
    assert f'hx-get="{url}?page=mood" hx-trigger="load, every 3s" hx-swap="none"' in html
    assert "data-live-signed-out hidden" in html and "Log in again" in html
    assert "live/live.js" in html


def test_a_step_page_includes_the_connection(client):
    project = ProjectFactory()
    client.force_login(project.owner)

    body = client.get(reverse("projects:brief", args=[project.pk])).content.decode()

    assert f'ws-connect="/ws/projects/{project.pk}/?page=brief"' in body
    assert f'href="{reverse("account_login")}?next=/projects/{project.pk}/brief"' in body
