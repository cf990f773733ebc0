"""Per-user limits on requests, counted in Redis so every web process shares them.

Each bucket is a sliding window: a sorted set of the accepted requests' times, trimmed to the
last `window` seconds and counted in one Lua script (atomic, one round trip). A fixed window
would let a user send twice the limit across a window's edge.

If Redis cannot be reached the request goes through: a limit is a guard against floods, not
a reason to refuse the user while a dependency is down.
"""

import logging
import time
import uuid

import redis
from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

# KEYS[1] the bucket's set; ARGV now (ms), window (ms), limit, a unique member.
# Returns 0 when the request is counted, else the milliseconds until the oldest one leaves.
SLIDING_WINDOW_SCRIPT = """
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2]
  return math.max(1, (tonumber(oldest) or now) + window - now)
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], window)
return 0
"""
UNREACHABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


class RateLimited(Exception):
    def __init__(self, retry_in: int) -> None:
        super().__init__(f"You're going a little fast. Try again in {retry_in} seconds.")
        self.retry_in = retry_in


def rate_limit_hit(*, user_id: int, bucket: str) -> None:
    """Count one request in `bucket` (a key of settings.RATE_LIMITS); raise RateLimited past the limit."""
    limit, window = settings.RATE_LIMITS[bucket]
    key = cache.make_and_validate_key(f"ratelimit:{bucket}:{user_id}")
    try:
        wait_ms = _client().eval(
            SLIDING_WINDOW_SCRIPT,
            1,
            key,
            int(time.time() * 1000),
            window * 1000,
            limit,
            uuid.uuid4().hex,
        )
    except UNREACHABLE as error:
        logger.warning("Rate limit %s not checked for user %s: %s", bucket, user_id, error)
        return
    if wait_ms:
        raise RateLimited(retry_in=-(-wait_ms // 1000))


def _client() -> redis.Redis:
    """The cache's own Redis client: the same server, pool and timeouts as the cache."""
    return cache._cache.get_client(write=True)
