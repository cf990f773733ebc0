"""Starting, cancelling and retrying a product's 3D capture."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from media_pipeline.budgets import spend_check
from media_pipeline.estimates import estimate
from media_pipeline.registry import providers
from media_pipeline.states import transition
from nerf import tasks
from nerf.capture import capture_push
from nerf.models import IN_FLIGHT, NERF_STATES, NerfJob
from projects.models import Product
from projects.ratelimit import rate_limit_hit


class CaptureError(Exception):
    """A capture the product's state does not allow; the message says what to do instead."""


@transaction.atomic
def capture_start(*, product: Product, user: AbstractBaseUser) -> NerfJob:
    Product.objects.select_for_update().filter(pk=product.pk).first()
    photos = list(product.images.order_by("position", "id"))
    if len(photos) < settings.CAPTURE_MIN_PHOTOS:
        raise CaptureError(
            f"A 3D capture needs at least {settings.CAPTURE_MIN_PHOTOS} photos taken all "
            f"around the product (this one has {len(photos)}). Add photos every 15 to 30 "
            "degrees, each overlapping the next."
        )
    if product.nerf_jobs.filter(status__in=IN_FLIGHT).exists():
        raise CaptureError("A capture of this product is already running.")
    rate_limit_hit(user_id=user.pk, bucket="generation")
    spend_check(user_id=product.owner_id, estimate=estimate("capture").cost)
    job = NerfJob.objects.create(
        product=product,
        backend_label=providers["capture"].label,
        photos=[{"id": photo.pk, "image": photo.image.name} for photo in photos],
        state={"key": f"capture-{uuid.uuid4().hex}"},
    )
    tasks.capture_stage_enqueue(job_id=job.pk)
    transaction.on_commit(capture_push(job.pk))
    return job


@transaction.atomic
def capture_cancel(*, job: NerfJob) -> None:
    """Stop the capture; a stage running on Modal is cancelled there too."""
    rows = NerfJob.objects.filter(pk=job.pk)
    call_id = rows.values_list("remote_call_id", flat=True).first() or ""
    if not transition(
        rows,
        NERF_STATES,
        to=NerfJob.Status.CANCELLED,
        sources=list(IN_FLIGHT),
        on_commit=capture_push(job.pk),
    ):
        raise CaptureError("This capture is not running.")
    if call_id:
        transaction.on_commit(lambda: providers["capture"].cancel(call_id=call_id))


@transaction.atomic
def capture_retry(*, job: NerfJob) -> None:
    """Run the failed or cancelled stage again (earlier stages' results are kept)."""
    rows = NerfJob.objects.filter(pk=job.pk)
    moved = transition(
        rows,
        NERF_STATES,
        to=NerfJob.Status.PENDING,
        sources=[NerfJob.Status.ERROR, NerfJob.Status.CANCELLED],
        remote_call_id="",
        error="",
        progress=0,
        on_commit=capture_push(job.pk),
    )
    if not moved:
        raise CaptureError("Only a failed or cancelled capture can be started again.")
    tasks.capture_stage_enqueue(job_id=job.pk)
