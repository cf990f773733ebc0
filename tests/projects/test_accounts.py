import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a fine long passphrase"


def test_sign_up_by_email_lands_on_the_empty_dashboard(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "new@example.com", "password1": PASSWORD, "password2": PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("projects:list")
    assert b"No projects yet" in response.content
    assert get_user_model().objects.filter(email="new@example.com").exists()


def test_sign_up_rejects_a_taken_email(client):
    UserFactory(email="taken@example.com")
    response = client.post(
        reverse("account_signup"),
        {"email": "taken@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 200
    assert b"already registered" in response.content


def test_log_in_and_out_by_email(client):
    UserFactory(email="me@example.com", password=PASSWORD)
    response = client.post(
        reverse("account_login"), {"login": "me@example.com", "password": PASSWORD}
    )
    assert response["Location"] == reverse("projects:list")
    assert client.get(reverse("projects:list")).status_code == 200
    client.post(reverse("account_logout"))
    assert client.get(reverse("projects:list")).status_code == 302


def test_wrong_password_gets_a_clear_error(client):
    UserFactory(email="me@example.com", password=PASSWORD)
    response = client.post(
        reverse("account_login"), {"login": "me@example.com", "password": "nope"}
    )
    assert response.status_code == 200
    assert b"not correct" in response.content


def test_password_reset_sends_an_email(client):
    UserFactory(email="me@example.com")
    client.post(reverse("account_reset_password"), {"email": "me@example.com"})
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_account_pages_use_the_app_layout(client):
    body = client.get(reverse("account_login")).content.decode()
    assert 'class="topbar"' in body and "app.css" in body


def test_account_pages_speak_one_language_log_in_and_sign_up(client):
    login = client.get(reverse("account_login")).content.decode()
    signup = client.get(reverse("account_signup")).content.decode()

    for body in (login, signup):
        assert "Sign In" not in body and "Sign Up" not in body and "sign in" not in body
    assert "<h1>Log in</h1>" in login and ">Sign up</a>" in login
    assert "<h1>Sign up</h1>" in signup and ">Log in</a>" in signup
    assert "At least 8 characters" in signup
    assert "too similar to your other personal information" not in signup
