"""Scenes at scale: all images, then all clips, of storyboards of 3, 6 and 12 scenes.

    .venv/bin/python bench/scenes.py [--image-seconds 1.0] [--clip-seconds 1.0]

Real Celery workers in this process on the real Redis broker (under a key prefix of this run's
own): `io` with threads at IO_CONCURRENCY (16), `media` at MEDIA_CONCURRENCY (2). The image and
video backends are slow fakes defined here: each call sleeps a fixed time, so the figures show
the parallelism the queues give, not FFmpeg's speed. A WebsocketCommunicator stays connected to
the Scenes page and times each push from the job's commit to the card's arrival.

Prints the wall time of each phase, its ratio to a one-scene storyboard (target for images:
at most 1.3× at N = 6) and the median and p95 commit→card latency.
"""

import argparse
import atexit
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# The settings name the fakes below as `bench.scenes.…`: that must be this module, not a copy.
sys.modules.setdefault("bench.scenes", sys.modules[__name__])
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
WORK_DIR = Path(tempfile.mkdtemp(prefix="reelsmith-bench-scenes-"))
DATABASE_FILE = WORK_DIR / "bench.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{DATABASE_FILE}"
os.environ["MEDIA_ROOT"] = str(WORK_DIR / "media")
os.environ["CHANNEL_PREFIX"] = f"bench-{uuid.uuid4().hex}"
os.environ["IMAGE_BACKEND"] = "bench.scenes.SlowImageBackend"
os.environ["VIDEO_BACKEND"] = "bench.scenes.SlowVideoBackend"
atexit.register(lambda: __import__("shutil").rmtree(WORK_DIR, ignore_errors=True))

import django  # noqa: E402

django.setup()

from asgiref.sync import async_to_sync, sync_to_async  # noqa: E402
from celery import Celery  # noqa: E402
from celery.contrib.testing.worker import start_worker  # noqa: E402
from channels.testing import WebsocketCommunicator  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.files.base import ContentFile  # noqa: E402
from django.core.files.storage import default_storage  # noqa: E402
from django.core.management import call_command  # noqa: E402

from config.asgi import application  # noqa: E402
from media_pipeline.backends.local_image import LocalImageBackend  # noqa: E402
from media_pipeline.base import StoredMedia  # noqa: E402
from projects.models import Step  # noqa: E402
from storyboards import scene_generation, scene_services  # noqa: E402
from storyboards.models import IN_FLIGHT, GenerationStatus, Scene  # noqa: E402
from tests.factories import MoodFactory, SceneFactory, StoryboardFactory  # noqa: E402
from tests.profiles import SMALL_FRAMES  # noqa: E402
from tests.storyboards.test_tasks import session_headers  # noqa: E402

SIZES = (1, 3, 6, 12)
IO_CONCURRENCY = int(os.environ.get("IO_CONCURRENCY", 16))
MEDIA_CONCURRENCY = int(os.environ.get("MEDIA_CONCURRENCY", 2))
CARD_RE = re.compile(r'<article id="scene-(\d+)"')
QUIET_SECONDS = 0.5
POLL_SECONDS = 0.001
PHASE_TIMEOUT = 120
DONE_MARKERS = {"image_status": "Image: Done", "video_status": "<video src="}
DELAYS = {"image": 1.0, "clip": 1.0}


class SlowImageBackend(LocalImageBackend):
    """The local drawing (tiny frames) after a fixed wait, like a remote model's queue."""

    def generate(self, **kwargs) -> list[StoredMedia]:
        time.sleep(DELAYS["image"])
        return super().generate(**kwargs)


class SlowVideoBackend:
    """A fixed wait, then a stand-in clip: no FFmpeg, so only the queue's parallelism shows."""

    runs_locally = True

    def __init__(self, **options: object) -> None:
        pass

    def animate(self, *, image_path: str, duration: float, motion: str, seed: int) -> StoredMedia:
        time.sleep(DELAYS["clip"])
        path = default_storage.save(f"bench/clip-{uuid.uuid4().hex}.mp4", ContentFile(b"clip"))
        return StoredMedia(path=path, content_type="video/mp4", size_bytes=4, duration=duration)


class PushClock:
    """Commit times of scene pushes (publish runs in on_commit, right after the commit)."""

    def __init__(self) -> None:
        self.sent: dict[int, list[float]] = defaultdict(list)
        original = scene_generation.publish

        def publish(project_id: int, kind: str, object_id: int) -> None:
            self.sent[object_id].append(time.perf_counter())
            original(project_id, kind, object_id)

        scene_generation.publish = publish


def make_storyboard(count: int):
    mood = MoodFactory(selected=True)
    project = mood.project
    project.step = Step.SCENES
    project.save(update_fields=["step"])
    storyboard = StoryboardFactory(project=project, is_current=True)
    for position in range(count):
        SceneFactory(storyboard=storyboard, position=position, text_status=GenerationStatus.DONE)
    return storyboard


