"""Mood board jobs on the `io` queue: thin wrappers that call the services and decide on retries.

One plan job per batch (one text call, so the boards are distinct), then one image job
per board, so the boards are drawn in parallel and a failing board leaves the others be.

The sweep runs every minute from Celery beat (CELERY_BEAT_SCHEDULE in config/settings.py).
"""

from datetime import timedelta
from typing import Any

from celery import Task, shared_task

from media_pipeline.base import ProviderError
from media_pipeline.retry import backoff_delay
from storyboards import services

QUEUE = "io"
MAX_RETRIES = 3
SOFT_TIME_LIMIT = 300
TIME_LIMIT = 330
# Past the hard limit plus the retries' waits, a board still in flight has lost its job.
STUCK_AFTER = timedelta(minutes=15)


class MoodTask(Task):
    """Fails the job's boards when it ends unexpectedly (a bug, a time limit), so none spins forever."""

    def on_failure(
        self, exc: Exception, task_id: str, args: tuple, kwargs: dict, einfo: Any
    ) -> None:
        mood_ids = kwargs.get("mood_ids") or [kwargs["mood_id"]]
        services.mood_fail(mood_ids=mood_ids, message=services.UNEXPECTED_MESSAGE)


MOOD_TASK_OPTIONS = {
    "bind": True,
    "base": MoodTask,
    "queue": QUEUE,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "soft_time_limit": SOFT_TIME_LIMIT,
    "time_limit": TIME_LIMIT,
    "max_retries": MAX_RETRIES,
}


@shared_task(**MOOD_TASK_OPTIONS)
def mood_plan_task(self: Task, *, mood_ids: list[int]) -> None:
    try:
        services.mood_plan(mood_ids=mood_ids)
    except ProviderError as error:
        if not _retryable(self, error):
            services.mood_fail(mood_ids=mood_ids, message=error.message)
            return
        raise _retry(self, error) from error


@shared_task(**MOOD_TASK_OPTIONS)
def mood_images_task(self: Task, *, mood_id: int) -> None:
    mood = services.mood_claim(mood_id=mood_id)
    if mood is None:
        return
    try:
        services.mood_render_images(mood=mood)
    except ProviderError as error:
        if not _retryable(self, error):
            services.mood_fail(mood_ids=[mood_id], message=error.message)
            return
        services.mood_requeue(mood=mood)
        raise _retry(self, error) from error


@shared_task(queue=QUEUE, acks_late=True)
def mood_sweep_stuck_task() -> int:
    return services.mood_sweep_stuck(older_than=STUCK_AFTER)


def _retryable(task: Task, error: ProviderError) -> bool:
    return not error.permanent and task.request.retries < MAX_RETRIES


def _retry(task: Task, error: ProviderError) -> Exception:
    countdown = backoff_delay(task.request.retries, retry_after=error.retry_after)
    return task.retry(exc=error, countdown=countdown)
