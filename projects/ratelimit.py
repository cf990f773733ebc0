"""Per-user limits on generation requests, counted in Redis so every web process shares them."""

import time

from django.conf import settings
from django.core.cache import cache


class RateLimited(Exception):
    def __init__(self, retry_in: int) -> None:
        super().__init__(f"You're going a little fast. Try again in {retry_in} seconds.")
        self.retry_in = retry_in


def rate_limit_hit(*, user_id: int, bucket: str) -> None:
    """Count one request in `bucket` (a key of settings.RATE_LIMITS); raise RateLimited past the limit."""
    limit, window = settings.RATE_LIMITS[bucket]
    window_start = int(time.time()) // window * window
    key = f"ratelimit:{bucket}:{user_id}:{window_start}"
    cache.add(key, 0, timeout=window + 1)
    if cache.incr(key) > limit:
        raise RateLimited(retry_in=max(1, window_start + window - int(time.time())))
