"""SSE fan-out: scene changes published by a worker → `scene_update` read by many open streams.

    .venv/bin/python bench/sse.py [--rounds 10] [--streams 100 1000]

Reuses bench/live_fanout.py's set-up: one daphne process (DEBUG off) on the real Redis
channel layer and a throw-away SQLite file. Opens the streams with aiohttp, all on one
storyboard, each authenticated by a personal access token, waits for every snapshot, then
per round changes one scene's text and publishes it as a job would. Prints p50/p95/max
delivery latency (publish call → event parsed by the client) and the web process's RSS
with the streams open. The client shares the machine's cores with daphne.
"""

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import aiohttp  # noqa: E402
from django.core.management import call_command  # noqa: E402
from live_fanout import free_port, rss_mib, start_daphne  # noqa: E402

import live  # noqa: E402
from api.tokens import token_create  # noqa: E402
from storyboards.models import Scene  # noqa: E402
from storyboards.scene_live import SCENE  # noqa: E402
from tests.factories import SceneFactory, StoryboardFactory  # noqa: E402

CONNECT_BATCH = 50
TIMEOUT = 60
ROUND_GAP_SECONDS = 0.3


async def next_event(response: aiohttp.ClientResponse) -> tuple[str, dict]:
    name, data = "", ""
    async for raw in response.content:
        line = raw.decode().rstrip("\n")
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            data = line[6:]
        elif not line and name:
            return name, json.loads(data)
    raise ConnectionError("the stream ended")


async def open_streams(http, url: str, secret: str, count: int) -> list:
    async def open_one():
        response = await http.get(url, headers={"Authorization": f"Bearer {secret}"})
        assert response.status == 200, response.status
        assert (await next_event(response))[0] == "snapshot"
        return response

    streams = []
    for start in range(0, count, CONNECT_BATCH):
        batch = min(CONNECT_BATCH, count - start)
        streams += await asyncio.gather(*(open_one() for _ in range(batch)))
    return streams


async def one_round(streams, scene: Scene, marker: str) -> list[float]:
    sent = 0.0

    async def receive(response) -> float:
        while True:
            name, data = await next_event(response)
            if name == "scene_update" and data["text"] == marker:
                return time.perf_counter() - sent

    def publish() -> None:
        Scene.objects.filter(pk=scene.pk).update(text=marker)
        live.publish(scene.storyboard.project_id, SCENE, scene.pk)

    waiting = [asyncio.ensure_future(receive(response)) for response in streams]
    await asyncio.sleep(0)
    sent = time.perf_counter()
    await asyncio.to_thread(publish)
    return await asyncio.wait_for(asyncio.gather(*waiting), TIMEOUT)


def make_storyboard() -> tuple[Scene, str]:
    """A storyboard of two scenes, the scene that changes, and its owner's token."""
    storyboard = StoryboardFactory(is_current=True)
    scene = SceneFactory(storyboard=storyboard, position=0)
    SceneFactory(storyboard=storyboard, position=1)
    return scene, token_create(user=storyboard.project.owner, name="bench")[1]


async def scenario(port: int, web_pid: int, size: int, rounds: int) -> str:
    scene, secret = await asyncio.to_thread(make_storyboard)
    storyboard = scene.storyboard
    url = f"http://127.0.0.1:{port}/api/storyboards/{storyboard.pk}/stream"
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=None, sock_read=None)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        streams = await open_streams(http, url, secret, size)
        latencies = []
        for number in range(rounds):
            latencies += await one_round(streams, scene, f"change {number}")
            await asyncio.sleep(ROUND_GAP_SECONDS)
        rss = rss_mib(web_pid)
        for response in streams:
            response.close()
    ms = sorted(latency * 1000 for latency in latencies)
    p95 = ms[int(len(ms) * 0.95) - 1]
    return (
        f"{size:5d} streams, one storyboard: p50 {statistics.median(ms):7.1f} ms  "
        f"p95 {p95:7.1f} ms  max {ms[-1]:7.1f} ms  web RSS {rss:6.1f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--streams", type=int, nargs="+", default=[100, 1000])
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    port = free_port()
    web = start_daphne(port)
    print(f"daphne idle: web RSS {rss_mib(web.pid):6.1f} MiB")
    for size in options.streams:
        print(asyncio.run(scenario(port, web.pid, size, options.rounds)), flush=True)
    web.terminate()


if __name__ == "__main__":
    main()
