"""Mood board and scene jobs: thin wrappers around storyboards.generation and scene_generation.

Moods: one plan job per batch (one text call, so the boards are distinct), then one job per
image, so every image of every board is drawn in parallel while workers are free, and a failing
image fails its own board only.

Scenes: one plan job per storyboard, then one job per artifact of a scene (a rewrite, an image,
a clip), so the images of different scenes are drawn in parallel and so are their clips. Text
and images wait on the network (`io`); a clip made by FFmpeg on this machine is CPU work for the
`media` queue, one made by a remote model waits on the network like an image (`scene_video_queue`).

Retries, failures and leases are the base job's (media_pipeline.jobs). The sweeps run every
minute from Celery beat (CELERY_BEAT_SCHEDULE in config/settings.py); they are the last resort,
for jobs lost past their lease and every retry.
"""

from datetime import timedelta

from celery import shared_task

from media_pipeline.jobs import enqueue_on_commit, provider_job, waiting_too_long
from media_pipeline.registry import providers
from storyboards import composing, generation, placement_work, scene_generation

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


@shared_task(queue="io")
def scene_sweep_task() -> int:
    """Fail what is stuck past every lease and retry; enqueue again what may have lost its job."""
    failed = scene_generation.scene_sweep_stuck(older_than=STUCK_AFTER)
    waiting = scene_generation.scene_waiting_jobs(older_than=waiting_too_long())
    for storyboard_id in waiting.plans:
        storyboard_plan_task.delay(storyboard_id=storyboard_id)
    for scene_id in waiting.images:
        scene_image_draw_task.delay(scene_id=scene_id)
    for scene_id in waiting.videos:
        scene_video_animate_task.apply_async(
            kwargs={"scene_id": scene_id}, queue=scene_video_queue()
        )
    return failed


@provider_job(queue="io", fail=scene_generation.storyboard_plan_fail)
def storyboard_plan_task(*, storyboard_id: int) -> None:
    scene_generation.storyboard_plan(storyboard_id=storyboard_id)


@provider_job(
    queue="io",
    fail=scene_generation.scene_text_fail,
    requeue=scene_generation.scene_text_requeue,
    renew=scene_generation.scene_renew,
)
def scene_text_rewrite_task(*, scene_id: int, instruction: str) -> None:
    scene_generation.scene_text_rewrite(scene_id=scene_id, instruction=instruction)


@provider_job(
    queue="io",
    fail=scene_generation.scene_image_fail,
    requeue=scene_generation.scene_image_requeue,
    renew=scene_generation.scene_renew,
)
def scene_image_draw_task(*, scene_id: int) -> None:
    scene_generation.scene_image_draw(scene_id=scene_id)


@provider_job(
    queue="media",
    fail=scene_generation.scene_video_fail,
    requeue=scene_generation.scene_video_requeue,
    renew=scene_generation.scene_renew,
)
def scene_video_animate_task(*, scene_id: int) -> None:
    scene_generation.scene_video_animate(scene_id=scene_id)


# A remote model (FLUX Kontext) or Pillow plus the fidelity check (about a second of CPU): `io`.
@provider_job(
    queue="io",
    fail=scene_generation.scene_image_fail,
    requeue=scene_generation.scene_image_requeue,
    renew=scene_generation.scene_renew,
)
def scene_product_place_task(*, scene_id: int) -> None:
    placement_work.scene_product_place(scene_id=scene_id)


def scene_video_queue() -> str:
    """`media` when this machine makes the clips (FFmpeg), `io` when a remote model does."""
    return "media" if getattr(providers["video"], "runs_locally", False) else "io"


def scene_video_enqueue_on_commit(*, scene_id: int) -> None:
    enqueue_on_commit(scene_video_animate_task, queue=scene_video_queue(), scene_id=scene_id)


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
