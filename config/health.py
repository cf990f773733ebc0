"""Liveness of the parts the app needs: database, Redis and at least one worker."""

from collections.abc import Callable

import redis
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app

CHECK_TIMEOUT_SECONDS = 1.0


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_redis() -> None:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=CHECK_TIMEOUT_SECONDS)
    try:
        client.ping()
    finally:
        client.close()


def check_worker() -> None:
    replies = celery_app.control.ping(timeout=CHECK_TIMEOUT_SECONDS)
    if not replies:
        raise RuntimeError("no Celery worker answered; `make run` starts them (see README)")


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
