"""A worker killed mid-job: its job is delivered again and the artifact finishes, no sweep needed."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection

from storyboards.models import GenerationStatus, Mood, MoodImage
from tests.factories import MoodFactory

ROOT = Path(__file__).resolve().parent.parent
VISIBILITY_TIMEOUT = 2
JOB_LEASE_SECONDS = 2  # so the dead worker's lease runs out within seconds
SLOW_IMAGE_SECONDS = 60
WAIT_SECONDS = 60

pytestmark = [pytest.mark.slow, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def database_url() -> str:
    """The test database, as a URL another process can open."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(prefix: str, image_delay: float, media_root: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "TEST_BROKER_PREFIX": prefix,
        "TEST_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "TEST_IMAGE_DELAY": str(image_delay),
        "TEST_MEDIA_ROOT": str(media_root),
        "JOB_LEASE_SECONDS": str(JOB_LEASE_SECONDS),
    }
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker", "--queues", "io",
        "--pool", "threads", "--concurrency", "2", "--without-gossip", "--without-mingle",
        "--without-heartbeat", "--loglevel", "WARNING",
    ]  # fmt: skip
    # Its own process group, so the kill takes every thread and child with it.
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"Timed out waiting for {what}")


def kill(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)


def test_an_image_whose_worker_was_killed_finishes_after_redelivery(media_root):
    prefix = f"test-{uuid.uuid4().hex}:"
    board = MoodFactory(status=Mood.Status.DRAWING)
    image = MoodImage.objects.create(mood=board, position=0)
    sender = Celery("reelsmith-test-sender")
    sender.config_from_object("django.conf:settings", namespace="CELERY")
    sender.conf.broker_transport_options = {
        **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        "global_keyprefix": prefix,
    }
    doomed = start_worker(prefix, SLOW_IMAGE_SECONDS, media_root)
    survivor = None
    try:
        sender.send_task(
            "storyboards.tasks.mood_image_draw_task",
            kwargs={"mood_image_id": image.pk},
            queue="io",
        )
        wait_for(lambda: _status(image) == GenerationStatus.RUNNING, "the first worker's claim")
        kill(doomed)
        survivor = start_worker(prefix, 0, media_root)
        wait_for(lambda: _status(image) == GenerationStatus.DONE, "the redelivered job")
        # The job stores the image, then finishes its board in a second step.
        wait_for(lambda: _board_status(board) == Mood.Status.DONE, "the board's finish")
    finally:
        kill(doomed)
        if survivor is not None:
            kill(survivor)

    image.refresh_from_db()
    board.refresh_from_db()
    assert image.attempts == 2, "claimed by the killed worker, then again after redelivery"
    assert (board.status, board.error) == (Mood.Status.DONE, "")
    assert (media_root / image.image.name).is_file()


def _board_status(board: Mood) -> str:
    return Mood.objects.values_list("status", flat=True).get(pk=board.pk)


def _status(image: MoodImage) -> str:
    return MoodImage.objects.values_list("status", flat=True).get(pk=image.pk)
