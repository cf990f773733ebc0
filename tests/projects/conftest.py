import pytest

import live
from projects import tasks
from tests.factories import ProjectFactory
from tests.fakes.text import ScriptedTextBackend


@pytest.fixture
def scripted_text(settings):
    """The scriptable text backend in place of the configured one."""
    ScriptedTextBackend.reset()
    settings.MEDIA_PIPELINE = {
        **settings.MEDIA_PIPELINE,
        "text": {"BACKEND": "tests.fakes.text.ScriptedTextBackend", "OPTIONS": {}},
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
    """Reply ids queued on commit, without a broker."""
    sent = []
    monkeypatch.setattr(
        tasks.chat_reply_answer_task, "delay", lambda *, message_id: sent.append(message_id)
    )
    return sent


@pytest.fixture
def answer(django_capture_on_commit_callbacks):
    """Run the reply job the way a worker would, commit hooks included."""

    def run(reply_id: int) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            tasks.chat_reply_answer_task.apply(kwargs={"message_id": reply_id})

    return run


@pytest.fixture
def project(user):
    return ProjectFactory(owner=user)
