"""Latency of a live push: publish() in a worker → partial received by a connected page.

    .venv/bin/python bench/live_push.py [--count 200]

Uses the real Redis channel layer (REDIS_URL, default redis://127.0.0.1:6379/0) and the real
consumer; the database is a throw-away SQLite file. Prints the median and 95th percentile.
"""

import argparse
import atexit
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
DATABASE_FILE = Path(tempfile.gettempdir()) / f"reelsmith-bench-{uuid.uuid4().hex}.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{DATABASE_FILE}"
atexit.register(
    lambda: [
        path.unlink(missing_ok=True) for path in DATABASE_FILE.parent.glob(f"{DATABASE_FILE.name}*")
    ]
)
os.environ["CHANNEL_PREFIX"] = f"bench-{uuid.uuid4().hex}"

import django  # noqa: E402

django.setup()

from asgiref.sync import async_to_sync, sync_to_async  # noqa: E402
from channels.testing import WebsocketCommunicator  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

import live  # noqa: E402
from config.asgi import application  # noqa: E402
from tests.factories import ProjectFactory  # noqa: E402


def session_headers(user) -> list[tuple[bytes, bytes]]:
    client = Client()
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return [(b"origin", b"http://localhost"), (b"cookie", cookie.encode())]


async def measure(project, headers, count: int) -> list[float]:
    path = f"/ws/projects/{project.pk}/?page=brief"
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    await communicator.receive_from(timeout=5)  # the snapshot
    timings = []
    for n in range(count):
        started = time.perf_counter()
        await sync_to_async(live.publish_append)(project.pk, "target", f"token {n} ", page="brief")
        await communicator.receive_from(timeout=5)
        timings.append(time.perf_counter() - started)
    await communicator.disconnect()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=200)
    count = parser.parse_args().count
    call_command("migrate", verbosity=0)
    project = ProjectFactory()
    timings = async_to_sync(measure)(project, session_headers(project.owner), count)
    milliseconds = sorted(t * 1000 for t in timings)
    p95 = milliseconds[int(len(milliseconds) * 0.95) - 1]
    print(
        f"live push over Redis, {count} appends: median {statistics.median(milliseconds):.2f} ms, p95 {p95:.2f} ms"
    )


if __name__ == "__main__":
    main()
