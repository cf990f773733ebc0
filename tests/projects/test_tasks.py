"""The reply job: claim, stream, store, refresh the brief; faults, retries and the sweep."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from kombu.exceptions import OperationalError

from media_pipeline import jobs
from media_pipeline.base import ProviderError
from media_pipeline.jobs import MAX_RETRIES, job_lease
from projects import replies, services, tasks
from projects.models import ChatMessage, Step
from tests.factories import COMPLETE_BRIEF

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scripted_text")]


def test_the_reply_streams_in_batches_and_is_stored_whole(project, published, monkeypatch, answer):
    monkeypatch.setattr(replies, "STREAM_FLUSH_SECONDS", 0)
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


def test_a_reply_another_job_holds_waits_for_its_lease(
    project, scripted_text, published, answer, monkeypatch
):
    rescheduled = []
    monkeypatch.setattr(
        tasks.chat_reply_answer_task,
        "apply_async",
        lambda kwargs, countdown: rescheduled.append((kwargs, countdown)),
    )
    reply = project.messages.create(role="assistant", status=ChatMessage.Status.STREAMING)

    answer(reply.pk)

    assert scripted_text.calls == []
    [(kwargs, countdown)] = rescheduled
    assert kwargs == {"message_id": reply.pk}
    assert job_lease().total_seconds() - 5 < countdown <= settings.JOB_MAX_COUNTDOWN_SECONDS


def test_a_reply_whose_worker_died_is_claimed_again_once_its_lease_ran_out(
    project, scripted_text, published, answer
):
    expired = timezone.now() - job_lease() - timedelta(seconds=1)
    reply = project.messages.create(
        role="assistant", status=ChatMessage.Status.STREAMING, status_changed_at=expired
    )

    answer(reply.pk)

    reply.refresh_from_db()
    assert reply.status == ChatMessage.Status.DONE
    assert reply.content == "Lovely — who is it for?"


def test_a_finished_reply_is_not_answered_twice(project, scripted_text, published, answer):
    reply = project.messages.create(role="assistant", content="Hi", status=ChatMessage.Status.DONE)
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
    monkeypatch.setattr(jobs, "retry_countdown", lambda attempt, retry_after: 0)
    scripted_text.errors = [ProviderError("Busy", permanent=False, retry_after=1)]
    reply = project.messages.create(role="assistant", status=ChatMessage.Status.PENDING)
    answer(reply.pk)
    reply.refresh_from_db()
    assert reply.status == ChatMessage.Status.DONE
    assert len([call for call in scripted_text.calls if call["call"] == "chat_reply"]) == 2


def test_transient_faults_past_the_retry_budget_fail_the_reply(
    project, scripted_text, published, monkeypatch, answer
):
    monkeypatch.setattr(jobs, "retry_countdown", lambda attempt, retry_after: 0)
    scripted_text.errors = [ProviderError("Busy", permanent=False)] * (MAX_RETRIES + 1)
    reply = project.messages.create(role="assistant", status=ChatMessage.Status.PENDING)
    answer(reply.pk)
    reply.refresh_from_db()
    assert reply.status == ChatMessage.Status.FAILED and reply.error == "Busy"


def test_the_sweep_fails_replies_stuck_past_their_limit(
    project, published, django_capture_on_commit_callbacks
):
    stuck = project.messages.create(
        role="assistant", status="streaming", status_changed_at=timezone.now() - timedelta(hours=1)
    )
    fresh = project.messages.create(role="assistant", status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.chat_reply_sweep_task() == 1
    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert stuck.status == "failed" and "took too long" in stuck.error
    assert fresh.status == "pending"
    assert ("message", stuck.pk) in published


def test_the_assistant_reads_the_latest_turns_of_a_long_conversation(
    project, scripted_text, answer
):
    for n in range(replies.CHAT_HISTORY_WINDOW + 5):
        project.messages.create(role="user", content=f"turn {n}")
    reply = project.messages.create(role="assistant", status=ChatMessage.Status.PENDING)
    answer(reply.pk)
    seen = [message.content for message in scripted_text.calls[0]["messages"]]
    assert len(seen) == replies.CHAT_HISTORY_WINDOW
    assert seen[0] == "turn 5" and seen[-1] == f"turn {replies.CHAT_HISTORY_WINDOW + 4}"


def test_a_reply_whose_job_never_reached_the_broker_is_enqueued_again_by_the_sweep(
    project, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(**kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.chat_reply_answer_task, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.chat_message_send(project=project, content="We sell a glow serum.")
    reply.refresh_from_db()
    assert reply.status == ChatMessage.Status.PENDING, "the message is kept, the reply waits"

    sent = []
    monkeypatch.setattr(tasks.chat_reply_answer_task, "delay", lambda **kwargs: sent.append(kwargs))
    assert tasks.chat_reply_sweep_task() == 0
    assert sent == [], "not before any retry could still be waiting"

    waited = timezone.now() - jobs.waiting_too_long() - timedelta(seconds=1)
    ChatMessage.objects.filter(pk=reply.pk).update(status_changed_at=waited)
    tasks.chat_reply_sweep_task()
    assert sent == [{"message_id": reply.pk}]
