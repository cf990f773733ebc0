import re
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory

BASE_DIR = Path(__file__).resolve().parents[2]
TEMPLATES = [
    path
    for path in BASE_DIR.glob("**/templates/**/*.html")
    if ".venv" not in path.parts and "staticfiles" not in path.parts
]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
# Attributes the CSP refuses to run: inline handlers, and htmx's eval'd hx-on / js: values.
EVALUATED_ATTRIBUTE = re.compile(r"\s(on[a-z]+|hx-on[:\w-]*)=|[\"']js:", re.IGNORECASE)


def policy(response) -> dict[str, list[str]]:
    directives = (part.split() for part in response["Content-Security-Policy"].split(";"))
    return {words[0]: words[1:] for words in directives if words}


@pytest.mark.django_db
def test_pages_carry_the_content_security_policy_and_other_headers(client_logged_in):
    response = client_logged_in.get(reverse("projects:list"))
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"][0] == "'self'"
    assert "'unsafe-eval'" not in csp["script-src"] and "'unsafe-inline'" not in csp["script-src"]
    assert csp["style-src"] == ["'self'", "'unsafe-inline'"]
    assert csp["connect-src"] == ["'self'", "ws://testserver", "wss://testserver"]
    assert csp["img-src"] == ["'self'", "data:", "blob:"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert response["Permissions-Policy"].startswith("camera=()")
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_the_page_tells_htmx_not_to_eval(client_logged_in):
    body = client_logged_in.get(reverse("projects:list")).content.decode()
    assert '<meta name="htmx-config" content=\'{"allowEval": false}\'>' in body


def test_every_inline_script_carries_the_nonce():
    missing = [
        f"{path.relative_to(BASE_DIR)}: {tag}"
        for path in TEMPLATES
        for tag in INLINE_SCRIPT.findall(path.read_text())
        if 'nonce="{{ CSP_NONCE }}"' not in tag
    ]
    assert missing == []


def test_no_template_uses_attributes_the_policy_would_block():
    found = [
        f"{path.relative_to(BASE_DIR)}: {match.group(0).strip()}"
        for path in TEMPLATES
        for match in EVALUATED_ATTRIBUTE.finditer(path.read_text())
    ]
    assert found == []


@pytest.mark.django_db
def test_signing_up_with_a_taken_email_looks_like_success_and_mails_the_owner(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    UserFactory(email="taken@example.com")
    form = {"email": "taken@example.com", "password1": "a-long-pass-phrase-9", "password2": ""}
    form["password2"] = form["password1"]

    taken = client.post(reverse("account_signup"), form)
    fresh = client.post(reverse("account_signup"), {**form, "email": "new@example.com"})

    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"]
    assert [message.to for message in mail.outbox] == [["taken@example.com"], ["new@example.com"]]
    assert "already" in mail.outbox[0].body.lower()
    assert "already" not in mail.outbox[1].body.lower()
