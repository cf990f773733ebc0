"""The brief conversation's background work: stream the assistant's reply, then update the brief."""

import logging
from datetime import timedelta

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded

from media_pipeline.base import ProviderError
from media_pipeline.metering import usage_context
from media_pipeline.retry import backoff_delay
from projects import services

logger = logging.getLogger(__name__)
MAX_RETRIES = 3
TOO_SLOW = "The assistant took too long to answer. Try again."
# Past the task's hard limit plus the longest retry wait, a reply that still waits is lost.
STUCK_AFTER = timedelta(minutes=10)
CRASHED = "Something went wrong while answering. Try again."


class ChatReplyTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        services.chat_reply_fail(message_id=args[0], error=CRASHED)


@shared_task(
    bind=True,
    base=ChatReplyTask,
    queue="io",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=180,
    time_limit=210,
    max_retries=MAX_RETRIES,
)
def chat_reply(self, message_id: int) -> None:
    message = services.chat_reply_start(message_id=message_id)
    if message is None:
        return  # already answered, or another worker has it
    project = message.project
    try:
        with usage_context(user_id=project.owner_id, subject=f"project:{project.pk}"):
            services.chat_reply_stream(message=message)
            services.brief_refresh_from_chat(project=project)
    except ProviderError as error:
        if error.permanent or self.request.retries >= MAX_RETRIES:
            services.chat_reply_fail(message_id=message.pk, error=error.message)
            return
        logger.info("chat reply %s: transient error, retrying: %s", message.pk, error.message)
        services.chat_reply_requeue(message=message)
        delay = backoff_delay(self.request.retries, retry_after=error.retry_after)
        raise self.retry(countdown=delay, exc=error) from error
    except SoftTimeLimitExceeded:
        services.chat_reply_fail(message_id=message.pk, error=TOO_SLOW)


@shared_task(queue="io")
def sweep_stuck_replies() -> int:
    return services.chat_reply_sweep_stuck(older_than=STUCK_AFTER)
