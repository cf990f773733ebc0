"""The capture job's work: run one stage of a NerfJob through the capture backend.

Each stage is its own delivery of `capture_stage_task`: it claims the job (a lease, renewed by
every wait inside the backend), runs the stage, and either moves the job to `pending` at the
next stage (the task then enqueues it) or completes it with the turntable. The remote call id
is stored the moment a stage starts, so a redelivered job resumes that call, and the user's
Cancel reaches it. Imports go one way: services → tasks → capture.
"""

import time
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.db.models import F
from django.utils import timezone

import live
from media_pipeline.base import CapturePhoto, CaptureResult
from media_pipeline.jobs import job_lease
from media_pipeline.metering import usage_context
from media_pipeline.registry import providers
from media_pipeline.states import claim, renew, transition
from nerf.live import CAPTURE
from nerf.models import IN_FLIGHT, NERF_STATES, STAGES, NerfJob
from projects.models import ProductImage, Project

PENDING, RUNNING = NerfJob.Status.PENDING, NerfJob.Status.RUNNING
ERROR_LENGTH = NerfJob._meta.get_field("error").max_length
STUCK_MESSAGE = "The capture stopped answering. Try again."
COST_PLACES = Decimal("0.0001")


def capture_stage_run(*, job_id: int) -> bool:
    """Run the job's current stage; True when another stage is now waiting for its job."""
    rows = NerfJob.objects.filter(pk=job_id)
    if not claim(
        rows,
        NERF_STATES,
        waiting=PENDING,
        running=RUNNING,
        lease=job_lease(),
        on_commit=capture_push(job_id),
    ):
        return False
    job = rows.select_related("product").get()
    backend = providers["capture"]
    started = time.monotonic()
    with usage_context(user_id=job.product.owner_id, subject=f"capture:{job.pk}"):
        result = _run_stage(backend, job, JobHooks(job.pk))
    return _finish_stage(
        job, result, seconds=time.monotonic() - started, gpu=getattr(backend, "gpu", "")
    )


@dataclass(frozen=True)
class JobHooks:
    """What a running stage tells its job (media_pipeline.base.CaptureHooks)."""

    job_id: int

    def started(self, call_id: str) -> None:
        NerfJob.objects.filter(pk=self.job_id, status=RUNNING).update(remote_call_id=call_id)

    def progress(self, percent: int) -> None:
        rows = NerfJob.objects.filter(pk=self.job_id)
        if renew(rows, NERF_STATES, running=RUNNING, progress=max(0, min(100, percent))):
            capture_push(self.job_id)()

    def cancelled(self) -> bool:
        return NerfJob.objects.filter(pk=self.job_id, status=NerfJob.Status.CANCELLED).exists()


def _run_stage(backend, job: NerfJob, hooks: JobHooks) -> CaptureResult:
    photos = _photos(job)
    common = {"photos": photos, "state": job.state, "resume": job.remote_call_id, "hooks": hooks}
    if job.stage == NerfJob.Stage.COLMAP:
        return backend.poses(**common)
    if job.stage == NerfJob.Stage.TRAIN:
        return backend.train(**common)
    return backend.render(**common, frame_count=settings.CAPTURE_FRAME_COUNT)


def _photos(job: NerfJob) -> list[CapturePhoto]:
    """The photos the capture started with, with the cutouts they have now (made meanwhile)."""
    ids = [photo["id"] for photo in job.photos]
    cutouts = dict(ProductImage.objects.filter(pk__in=ids).values_list("pk", "cutout"))
    return [
        CapturePhoto(image_path=photo["image"], cutout_path=cutouts.get(photo["id"]) or "")
        for photo in job.photos
    ]


def _finish_stage(job: NerfJob, result: CaptureResult, *, seconds: float, gpu: str) -> bool:
    rows = NerfJob.objects.filter(pk=job.pk)
    fields = {
        "state": result.state,
        "stage_seconds": {**job.stage_seconds, job.stage: round(seconds, 1)},
        "gpu_seconds": F("gpu_seconds") + result.gpu_seconds,
        "cost_usd": F("cost_usd") + stage_cost(result.gpu_seconds, gpu),
        "remote_call_id": "",
        "error": "",
    }
    index = STAGES.index(job.stage)
    if index + 1 < len(STAGES):
        fields |= {"stage": STAGES[index + 1], "progress": 0}
        return bool(
            transition(
                rows,
                NERF_STATES,
                to=PENDING,
                sources=[RUNNING],
                on_commit=capture_push(job.pk),
                **fields,
            )
        )
    fields |= {
        "progress": 100,
        "turntable": result.clip.path if result.clip else "",
        "poster": result.poster.path if result.poster else "",
        "frames_prefix": result.frames_prefix,
        "frame_count": result.frame_count,
    }
    transition(
        rows,
        NERF_STATES,
        to=NerfJob.Status.COMPLETE,
        sources=[RUNNING],
        on_commit=capture_push(job.pk),
        **fields,
    )
    return False


def stage_cost(gpu_seconds: float, gpu: str) -> Decimal:
    """GPU seconds × Modal's price for that GPU (settings.PROVIDER_PRICES["modal"])."""
    price = settings.PROVIDER_PRICES["modal"].get(gpu, 0.0)
    return (Decimal(str(gpu_seconds)) * Decimal(str(price))).quantize(COST_PLACES)


def capture_requeue(*, job_id: int) -> None:
    transition(
        NerfJob.objects.filter(pk=job_id),
        NERF_STATES,
        to=PENDING,
        sources=[RUNNING],
        on_commit=capture_push(job_id),
    )


def capture_fail(*, job_id: int, message: str) -> None:
    transition(
        NerfJob.objects.filter(pk=job_id),
        NERF_STATES,
        to=NerfJob.Status.ERROR,
        sources=list(IN_FLIGHT),
        error=message[:ERROR_LENGTH],
        on_commit=capture_push(job_id),
    )


def capture_renew(*, job_id: int) -> None:
    renew(NerfJob.objects.filter(pk=job_id), NERF_STATES, running=RUNNING)


def capture_sweep_stuck(*, older_than: timedelta) -> int:
    stuck = NerfJob.objects.filter(
        status__in=IN_FLIGHT, status_changed_at__lt=timezone.now() - older_than
    )
    ids = list(stuck.values_list("pk", flat=True))
    for job_id in ids:
        capture_fail(job_id=job_id, message=STUCK_MESSAGE)
    return len(ids)


def capture_push(job_id: int):
    """Publish the job to every project of its owner that uses its product."""
    return partial(_publish, job_id)


def _publish(job_id: int) -> None:
    product_id = NerfJob.objects.filter(pk=job_id).values_list("product_id", flat=True).first()
    for project_id in Project.objects.filter(product_id=product_id).values_list("pk", flat=True):
        live.publish(project_id, CAPTURE, job_id)
