"""Mood board jobs on the `io` queue: thin wrappers around storyboards.generation.

One plan job per batch (one text call, so the boards are distinct), then one job per image,
so every image of every board is drawn in parallel while workers are free, and a failing
image fails its own board only. Retries, failures and leases are the base job's
(media_pipeline.jobs).

The sweep runs every minute from Celery beat (CELERY_BEAT_SCHEDULE in config/settings.py); it is
the last resort, for jobs lost past their lease and every retry.
"""

from datetime import timedelta

from celery import shared_task

from media_pipeline.jobs import provider_job, waiting_too_long
from storyboards import composing, generation

# Past the lease and every retry's wait, an artifact still in flight has lost its job.
STUCK_AFTER = timedelta(minutes=15)


@provider_job(queue="io", fail=generation.mood_plan_fail)
def mood_plan_task(*, mood_ids: list[int]) -> None:
    for image_id in generation.mood_plan(mood_ids=mood_ids):
        mood_image_draw_task.delay(mood_image_id=image_id)


@provider_job(
    queue="io",
    fail=generation.mood_image_fail,
    requeue=generation.mood_image_requeue,
    renew=generation.mood_image_renew,
)
def mood_image_draw_task(*, mood_image_id: int) -> None:
    generation.mood_image_draw(mood_image_id=mood_image_id)


@shared_task(queue="io")
def mood_sweep_task() -> int:
    """Fail what is stuck past every lease and retry; enqueue again what may have lost its job."""
    failed = generation.mood_sweep_stuck(older_than=STUCK_AFTER)
    plans, images = generation.mood_waiting_jobs(older_than=waiting_too_long())
    for mood_id in plans:
        mood_plan_task.delay(mood_ids=[mood_id])
    for image_id in images:
        mood_image_draw_task.delay(mood_image_id=image_id)
    return failed


# The film is FFmpeg work on this machine (`media` queue); it may take minutes, so it has its own
# soft limit and holds a short lease that its progress renews (storyboards.composing).
@provider_job(
    queue="media",
    fail=composing.composition_fail,
    requeue=composing.composition_requeue,
    renew=composing.composition_renew,
    soft_time_limit=composing.COMPOSE_SECONDS,
)
def composition_render_task(*, composition_id: int) -> None:
    composing.composition_render(composition_id=composition_id)
