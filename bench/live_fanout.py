"""Fan-out of live pushes: publish() in a worker → partial received by many open pages.

    .venv/bin/python bench/live_fanout.py [--rounds 10] [--sockets 100 500]

Starts one daphne process (DEBUG off) on the real Redis channel layer (REDIS_URL, default
redis://127.0.0.1:6379/0) and a throw-away SQLite file, opens the sockets with aiohttp, and
for each size runs three scenarios: a brief-card update and a 20-message chat update with
every socket on one project, then card updates with the sockets spread over 200 projects of
which 50 change each round. Prints p50/p95/max delivery latency (publish call → frame
received by the page) and the web process's RSS. The client shares the machine's cores with
daphne, so the figures include its own time to read the frames.
"""

import argparse
import asyncio
import atexit
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
DATABASE_FILE = Path(tempfile.gettempdir()) / f"reelsmith-bench-{uuid.uuid4().hex}.sqlite3"
BENCH_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DATABASE_URL": f"sqlite:///{DATABASE_FILE}",
    "CHANNEL_PREFIX": f"bench-{uuid.uuid4().hex}",
    "DEBUG": "0",
    "SECRET_KEY": f"bench-{uuid.uuid4().hex}",
    "SECURE_SSL_REDIRECT": "0",
}
os.environ.update(BENCH_ENV)
atexit.register(
    lambda: [
        path.unlink(missing_ok=True) for path in DATABASE_FILE.parent.glob(f"{DATABASE_FILE.name}*")
    ]
)

import django  # noqa: E402

django.setup()

import aiohttp  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

import live  # noqa: E402
from projects.live import BRIEF_CARD, CHAT  # noqa: E402
from tests.factories import ProjectFactory  # noqa: E402

SPREAD_PROJECTS = 200
CHANGING_PROJECTS = 50
CHAT_MESSAGES = 20
CONNECT_BATCH = 50
TIMEOUT = 30
ROUND_GAP_SECONDS = 0.3


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_daphne(port: int) -> subprocess.Popen:
    command = [str(BASE_DIR / ".venv/bin/daphne"), "-b", "127.0.0.1", "-p", str(port)]
    web = subprocess.Popen(
        [*command, "config.asgi:application"],
        cwd=BASE_DIR,
        env={**os.environ, **BENCH_ENV},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    atexit.register(web.terminate)
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return web
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("daphne did not start")


def rss_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def make_projects() -> list[tuple[int, str]]:
    """(project id, session cookie) of 200 owners, each with a 20-message conversation."""
    projects = []
    for _ in range(SPREAD_PROJECTS):
        project = ProjectFactory(complete_brief=True)
        for n in range(CHAT_MESSAGES):
            project.messages.create(role="user" if n % 2 else "assistant", content=f"Line {n}")
        client = Client()
        client.force_login(project.owner)
        projects.append((project.pk, client.cookies[settings.SESSION_COOKIE_NAME].value))
    return projects


async def open_pages(http, port: int, pages: list[tuple[int, str]]) -> list:
    async def open_one(project_id: int, cookie: str):
        ws = await http.ws_connect(
            f"ws://127.0.0.1:{port}/ws/projects/{project_id}/?page=brief",
            headers={
                "Origin": f"http://127.0.0.1:{port}",
                "Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}",
            },
            max_msg_size=0,
        )
        await ws.receive(timeout=TIMEOUT)  # the snapshot
        return ws

    sockets = []
    for start in range(0, len(pages), CONNECT_BATCH):
        batch = pages[start : start + CONNECT_BATCH]
        opening = (asyncio.wait_for(open_one(*page), TIMEOUT) for page in batch)
        sockets += await asyncio.gather(*opening)
    return sockets


async def one_round(pages, sockets, changing: list[int], kind, marker: str) -> list[float]:
    """Publish `kind` to each changing project; the latency of every page that shows one."""
    waiting = [(ws, project_id) for ws, (project_id, _) in zip(sockets, pages, strict=True)]
    waiting = [(ws, project_id) for ws, project_id in waiting if project_id in changing]
    published: dict[int, float] = {}

    async def receive(ws, project_id: int) -> float:
        frame = await ws.receive(timeout=TIMEOUT)
        arrived = time.perf_counter()
        assert marker in frame.data, frame.data[:200]
        return arrived - published[project_id]

    receivers = [asyncio.ensure_future(receive(ws, project_id)) for ws, project_id in waiting]
    await asyncio.sleep(0)

    def publish_all() -> None:
        for project_id in changing:
            published[project_id] = time.perf_counter()
            live.publish(project_id, kind, project_id)

    await asyncio.to_thread(publish_all)
    return list(await asyncio.gather(*receivers))


def summary(label: str, latencies: list[float], rss: float) -> str:
    ms = sorted(latency * 1000 for latency in latencies)
    p95 = ms[max(0, int(len(ms) * 0.95) - 1)]
    return (
        f"{label:<44} n={len(ms):>5}  p50 {statistics.median(ms):7.1f} ms  "
        f"p95 {p95:7.1f} ms  max {ms[-1]:7.1f} ms  web RSS {rss:6.1f} MiB"
    )


async def scenario(port, web_pid, projects, size: int, rounds: int) -> list[str]:
    lines = []
    # One connection per socket: the default pool of 100 would hold the 101st back forever.
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        one = [projects[0]] * size
        sockets = await open_pages(http, port, one)
        for label, kind, marker in (
            ("brief card", BRIEF_CARD, 'id="brief-card"'),
            (f"{CHAT_MESSAGES}-message chat", CHAT, 'id="chat-thread"'),
        ):
            latencies = []
            for _ in range(rounds):
                latencies += await one_round(one, sockets, [one[0][0]], kind, marker)
                await asyncio.sleep(ROUND_GAP_SECONDS)
            lines.append(
                summary(f"{size} sockets, one project: {label}", latencies, rss_mib(web_pid))
            )
        await asyncio.gather(*(ws.close() for ws in sockets))

        spread = [projects[n % SPREAD_PROJECTS] for n in range(size)]
        sockets = await open_pages(http, port, spread)
        changing = [project_id for project_id, _ in projects[:CHANGING_PROJECTS]]
        latencies = []
        for _ in range(rounds):
            latencies += await one_round(spread, sockets, changing, BRIEF_CARD, 'id="brief-card"')
            await asyncio.sleep(ROUND_GAP_SECONDS)
        label = f"{size} sockets, {SPREAD_PROJECTS} projects, {CHANGING_PROJECTS} change: card"
        lines.append(summary(label, latencies, rss_mib(web_pid)))
        await asyncio.gather(*(ws.close() for ws in sockets))
    return lines


def publish_cost(count: int = 200) -> str:
    started = time.perf_counter()
    for n in range(count):
        live.publish_append(10**9, "target", f"token {n}", page="brief")
    per_call = (time.perf_counter() - started) / count * 1000
    return f"publish() from sync code, {count} calls: {per_call:.2f} ms each"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--sockets", type=int, nargs="+", default=[100, 500])
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    projects = make_projects()
    port = free_port()
    web = start_daphne(port)
    print(f"web process idle: RSS {rss_mib(web.pid):.1f} MiB")
    print(publish_cost())
    for size in args.sockets:
        for line in asyncio.run(scenario(port, web.pid, projects, size, args.rounds)):
            print(line, flush=True)
    web.terminate()
    web.wait(timeout=TIMEOUT)


if __name__ == "__main__":
    main()
