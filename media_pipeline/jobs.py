"""The one base for Celery jobs that call a provider: retry or fail, time limits, leases.

    @provider_job(queue="io", fail=mood_image_fail, requeue=mood_image_requeue,
                  renew=mood_image_renew)
    def mood_image_draw_task(*, mood_image_id: int) -> None:
        services.mood_image_draw(mood_image_id=mood_image_id)

The job body claims its artifact (queued → running, or running whose lease ran out), does the
work and finishes it. Around it, the base decides once for every job:

- a transient `ProviderError` puts the artifact back (`requeue`) and retries with backoff,
  honouring the provider's Retry-After, up to `max_retries`;
- a permanent one, or one past the retries, fails the artifact with the provider's message;
- the soft time limit and any unexpected exception fail it with a message offering a retry;
- `LeaseHeld` (the artifact is running under another delivery of the job whose lease is still
  live) schedules this delivery again for when the lease runs out;
- `renew` keeps the lease alive while the body waits on a provider (media_pipeline.heartbeat),
  so a lease is short (JOB_LEASE_SECONDS) however long the provider takes.

Deliveries: jobs are `acks_late` with `reject_on_worker_lost`, so a job whose worker died is
delivered again (at once when a prefork child dies; after the broker's visibility timeout when
a whole worker dies). Every countdown stays below that timeout, or the broker would deliver the
waiting job twice.
"""

from collections.abc import Callable
from contextlib import nullcontext
from datetime import timedelta
from functools import partial, wraps
from typing import Any

import kombu.exceptions
import redis
from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction

from media_pipeline.base import ProviderError
from media_pipeline.heartbeat import beating
from media_pipeline.retry import backoff_delay
from media_pipeline.states import LeaseHeld

# Redis (cache, channel layer) or the broker out of reach: the request cannot be served now,
# but may be in a moment (config.middleware and the API answer 503 with Retry-After).
BACKEND_DOWN_ERRORS = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    kombu.exceptions.OperationalError,
)
MAX_RETRIES = 3
TOO_SLOW = "This took too long. Try again."
UNEXPECTED = "Something went wrong on our side. Try again."

Fail = Callable[..., None]


class ProviderJob(Task):
    abstract = True
    acks_late = True
    reject_on_worker_lost = True
    max_retries = MAX_RETRIES
    fail: Fail

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        self.fail(message=UNEXPECTED, **kwargs)


def hard_limit(soft_time_limit: int) -> int:
    """The soft limit raises inside the job so it can fail its artifact; the hard one kills it."""
    return soft_time_limit + max(1, soft_time_limit // 8)


def job_lease() -> timedelta:
    """How long a claim holds without a heartbeat: longer than any single blocking call."""
    return timedelta(seconds=settings.JOB_LEASE_SECONDS)


def enqueue_on_commit(job: Task, *, queue: str | None = None, **kwargs: Any) -> None:
    """Send `job` (to `queue`, else its own) once the transaction commits. If the broker is
    unreachable then, the error is logged and the request still succeeds: the row stays waiting
    and the beat sweep enqueues it again (`waiting_too_long`), which the job's claim makes safe."""

    def send() -> None:
        if queue:
            job.apply_async(kwargs=kwargs, queue=queue)
        else:
            job.delay(**kwargs)

    send.__qualname__ = f"enqueue {job.name}"  # what Django logs if sending fails
    transaction.on_commit(send, robust=True)


def waiting_too_long() -> timedelta:
    """Queued longer than any retry waits: the job may be lost (the broker was down at commit)."""
    return timedelta(seconds=settings.JOB_MAX_COUNTDOWN_SECONDS + 60)


def retry_countdown(attempt: int, retry_after: float | None) -> float:
    """Backoff for `attempt`, never beyond what the broker keeps invisible (see module doc)."""
    ceiling = settings.JOB_MAX_COUNTDOWN_SECONDS
    return min(ceiling, backoff_delay(attempt, retry_after=retry_after, cap=ceiling))


def provider_job(
    *,
    queue: str,
    fail: Fail,
    requeue: Callable[..., None] | None = None,
    renew: Callable[..., object] | None = None,
    soft_time_limit: int | None = None,
    max_retries: int = MAX_RETRIES,
) -> Callable[[Callable[..., Any]], Task]:
    """Make `body(**kwargs)` a provider job named after it; see the module docstring."""
    soft = soft_time_limit or settings.PROVIDER_JOB_SECONDS

    def decorator(body: Callable[..., Any]) -> Task:
        @shared_task(
            bind=True,
            base=ProviderJob,
            name=f"{body.__module__}.{body.__name__}",
            queue=queue,
            soft_time_limit=soft,
            time_limit=hard_limit(soft),
            max_retries=max_retries,
            fail=staticmethod(fail),
        )
        @wraps(body)
        def job(self: Task, **kwargs: Any) -> Any:
            try:
                with beating(partial(renew, **kwargs)) if renew else nullcontext():
                    return body(**kwargs)
            except LeaseHeld as held:
                countdown = min(held.seconds, settings.JOB_MAX_COUNTDOWN_SECONDS)
                self.apply_async(kwargs=kwargs, countdown=countdown)
            except ProviderError as error:
                if error.permanent or self.request.retries >= self.max_retries:
                    fail(message=error.message, **kwargs)
                    return None
                if requeue is not None:
                    requeue(**kwargs)
                countdown = retry_countdown(self.request.retries, error.retry_after)
                raise self.retry(countdown=countdown, exc=error) from error
            except SoftTimeLimitExceeded:
                fail(message=TOO_SLOW, **kwargs)
            return None

        return job

    return decorator
