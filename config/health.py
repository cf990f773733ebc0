"""Liveness of the parts the app needs: database, Redis and at least one worker.

The worker ping is the slow check (a broadcast that waits for an answer), so its result is
kept for WORKER_PING_CACHE_SECONDS in each web process: /health answers in milliseconds
however often a load balancer asks.
"""

import threading
import time
from collections.abc import Callable

import redis
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app

CHECK_TIMEOUT_SECONDS = 1.0
WORKER_PING_CACHE_SECONDS = 10.0

_worker_ping: dict[str, object] = {"at": float("-inf"), "error": None}
_worker_ping_lock = threading.Lock()


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_redis() -> None:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=CHECK_TIMEOUT_SECONDS)
    try:
        client.ping()
    finally:
        client.close()


def ping_workers() -> None:
    # limit=1: the first answer is enough; without it the broadcast waits out the timeout.
    replies = celery_app.control.ping(timeout=CHECK_TIMEOUT_SECONDS, limit=1)
    if not replies:
        raise RuntimeError("no Celery worker answered; `make run` starts them (see README)")


def check_worker() -> None:
    """ping_workers, or its outcome from the last WORKER_PING_CACHE_SECONDS."""
    with _worker_ping_lock:
        if time.monotonic() - _worker_ping["at"] >= WORKER_PING_CACHE_SECONDS:
            try:
                ping_workers()
            except Exception as exc:  # remembered and raised again below
                _worker_ping["error"] = exc
            else:
                _worker_ping["error"] = None
            _worker_ping["at"] = time.monotonic()
        error = _worker_ping["error"]
    if error is not None:
        raise error


def forget_worker_ping() -> None:
    _worker_ping["at"] = float("-inf")


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "redis": check_redis,
    "worker": check_worker,
}


def run_checks() -> dict[str, dict[str, str]]:
    """Each part as {"status": "up"} or {"status": "down", "error": "..."}."""
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:  # any failure means the part is down; say why
            results[name] = {"status": "down", "error": str(exc) or type(exc).__name__}
        else:
            results[name] = {"status": "up"}
    return results
