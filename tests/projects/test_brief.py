import pytest
from django.urls import reverse

import live
from media_pipeline.base import ProviderError
from projects import services, tasks
from projects.models import ChatMessage, Step
from projects.services import ProjectError
from tests.factories import COMPLETE_BRIEF, ProjectFactory
from tests.projects.fakes import ScriptedTextBackend

HTMX = {"HTTP_HX_REQUEST": "true"}
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def scripted_text(settings):
    ScriptedTextBackend.reset()
    settings.MEDIA_PIPELINE = {
        **settings.MEDIA_PIPELINE,
        "text": {"BACKEND": "tests.projects.fakes.ScriptedTextBackend", "OPTIONS": {}},
    }
    return ScriptedTextBackend


@pytest.fixture
def published(monkeypatch):
    """Every live event, as (kind, ...) tuples, instead of the channel layer."""
    events = []
    monkeypatch.setattr(
        live, "publish", lambda project_id, kind, object_id: events.append((kind.name, object_id))
    )
    monkeypatch.setattr(
        live,
        "publish_append",
        lambda project_id, target, text, page: events.append(("append", target, text, page)),
    )
    return events


@pytest.fixture
def queued(monkeypatch):
    """Task ids queued on commit, without a broker."""
    sent = []
    monkeypatch.setattr(tasks.chat_reply, "delay", lambda message_id: sent.append(message_id))
    return sent


@pytest.fixture
def answer(django_capture_on_commit_callbacks):
    """Run the reply task the way a worker would, commit hooks included."""

    def run(reply_id: int) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            tasks.chat_reply.apply(args=[reply_id])

    return run


@pytest.fixture
def project(user):
    return ProjectFactory(owner=user)


