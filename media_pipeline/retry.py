"""How long to wait before retrying a transient provider fault (used as a Celery countdown)."""

import random
from collections.abc import Mapping
from email.utils import parsedate_to_datetime

from django.utils import timezone

MAX_EXPONENT = 32


def backoff_delay(
    attempt: int, *, retry_after: float | None = None, base: float = 2.0, cap: float = 300.0
) -> float:
    """Seconds to wait before retry number `attempt` (0 for the first retry).

    Full jitter (a uniform draw up to the exponential ceiling) spreads retries from many
    workers apart; a provider's Retry-After is a floor, since retrying earlier is refused.
    """
    ceiling = min(cap, base * 2 ** min(max(attempt, 0), MAX_EXPONENT))
    delay = random.uniform(0, ceiling)
    if retry_after is not None and retry_after > delay:
        return float(retry_after)
    return delay


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """The wait a server asks for: `retry-after-ms`, else `retry-after` (seconds or an HTTP date)."""
    if milliseconds := _number(headers.get("retry-after-ms")):
        return milliseconds / 1000
    value = (headers.get("retry-after") or "").strip()
    if not value:
        return None
    seconds = _number(value)
    if seconds is not None:
        return seconds
    try:
        return max(0.0, (parsedate_to_datetime(value) - timezone.now()).total_seconds())
    except (TypeError, ValueError):
        return None


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None
