"""Per-call deadlines: every wait inside a provider call ends by the call's deadline.

Celery's time limits do not reach the `io` worker's thread pool, so a provider call
bounds itself. The backend opens a deadline around each public call; its sleeps,
polls and HTTP timeouts ask the active deadline how long they may take:

    with deadlines.within(Deadline(300, provider="Replicate")):
        ...
        deadlines.current().sleep(poll_interval)   # cut short at the deadline
        deadlines.current().check()                # DeadlineExceeded once it has passed
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from media_pipeline.base import ProviderError
from media_pipeline.heartbeat import heartbeat

MIN_TIMEOUT_SECONDS = 0.001  # httpx reads 0 as "fail at once" and None as "wait forever"


class DeadlineExceeded(ProviderError):
    """The call ran out of time; retryable, since the next attempt starts a fresh deadline."""

    def __init__(self, provider: str, seconds: float, *, retry_after: float | None = None) -> None:
        super().__init__(
            f"{provider} did not finish within {seconds:g} s; trying again.",
            permanent=False,
            retry_after=retry_after,
        )


class Deadline:
    def __init__(self, seconds: float, *, provider: str) -> None:
        self.seconds = seconds
        self.provider = provider
        self._ends = time.monotonic() + seconds

    def remaining(self) -> float:
        return max(0.0, self._ends - time.monotonic())

    def allows(self, seconds: float) -> bool:
        """True when a wait of `seconds` would end before the deadline."""
        return seconds < self.remaining()

    def check(self) -> None:
        if self.remaining() <= 0:
            raise self.exceeded()

    def exceeded(self, *, retry_after: float | None = None) -> DeadlineExceeded:
        return DeadlineExceeded(self.provider, self.seconds, retry_after=retry_after)

    def sleep(self, seconds: float) -> None:
        """Sleep `seconds`, cut short at the deadline; a waiting job's lease stays renewed."""
        heartbeat()
        time.sleep(min(seconds, self.remaining()))

    def timeout(self, limit: float) -> float:
        """An HTTP timeout of at most `limit` that still ends by the deadline."""
        return max(MIN_TIMEOUT_SECONDS, min(limit, self.remaining()))


_current: ContextVar[Deadline | None] = ContextVar("media_pipeline_deadline", default=None)


@contextmanager
def within(deadline: Deadline) -> Iterator[Deadline]:
    """Make `deadline` the active one for the block (nested blocks replace it)."""
    token = _current.set(deadline)
    try:
        yield deadline
    finally:
        _current.reset(token)


def active() -> Deadline | None:
    return _current.get()


def current() -> Deadline:
    deadline = _current.get()
    if deadline is None:
        raise RuntimeError("No deadline is active; open one with deadlines.within().")
    return deadline
