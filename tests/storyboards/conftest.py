import uuid

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.db import connection

from config.celery import app as celery_app
from media_pipeline.registry import providers
from storyboards.generation import MOOD_COUNT

TEXT_BACKEND = "media_pipeline.backends.local_text.LocalTextBackend"
IMAGE_BACKEND = "tests.fakes.image.ScriptedImageBackend"
IMAGES_PER_MOOD = 2


@pytest.fixture(autouse=True)
def mood_engine(settings, small_frames):
    """Local text, the scriptable local image backend, small frames and two images a board."""
    settings.QUALITY_PROFILE = dict(small_frames, images_per_mood=IMAGES_PER_MOOD)
    settings.MEDIA_PIPELINE = {
        **settings.MEDIA_PIPELINE,
        "text": {"BACKEND": TEXT_BACKEND, "OPTIONS": {"token_delay": 0}},
        "image": {"BACKEND": IMAGE_BACKEND, "OPTIONS": {}},
    }
    providers.reset()
    return settings


@pytest.fixture
def image_backend():
    return providers["image"]


@pytest.fixture
def enqueued(monkeypatch):
    """Records the jobs the services enqueue instead of sending them to the broker."""
    from storyboards import tasks

    jobs: list[tuple[str, dict]] = []
    for task in (
        tasks.mood_plan_task,
        tasks.mood_image_draw_task,
        tasks.storyboard_plan_task,
        tasks.scene_text_rewrite_task,
        tasks.scene_image_draw_task,
    ):
        monkeypatch.setattr(
            task, "delay", lambda task=task, **kwargs: jobs.append((task.name, kwargs))
        )
    clip = tasks.scene_video_animate_task
    monkeypatch.setattr(
        clip,
        "apply_async",
        lambda kwargs, queue: jobs.append((clip.name, {**kwargs, "queue": queue})),
    )
    return jobs


@pytest.fixture
def eager_tasks():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def io_worker(settings):
    """A real worker on the `io` queue (thread pool), on a broker key prefix of this test's own."""
    yield from _worker(settings, queues=["io"], concurrency=MOOD_COUNT * IMAGES_PER_MOOD)


@pytest.fixture
def media_worker(settings):
    """A real worker on the `io` and `media` queues (threads are enough for FFmpeg subprocesses)."""
    yield from _worker(settings, queues=["io", "media"], concurrency=4)


def _worker(settings, *, queues: list[str], concurrency: int):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        # Shared-cache in-memory SQLite answers concurrent writers with "table is locked"
        # at once instead of waiting, so worker threads need a file (or PostgreSQL) test database.
        pytest.skip("Needs a test database that worker threads can write concurrently.")
    app = Celery("reelsmith-test")
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.task_always_eager = False
    app.conf.broker_transport_options = {
        **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        "global_keyprefix": f"test-{uuid.uuid4().hex}:",
    }
    try:
        with start_worker(
            app,
            pool="threads",
            concurrency=concurrency,
            perform_ping_check=False,
            queues=queues,
        ) as worker:
            yield worker
    finally:
        celery_app.set_current()
        celery_app.set_default()