def test_sending_stores_the_message_and_queues_one_reply(
    project, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.chat_message_send(project=project, content="We sell a glow serum.")
    user_message, assistant = project.messages.all()
    assert (user_message.role, user_message.content) == ("user", "We sell a glow serum.")
    assert assistant == reply and reply.status == ChatMessage.Status.PENDING
    assert queued == [reply.pk]


def test_a_second_message_waits_for_the_reply(project, queued):
    services.chat_message_send(project=project, content="One")
    with pytest.raises(ProjectError, match="still answering"):
        services.chat_message_send(project=project, content="Two")
    assert project.messages.count() == 2


def test_the_reply_streams_in_batches_and_is_stored_whole(project, published, monkeypatch, answer):
    monkeypatch.setattr(services, "STREAM_FLUSH_SECONDS", 0)
    reply = project.messages.create(role="assistant", status=ChatMessage.Status.PENDING)
    answer(reply.pk)
    reply.refresh_from_db()
    assert reply.status == ChatMessage.Status.DONE
    assert reply.content == "Lovely — who is it for?"
    appended = "".join(event[2] for event in published if event[0] == "append")
    assert appended == "Lovely — who is it for?"
    assert {event[1] for event in published if event[0] == "append"} == {f"message-{reply.pk}-body"}
    assert {event[3] for event in published if event[0] == "append"} == {"brief"}
    assert ("message", reply.pk) in published


def test_the_reply_sees_the_conversation_and_the_brief(project, scripted_text, published, answer):
    project.messages.create(role="user", content="We sell a glow serum.")
    reply = project.messages.create(role="assistant", status=ChatMessage.Status.PENDING)
    answer(reply.pk)
    call = scripted_text.calls[0]
    assert [(m.role, m.content) for m in call["messages"]] == [("user", "We sell a glow serum.")]
    assert call["brief"] == project.brief


def test_after_the_reply_the_brief_card_fills_in(project, published, answer):
    reply = project.messages.create(role="assistant", status=ChatMessage.Status.PENDING)
    answer(reply.pk)
    project.refresh_from_db()
    assert project.brief["product"] == "Glow serum"
    assert project.step == Step.BRIEF
    assert ("brief", project.pk) in published


def test_a_complete_extracted_brief_unlocks_the_mood_step(
    project, scripted_text, published, answer
):
    scripted_text.extracted = dict(COMPLETE_BRIEF)
    reply = project.messages.create(role="assistant", status=ChatMessage.Status.PENDING)
    answer(reply.pk)
    project.refresh_from_db()
    assert project.step == Step.MOOD


def test_an_extracted_brief_that_breaks_the_schema_is_ignored(
    project, scripted_text, published, answer
):
    scripted_text.extracted = {"target_length": 999}
    reply = project.messages.create(role="assistant", status=ChatMessage.Status.PENDING)
    answer(reply.pk)
    project.refresh_from_db()
    reply.refresh_from_db()
    assert reply.status == ChatMessage.Status.DONE
    assert project.brief["target_length"] is None


def test_a_reply_already_claimed_is_not_answered_twice(project, scripted_text, published, answer):
    reply = project.messages.create(role="assistant", status=ChatMessage.Status.STREAMING)
    answer(reply.pk)
    assert scripted_text.calls == []


def test_a_permanent_fault_fails_the_reply_with_its_message(
    project, scripted_text, published, answer
):
    scripted_text.errors = [ProviderError("The OpenAI key was rejected.", permanent=True)]
    reply = project.messages.create(role="assistant", status=ChatMessage.Status.PENDING)
    answer(reply.pk)
    reply.refresh_from_db()
    assert reply.status == ChatMessage.Status.FAILED
    assert reply.error == "The OpenAI key was rejected."


def test_a_transient_fault_is_retried_then_answered(
    project, scripted_text, published, monkeypatch, answer
):
    monkeypatch.setattr(tasks, "backoff_delay", lambda attempt, retry_after=None: 0)
    scripted_text.errors = [ProviderError("Busy", permanent=False, retry_after=1)]
    reply = project.messages.create(role="assistant", status=ChatMessage.Status.PENDING)
    answer(reply.pk)
    reply.refresh_from_db()
    assert reply.status == ChatMessage.Status.DONE
    assert len([call for call in scripted_text.calls if call["call"] == "chat_reply"]) == 2


def test_transient_faults_past_the_retry_budget_fail_the_reply(
    project, scripted_text, published, monkeypatch, answer
):
    monkeypatch.setattr(tasks, "backoff_delay", lambda attempt, retry_after=None: 0)
    scripted_text.errors = [ProviderError("Busy", permanent=False)] * (tasks.MAX_RETRIES + 1)
    reply = project.messages.create(role="assistant", status=ChatMessage.Status.PENDING)
    answer(reply.pk)
    reply.refresh_from_db()
    assert reply.status == ChatMessage.Status.FAILED and reply.error == "Busy"


def test_a_failed_reply_can_be_retried_once(project, queued, django_capture_on_commit_callbacks):
    reply = project.messages.create(role="assistant", status=ChatMessage.Status.FAILED, error="x")
    with django_capture_on_commit_callbacks(execute=True):
        services.chat_reply_retry(message=reply)
    reply.refresh_from_db()
    assert reply.status == ChatMessage.Status.PENDING and queued == [reply.pk]
    with pytest.raises(ProjectError):
        services.chat_reply_retry(message=reply)


def test_chat_is_rate_limited_per_user(project, settings, queued, client_logged_in):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "chat": (1, 60)}
    from django.core.cache import cache

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
    assert body.startswith('<div id="chat-thread" class="chat-thread" hx-swap-oob="true">')
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


def test_the_sweep_fails_replies_stuck_past_their_limit(project, published):
    from datetime import timedelta

    from django.utils import timezone

    stuck = project.messages.create(
        role="assistant", status="streaming", status_changed_at=timezone.now() - timedelta(hours=1)
    )
    fresh = project.messages.create(role="assistant", status="pending")
    assert tasks.sweep_stuck_replies() == 1
    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert stuck.status == "failed" and "took too long" in stuck.error
    assert fresh.status == "pending"
    assert ("message", stuck.pk) in published


def test_the_assistant_reads_the_latest_turns_of_a_long_conversation(
    project, scripted_text, answer
):
    for n in range(services.CHAT_HISTORY_WINDOW + 5):
        project.messages.create(role="user", content=f"turn {n}")
    reply = project.messages.create(role="assistant", status=ChatMessage.Status.PENDING)
    answer(reply.pk)
    seen = [message.content for message in scripted_text.calls[0]["messages"]]
    assert len(seen) == services.CHAT_HISTORY_WINDOW
    assert seen[0] == "turn 5" and seen[-1] == f"turn {services.CHAT_HISTORY_WINDOW + 4}"
