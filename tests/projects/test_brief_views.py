"""The Brief page and its actions over HTMX."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from projects.models import ChatMessage, Step
from projects.selectors import CHAT_PAGE_SIZE
from tests.factories import COMPLETE_BRIEF, ProjectFactory

HTMX = {"HTTP_HX_REQUEST": "true"}

pytestmark = pytest.mark.django_db


def test_chat_is_rate_limited_per_user(project, settings, queued, client_logged_in):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "chat": (1, 60)}
    cache.clear()
    url = reverse("projects:chat_send", args=[project.pk])
    client_logged_in.post(url, {"content": "First"}, **HTMX)
    ChatMessage.objects.filter(role="assistant").update(status="done")
    response = client_logged_in.post(url, {"content": "Second, kept"}, **HTMX)
    assert b"going a little fast" in response.content
    assert b"Second, kept" in response.content  # what the user typed is not lost
    assert response["HX-Retarget"] == "#chat-form"
    assert project.messages.filter(role="user").count() == 1


def test_send_with_htmx_returns_the_thread_partial(project, client_logged_in, queued):
    response = client_logged_in.post(
        reverse("projects:chat_send", args=[project.pk]), {"content": "Hi"}, **HTMX
    )
    body = response.content.decode()
    assert body.startswith(
        '<div id="chat-thread" class="chat-thread" tabindex="0" role="log" aria-label="Conversation" hx-swap-oob="true">'
    )
    assert "<html" not in body
    assert "Hi" in body and 'class="typing"' in body


def test_an_empty_message_is_refused_with_a_clear_error(project, client_logged_in, queued):
    response = client_logged_in.post(
        reverse("projects:chat_send", args=[project.pk]), {"content": "  "}, **HTMX
    )
    assert b"Type a message first." in response.content
    assert not project.messages.exists()


def test_brief_page_shows_conversation_and_missing_fields(project, client_logged_in):
    project.messages.create(role="user", content="Our product is a glow serum")
    body = client_logged_in.get(reverse("projects:brief", args=[project.pk])).content.decode()
    assert "Our product is a glow serum" in body
    assert body.count("Still needed") == 7
    assert "Continue to mood" in body and "disabled" in body


def test_filling_the_card_by_hand_unlocks_the_mood_step(project, client_logged_in, published):
    data = dict(COMPLETE_BRIEF, key_messages="Visible glow in 7 days\nClean ingredients")
    response = client_logged_in.post(
        reverse("projects:brief_edit", args=[project.pk]), data, **HTMX
    )
    project.refresh_from_db()
    assert project.brief == COMPLETE_BRIEF
    assert project.step == Step.MOOD
    assert response.content.decode().startswith(
        '<section id="brief-card" class="panel brief-card" hx-swap-oob="true"'
    )
    assert reverse("storyboards:mood", args=[project.pk]) in response.content.decode()


def test_the_editor_opens_beside_the_card_so_pushes_do_not_wipe_it(project, client_logged_in):
    response = client_logged_in.get(reverse("projects:brief_edit", args=[project.pk]), **HTMX)
    body = response.content.decode()
    assert body.startswith('<section class="panel brief-card editing">')
    assert 'id="brief-card"' not in body and 'hx-target="#brief-editor"' in body


def test_invalid_manual_edits_keep_the_values_and_say_why(project, client_logged_in):
    data = dict(COMPLETE_BRIEF, key_messages="a", target_length=500)
    response = client_logged_in.post(
        reverse("projects:brief_edit", args=[project.pk]), data, **HTMX
    )
    project.refresh_from_db()
    assert project.brief["product"] is None
    assert b"less than or equal to 60" in response.content
    assert b"GlowSerum" in response.content


def test_clearing_a_field_locks_the_later_steps_again(user, client_logged_in, published):
    project = ProjectFactory(owner=user, complete_brief=True)
    data = dict(COMPLETE_BRIEF, key_messages="x", tone="")
    client_logged_in.post(reverse("projects:brief_edit", args=[project.pk]), data)
    project.refresh_from_db()
    assert project.step == Step.BRIEF


def test_the_brief_page_shows_the_latest_messages_and_loads_earlier_ones(project, client_logged_in):
    ChatMessage.objects.bulk_create(
        ChatMessage(project=project, role="user", content=f"turn {n}")
        for n in range(CHAT_PAGE_SIZE + 5)
    )

    body = client_logged_in.get(reverse("projects:brief", args=[project.pk])).content.decode()

    assert body.count('class="bubble bubble-user') == CHAT_PAGE_SIZE
    assert "turn 5<" in body and "turn 4<" not in body
    first_shown = project.messages.get(content="turn 5")
    earlier_url = reverse("projects:chat_earlier", args=[project.pk])
    assert f'hx-get="{earlier_url}?before={first_shown.pk}"' in body

    earlier = client_logged_in.get(earlier_url, {"before": first_shown.pk}, **HTMX).content.decode()

    assert earlier.count('class="bubble bubble-user') == 5
    assert "turn 0<" in earlier and "turn 4<" in earlier and "turn 5<" not in earlier
    assert "Show earlier messages" not in earlier
