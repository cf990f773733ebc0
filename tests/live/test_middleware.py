import pytest
from django.urls import reverse

from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    return ProjectFactory()


def brief_url(project) -> str:
    return reverse("projects:brief", args=[project.pk])


def test_an_htmx_request_that_needs_a_login_sends_the_page_to_the_login_form(client, project):
    page = brief_url(project)

    response = client.post(
        reverse("projects:chat_send", args=[project.pk]),
        {"content": "Make it pop"},
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{page}"},
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('account_login')}?next={page}"


def test_without_the_current_url_the_login_returns_to_the_requested_one(client, project):
    response = client.get(brief_url(project), headers={"HX-Request": "true"})

    assert response["HX-Redirect"] == f"{reverse('account_login')}?next={brief_url(project)}"


def test_a_plain_request_keeps_the_login_redirect(client, project):
    response = client.get(brief_url(project))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={brief_url(project)}"
    assert "HX-Redirect" not in response


def test_other_redirects_of_htmx_requests_are_left_alone(client, project):
    client.force_login(project.owner)

    response = client.get(
        reverse("projects:open", args=[project.pk]), headers={"HX-Request": "true"}
    )

    assert response.status_code == 302
    assert "HX-Redirect" not in response
