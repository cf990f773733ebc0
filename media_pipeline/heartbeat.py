"""A running job's heartbeat: long provider waits renew the lease of the artifact being made.

    with beating(lambda: renew_my_lease()):      # around a job's body (media_pipeline.jobs)
        ...
        heartbeat()                              # from any wait (Deadline.sleep does it)

A lease then stays short (JOB_LEASE_SECONDS) however long a provider takes, so a job whose
worker died is picked up again soon, while a live one is never claimed twice.
"""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# Often enough that a lease several times this long never runs out under a live job.
HEARTBEAT_SECONDS = 20.0

_renew: ContextVar[Callable[[], object] | None] = ContextVar("job_heartbeat", default=None)
_last_beat: ContextVar[float] = ContextVar("job_last_beat", default=0.0)


@contextmanager
def beating(renew: Callable[[], object]) -> Iterator[None]:
    renew_token = _renew.set(renew)
    beat_token = _last_beat.set(time.monotonic())
    try:
        yield
    finally:
        _renew.reset(renew_token)
        _last_beat.reset(beat_token)


def heartbeat() -> None:
    """Renew the current job's lease, at most once per HEARTBEAT_SECONDS; nothing outside a job."""
    renew = _renew.get()
    if renew is None or time.monotonic() - _last_beat.get() < HEARTBEAT_SECONDS:
        return
    _last_beat.set(time.monotonic())
    renew()
