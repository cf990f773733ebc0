"""The capture's jobs: one delivery per stage, each enqueueing the next.

Offline (pycolmap, FFmpeg) the stages are CPU work for the `media` queue; on Modal they wait on
the network, so they go to `io`. A stage may take an hour on Modal: its soft limit is the
longest stage deadline, and its lease is renewed by every poll (media_pipeline.heartbeat).
"""

from datetime import timedelta

from celery import shared_task

from media_pipeline.jobs import enqueue_on_commit, provider_job
from media_pipeline.registry import providers
from nerf import capture

STAGE_SECONDS = 2 * 3600
STUCK_AFTER = timedelta(seconds=STAGE_SECONDS + 600)


def capture_queue() -> str:
    return "media" if getattr(providers["capture"], "runs_locally", False) else "io"


@provider_job(
    queue="media",
    fail=capture.capture_fail,
    requeue=capture.capture_requeue,
    renew=capture.capture_renew,
    soft_time_limit=STAGE_SECONDS,
)
def capture_stage_task(*, job_id: int) -> None:
    if capture.capture_stage_run(job_id=job_id):
        capture_stage_enqueue(job_id=job_id)


def capture_stage_enqueue(*, job_id: int) -> None:
    enqueue_on_commit(capture_stage_task, queue=capture_queue(), job_id=job_id)


@shared_task(queue="io")
def capture_sweep_task() -> int:
    return capture.capture_sweep_stuck(older_than=STUCK_AFTER)
