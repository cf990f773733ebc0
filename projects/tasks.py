"""The brief conversation's background work: stream the assistant's reply, then update the brief.

The sweep (every minute, from CELERY_BEAT_SCHEDULE) is the last resort for a reply whose job
was lost; a job whose worker died is normally picked up again by its redelivery.
"""

from datetime import timedelta

from celery import shared_task

from media_pipeline.jobs import provider_job, waiting_too_long
from projects import product_generation, replies

# Past the lease and every retry's wait, a reply still in flight has lost its job.
STUCK_AFTER = timedelta(minutes=10)


@provider_job(
    queue="io",
    fail=replies.chat_reply_fail,
    requeue=replies.chat_reply_requeue,
    soft_time_limit=replies.REPLY_SECONDS,
)
def chat_reply_answer_task(*, message_id: int) -> None:
    replies.chat_reply_answer(message_id=message_id)


@shared_task(queue="io")
def chat_reply_sweep_task() -> int:
    """Fail what is stuck past every lease and retry; enqueue again what may have lost its job."""
    failed = replies.chat_reply_sweep_stuck(older_than=STUCK_AFTER)
    for message_id in replies.chat_replies_waiting(older_than=waiting_too_long()):
        chat_reply_answer_task.delay(message_id=message_id)
    return failed


# A cutout is a provider call (Replicate) or a second of CPU (GrabCut): `io` either way, since
# the local one is short and the pool would otherwise wait on the remote one.
@provider_job(
    queue="io",
    fail=product_generation.product_image_cutout_fail,
    requeue=product_generation.product_image_cutout_requeue,
    renew=product_generation.product_image_cutout_renew,
)
def product_image_cutout_task(*, image_id: int) -> None:
    product_generation.product_image_cutout(image_id=image_id)


@shared_task(queue="io")
def product_image_sweep_task() -> int:
    return product_generation.product_image_sweep_stuck(older_than=STUCK_AFTER)