def settled(storyboard, field: str) -> bool:
    statuses = Scene.objects.filter(storyboard=storyboard).values_list(field, flat=True)
    return all(status not in IN_FLIGHT for status in statuses) and all(
        status == GenerationStatus.DONE for status in statuses
    )


async def run_phase(communicator, storyboard, start, field: str, clock: PushClock) -> tuple:
    """Start the phase and take pushes until every scene is done: (wall seconds, latencies).

    A latency runs from the commit of a scene's finished artifact (its last push so far) to the
    first card on the page that shows it finished.
    """
    marker = DONE_MARKERS[field]
    latencies: list[float] = []
    shown: set[int] = set()
    total = await sync_to_async(storyboard.scenes.count)()
    started = time.perf_counter()
    await sync_to_async(start)(storyboard=storyboard)
    finished = None
    while time.perf_counter() - started < PHASE_TIMEOUT:
        # A receive that times out cancels the consumer, so wait for output without taking it.
        if await communicator.receive_nothing(timeout=QUIET_SECONDS, interval=POLL_SECONDS):
            if await sync_to_async(settled)(storyboard, field):
                break
            continue
        html = await communicator.receive_from(timeout=5)
        arrived = time.perf_counter()
        scene_id = int(CARD_RE.search(html).group(1))
        if marker in html and scene_id not in shown:
            shown.add(scene_id)
            latencies.append(arrived - max(t for t in clock.sent[scene_id] if t <= arrived))
            if len(shown) == total and finished is None:
                finished = arrived
    return (finished or time.perf_counter()) - started, latencies


async def measure(storyboard, headers, clock: PushClock) -> tuple:
    path = f"/ws/projects/{storyboard.project_id}/?page=scenes"
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    await communicator.receive_from(timeout=5)  # the snapshot
    images = await run_phase(
        communicator, storyboard, scene_services.storyboard_approve_texts, "image_status", clock
    )
    clips = await run_phase(
        communicator, storyboard, scene_services.storyboard_generate_videos, "video_status", clock
    )
    await communicator.disconnect()
    return images, clips


def workers():
    app = Celery("reelsmith-bench")
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.broker_transport_options = {
        **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        "global_keyprefix": f"bench-{uuid.uuid4().hex}:",
    }
    io = start_worker(
        app,
        pool="threads",
        concurrency=IO_CONCURRENCY,
        perform_ping_check=False,
        queues=["io"],
        hostname=f"io-{uuid.uuid4().hex[:6]}@bench",
    )
    media = start_worker(
        app,
        pool="threads",
        concurrency=MEDIA_CONCURRENCY,
        perform_ping_check=False,
        queues=["media"],
        hostname=f"media-{uuid.uuid4().hex[:6]}@bench",
    )
    return io, media


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--image-seconds", type=float, default=DELAYS["image"])
    parser.add_argument("--clip-seconds", type=float, default=DELAYS["clip"])
    arguments = parser.parse_args()
    DELAYS.update(image=arguments.image_seconds, clip=arguments.clip_seconds)
    settings.QUALITY_PROFILE = dict(SMALL_FRAMES)
    call_command("migrate", verbosity=0)
    clock = PushClock()
    io, media = workers()
    results = {}
    latencies: list[float] = []
    with io, media:
        for count in SIZES:
            storyboard = make_storyboard(count)
            headers = session_headers(storyboard.project.owner)
            (images, image_lat), (clips, clip_lat) = async_to_sync(measure)(
                storyboard, headers, clock
            )
            results[count] = (images, clips)
            latencies += image_lat + clip_lat
    report(results, latencies)


def report(results: dict[int, tuple[float, float]], latencies: list[float]) -> None:
    one_images, one_clips = results[1]
    print(
        f"slow fakes: image {DELAYS['image']:.2f} s/call, clip {DELAYS['clip']:.2f} s/call; "
        f"io threads {IO_CONCURRENCY}, media {MEDIA_CONCURRENCY}"
    )
    for count, (images, clips) in results.items():
        print(
            f"N={count:>2}: all images {images:5.2f} s ({images / one_images:.2f}× one scene), "
            f"all clips {clips:5.2f} s ({clips / one_clips:.2f}× one scene)"
        )
    milliseconds = sorted(latency * 1000 for latency in latencies)
    p95 = milliseconds[max(0, int(len(milliseconds) * 0.95) - 1)]
    print(
        f"finished artifact's commit → its card on a connected Scenes page, {len(milliseconds)} "
        "artifacts: "
        f"median {statistics.median(milliseconds):.1f} ms, p95 {p95:.1f} ms"
    )


if __name__ == "__main__":
    main()
