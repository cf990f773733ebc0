"""The Access tokens page: create (shown once), list, revoke; another user's token is a 404."""

import pytest
from django.urls import reverse

from api.models import AccessToken
from api.tokens import token_authenticate, token_create

pytestmark = pytest.mark.django_db


def test_the_page_is_in_the_header_and_lists_tokens(client_logged_in, user):
    token_create(user=user, name="CI")
    page = client_logged_in.get(reverse("tokens:list"))
    assert page.status_code == 200
    assert reverse("tokens:list").encode() in page.content
    assert b"CI" in page.content


def test_creating_a_token_shows_its_secret_once_and_stores_only_a_digest(client_logged_in, user):
    response = client_logged_in.post(
        reverse("tokens:new"), {"name": "Agency", "lifetime": "30"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.encode() in response.content
    token = AccessToken.objects.get(user=user)
    assert (token.name, token.prefix) == ("Agency", secret[:10])
    assert secret not in token.digest and token.expires_at is not None
    assert token_authenticate(secret) == token
    assert secret.encode() not in client_logged_in.get(reverse("tokens:list")).content


def test_a_token_needs_a_name(client_logged_in):
    response = client_logged_in.post(reverse("tokens:new"), {"name": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert not AccessToken.objects.exists()


def test_revoking_ends_the_token(client_logged_in, user):
    token, secret = token_create(user=user, name="old")
    client_logged_in.post(reverse("tokens:revoke", args=[token.pk]), HTTP_HX_REQUEST="true")
    assert token_authenticate(secret) is None
    assert b"revoked" in client_logged_in.get(reverse("tokens:list")).content


def test_another_users_token_cannot_be_revoked(client, user, other_user):
    token, secret = token_create(user=user, name="mine")
    client.force_login(other_user)
    assert client.post(reverse("tokens:revoke", args=[token.pk])).status_code == 404
    assert token_authenticate(secret) == token


def test_a_deactivated_users_tokens_stop_working(user):
    _, secret = token_create(user=user, name="mine")
    user.is_active = False
    user.save()
    assert token_authenticate(secret) is None
