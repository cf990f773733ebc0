"""How long to wait before retrying a transient provider fault (used as a Celery countdown)."""

import random

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
