"""The cutout job's work: claim the photo, ask the cutout backend, store the RGBA PNG or fail.

The claim is a lease (media_pipeline.states.claim), so a redelivered job whose worker died takes
the photo over, and a second delivery of a live one waits.
"""

from datetime import timedelta

from django.utils import timezone

from media_pipeline.jobs import job_lease
from media_pipeline.metering import usage_context
from media_pipeline.registry import providers
from media_pipeline.states import claim, renew, transition
from projects.models import CUTOUT_STATES, CutoutStatus, ProductImage

ERROR_LENGTH = ProductImage._meta.get_field("cutout_error").max_length
STUCK_MESSAGE = "The cutout took too long. Try again."


def product_image_cutout(*, image_id: int) -> None:
    rows = ProductImage.objects.filter(pk=image_id)
    claimed = claim(
        rows,
        CUTOUT_STATES,
        waiting=CutoutStatus.QUEUED,
        running=CutoutStatus.RUNNING,
        lease=job_lease(),
    )
    if not claimed:
        return
    image = rows.select_related("product").get()
    with usage_context(user_id=image.product.owner_id, subject=f"product:{image.product_id}"):
        media = providers["cutout"].cutout(image_path=image.image.name)
    transition(
        rows,
        CUTOUT_STATES,
        to=CutoutStatus.DONE,
        sources=[CutoutStatus.RUNNING],
        cutout=media.path,
        cutout_error="",
    )


def product_image_cutout_requeue(*, image_id: int) -> None:
    transition(
        ProductImage.objects.filter(pk=image_id),
        CUTOUT_STATES,
        to=CutoutStatus.QUEUED,
        sources=[CutoutStatus.RUNNING],
    )


def product_image_cutout_fail(*, image_id: int, message: str) -> None:
    transition(
        ProductImage.objects.filter(pk=image_id),
        CUTOUT_STATES,
        to=CutoutStatus.FAILED,
        sources=[CutoutStatus.QUEUED, CutoutStatus.RUNNING],
        cutout_error=message[:ERROR_LENGTH],
    )


def product_image_cutout_renew(*, image_id: int) -> None:
    renew(ProductImage.objects.filter(pk=image_id), CUTOUT_STATES, running=CutoutStatus.RUNNING)


def product_image_sweep_stuck(*, older_than: timedelta) -> int:
    """The last resort: fail cutouts in flight past every lease and retry."""
    stuck = ProductImage.objects.filter(
        cutout_status__in=[CutoutStatus.QUEUED, CutoutStatus.RUNNING],
        status_changed_at__lt=timezone.now() - older_than,
    )
    ids = list(stuck.values_list("pk", flat=True))
    for image_id in ids:
        product_image_cutout_fail(image_id=image_id, message=STUCK_MESSAGE)
    return len(ids)
