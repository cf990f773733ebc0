"""Replicate webhooks: verify a delivery and hand it to the worker waiting on that prediction.

The web process receives the POST; the worker that created the prediction blocks on a Redis
list keyed by the prediction id. The two share nothing else, so they may run on other hosts.
Signatures follow the Standard Webhooks scheme (docs/providers.md, Webhooks).
"""

import json
import logging
import time
from collections.abc import Mapping
from functools import cache
from typing import Any

import redis
from django.conf import settings
from replicate.webhook import Webhooks, WebhookSigningSecret

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/replicate/"
TOLERANCE_SECONDS = 300
DELIVERY_TTL_SECONDS = 900
KEY_PREFIX = "media_pipeline:replicate"
# A prediction object is a few kilobytes and a few levels deep; anything far beyond that is
# not one. Deep nesting would also exhaust the JSON parser's recursion (a 500, not a 400).
MAX_BODY_BYTES = 1024 * 1024
MAX_DEPTH = 32


def webhook_url() -> str | None:
    """Where Replicate should call back, or None to poll instead.

    Both a public URL and the signing secret are needed: without the secret every
    delivery would be rejected, and the worker would only learn the result by polling.
    """
    if settings.PUBLIC_BASE_URL and settings.REPLICATE_WEBHOOK_SECRET:
        return f"{settings.PUBLIC_BASE_URL}{WEBHOOK_PATH}"
    return None


def verify(headers: Mapping[str, str], body: bytes) -> bool:
    """True when the delivery is signed with REPLICATE_WEBHOOK_SECRET and is recent."""
    secret = settings.REPLICATE_WEBHOOK_SECRET
    if not secret:
        logger.error("Rejected a Replicate webhook: REPLICATE_WEBHOOK_SECRET is not set.")
        return False
    try:
        Webhooks.validate(
            headers=dict(headers),
            body=body.decode(),
            secret=WebhookSigningSecret(key=secret),
            tolerance=TOLERANCE_SECONDS,
        )
    except ValueError as error:
        # Only the class name: some of these messages quote the secret.
        logger.warning("Rejected a Replicate webhook: %s", type(error).__name__)
        return False
    return True


def parse_prediction(body: bytes) -> dict[str, Any] | None:
    """The prediction object a delivery carries, or None if it is not one."""
    if len(body) > MAX_BODY_BYTES:
        return None
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("id"), str):
        return None
    return payload if _depth(payload) <= MAX_DEPTH else None


def _depth(value: Any) -> int:
    """How deeply lists and objects nest in `value`, walked without recursion."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth)
            pending.extend((child, depth + 1) for child in item)
    return deepest


def deliver_prediction(payload: dict[str, Any]) -> bool:
    """Queue a verified delivery for the worker waiting on it; False if it came already.

    Replicate retries deliveries, so each (prediction, status) is queued once.
    """
    prediction_id = payload["id"]
    client = _redis(settings.REDIS_URL)
    seen_key = f"{KEY_PREFIX}:seen:{prediction_id}:{payload.get('status')}"
    if not client.set(seen_key, 1, nx=True, ex=DELIVERY_TTL_SECONDS):
        return False
    key = _queue_key(prediction_id)
    client.pipeline().rpush(key, json.dumps(payload)).expire(key, DELIVERY_TTL_SECONDS).execute()
    logger.info("Replicate prediction %s delivered (%s)", prediction_id, payload.get("status"))
    return True


def wait_for_prediction(prediction_id: str, timeout: float) -> dict[str, Any] | None:
    """The next delivery for the prediction, or None after `timeout` seconds.

    If Redis cannot be reached this waits out the timeout and returns None, so the
    caller's poll of the API still finds the result.
    """
    if timeout <= 0:
        return None  # BLPOP with 0 would block forever
    try:
        item = _redis(settings.REDIS_URL).blpop([_queue_key(prediction_id)], timeout=timeout)
    except redis.RedisError:
        logger.warning("Could not wait on Redis for prediction %s; polling instead.", prediction_id)
        time.sleep(timeout)
        return None
    return json.loads(item[1]) if item else None


def _queue_key(prediction_id: str) -> str:
    return f"{KEY_PREFIX}:prediction:{prediction_id}"


@cache
def _redis(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)
