"""Chaos: the whole local flow, N times, while providers fail and workers die.

    .venv/bin/python bench/chaos.py [--runs 3] [--baseline] [--fault-rate 0.3] [--seed 12]

Real processes, as the Procfile starts them: an `io` worker (threads), a `media` worker
(prefork) and beat (the sweeps), on Redis db 4 (flushed before each run), a throwaway SQLite
database (migrated once) and a temporary MEDIA_ROOT, at the `preview` quality. The workers'
TEXT/IMAGE/VIDEO/AUDIO_BACKEND name the faulty backends below: each wraps the local backend
and fails `CHAOS_FAULT_RATE` of its calls with a retryable ProviderError: a 429 with
Retry-After, a 5xx, a timeout (after a wait) or a truncated download. The local backends write
their files themselves and check no download, so a truncated download is modelled as a
retryable ProviderError raised after the work was done (the Replicate backend's decode check
is what catches the real thing). Meanwhile a killer SIGKILLs the `io` or `media` worker's
process group at random moments and starts it again; with CELERY_VISIBILITY_TIMEOUT=10 and
JOB_LEASE_SECONDS=5 the killed jobs come back within seconds.

The flow goes through the services the pages call: moods → pick → storyboard → approve texts
(which starts the images) → clips → film with generated music. Each phase is polled until
nothing is in flight; whatever ended `failed` is retried the way its page offers (mood
regenerate, retry failed scenes, retry the film, plan the storyboard again).

Prints per run and in total: artifacts done, failed-then-retried (and any failure whose retry
was refused), stuck (in flight at the deadline) and lost (queued past the sweep that would
enqueue it again), and the extra wall time the faults cost against a fault-free `--baseline`.
"""

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FAULT_RATE_ENV = "CHAOS_FAULT_RATE"
SEED_ENV = "CHAOS_SEED"
REDIS_URL = "redis://127.0.0.1:6379/4"
VISIBILITY_TIMEOUT = 10
JOB_LEASE_SECONDS = 5


def prepare_environment() -> Path:
    """The driver's settings (read by django.setup below); the workers get the same."""
    work_dir = Path(tempfile.mkdtemp(prefix="reelsmith-bench-chaos-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"sqlite:///{work_dir / 'chaos.sqlite3'}",
        MEDIA_ROOT=str(work_dir / "media"),
        REELSMITH_QUALITY="preview",
        REDIS_URL=REDIS_URL,
        CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT),
        JOB_LEASE_SECONDS=str(JOB_LEASE_SECONDS),
        RATE_LIMIT_GENERATION_PER_MINUTE="10000",
        OPENAI_API_KEY="",
        REPLICATE_API_TOKEN="",
        TEXT_BACKEND="bench.chaos.FaultyTextBackend",
        IMAGE_BACKEND="bench.chaos.FaultyImageBackend",
        VIDEO_BACKEND="bench.chaos.FaultyVideoBackend",
        AUDIO_BACKEND="bench.chaos.FaultyAudioBackend",
        PYTHONPATH=str(ROOT),
    )
    # The settings name the backends as `bench.chaos.…`: that must be this module, not a copy.
    sys.path.insert(0, str(ROOT))
    sys.modules["bench.chaos"] = sys.modules[__name__]
    return work_dir


if __name__ == "__main__":
    WORK_DIR = prepare_environment()

import django  # noqa: E402
import redis  # noqa: E402
from django.apps import apps  # noqa: E402

if not apps.ready:  # a worker importing the backends below has set Django up already
    django.setup()

from media_pipeline.backends.local_audio import LocalAudioBackend  # noqa: E402
from media_pipeline.backends.local_image import LocalImageBackend  # noqa: E402
from media_pipeline.backends.local_text import LocalTextBackend  # noqa: E402
from media_pipeline.backends.local_video import LocalVideoBackend  # noqa: E402
from media_pipeline.base import ProviderError  # noqa: E402

COUNTS_KEY = "chaos:counts"
TRUNCATED = "truncated download"
CALL_FAULTS = ("429", "5xx", "timeout")
TIMEOUT_SECONDS = 2.0
RETRY_AFTER_SECONDS = (1.0, 4.0)


class FaultInjector:
    """Fails a share of calls; the share and seed come from the worker's environment."""

    def __init__(self, name: str, *, downloads: bool) -> None:
        self.rate = float(os.environ.get(FAULT_RATE_ENV, "0"))
        self.random = random.Random(f"{os.environ.get(SEED_ENV, '0')}:{name}:{os.getpid()}")
        self.faults = (*CALL_FAULTS, TRUNCATED) if downloads else CALL_FAULTS
        self.lock = threading.Lock()

    def pick(self) -> str:
        with self.lock:
            fault = self.random.choice(self.faults) if self.random.random() < self.rate else ""
        # Counted in Redis, so the driver can print what the workers were made to suffer.
        counts = redis.Redis.from_url(os.environ["REDIS_URL"])
        counts.hincrby(COUNTS_KEY, "provider calls", 1)
        if fault:
            counts.hincrby(COUNTS_KEY, f"fault {fault}", 1)
        return fault

    def before(self, fault: str) -> None:
        if fault == "429":
            wait = self.random.uniform(*RETRY_AFTER_SECONDS)
            raise ProviderError("Rate limited (429).", permanent=False, retry_after=wait)
        if fault == "5xx":
            raise ProviderError("The provider answered 503.", permanent=False)
        if fault == "timeout":
            time.sleep(TIMEOUT_SECONDS)
            raise ProviderError("The provider timed out.", permanent=False)

    def after(self, fault: str) -> None:
        if fault == TRUNCATED:
            raise ProviderError("The download was truncated.", permanent=False)

    def call(self, work: Callable[[], object]) -> object:
        fault = self.pick()
        self.before(fault)
        result = work()
        self.after(fault)
        return result


class FaultyTextBackend(LocalTextBackend):
    def __init__(self, **options: object) -> None:
        super().__init__(**options)
        self.injector = FaultInjector("text", downloads=False)

    def plan_moods(self, **kwargs):
        return self.injector.call(lambda: super(FaultyTextBackend, self).plan_moods(**kwargs))

    def plan_scenes(self, **kwargs):
        return self.injector.call(lambda: super(FaultyTextBackend, self).plan_scenes(**kwargs))


class FaultyImageBackend(LocalImageBackend):
    def __init__(self, **options: object) -> None:
        super().__init__(**options)
        self.injector = FaultInjector("image", downloads=True)

    def generate(self, **kwargs):
        return self.injector.call(lambda: super(FaultyImageBackend, self).generate(**kwargs))


class FaultyVideoBackend(LocalVideoBackend):
    def __init__(self, **options: object) -> None:
        super().__init__(**options)
        self.injector = FaultInjector("video", downloads=True)

    def animate(self, **kwargs):
        return self.injector.call(lambda: super(FaultyVideoBackend, self).animate(**kwargs))


class FaultyAudioBackend(LocalAudioBackend):
    def __init__(self, **options: object) -> None:
        super().__init__(**options)
        self.injector = FaultInjector("audio", downloads=True)

    def generate(self, **kwargs):
        return self.injector.call(lambda: super(FaultyAudioBackend, self).generate(**kwargs))


# --- the driver -------------------------------------------------------------------------

RUN_SECONDS = 300
POLL_SECONDS = 0.5
KILL_EVERY_SECONDS = (10.0, 30.0)
STOP_SECONDS = 10
SWEEP_SECONDS = 60  # the beat schedule of the mood and scene sweeps
CONCURRENCY = {"io": "4", "media": "2"}
PROCESSES = {
    "io": ["worker", "--queues", "io", "--pool", "threads", "--concurrency", CONCURRENCY["io"],
           "--hostname", "io@%h"],
    "media": ["worker", "--queues", "media", "--concurrency", CONCURRENCY["media"],
              "--hostname", "media@%h"],
    "beat": ["beat"],
}  # fmt: skip
KILLABLE = ("io", "media")
IN_FLIGHT_STATES = {"queued", "running", "planning", "drawing", "generating", "pending",
                    "processing"}  # fmt: skip
FAILED_STATES = {"failed", "error"}
DONE_STATES = {"done", "ready", "complete"}


@dataclass
class Tally:
    """What became of every artifact of one run."""

    final: dict[tuple[str, int], str] = field(default_factory=dict)
    queued_since: dict[tuple[str, int], float] = field(default_factory=dict)
    failed: set[tuple[str, int]] = field(default_factory=set)
    refused: int = 0
    kills: int = 0
    seconds: float = 0.0
    faults: dict[str, int] = field(default_factory=dict)

    def observe(self, statuses: dict[tuple[str, int], str]) -> None:
        now = time.monotonic()
        for key, status in statuses.items():
            self.final[key] = status
            if status in ("queued", "pending"):
                self.queued_since.setdefault(key, now)
            else:
                self.queued_since.pop(key, None)

    def counts(self) -> dict[str, int]:
        now = time.monotonic()
        lost_after = SWEEP_SECONDS + waiting_seconds()
        in_flight = [key for key, status in self.final.items() if status in IN_FLIGHT_STATES]
        lost = sum(now - self.queued_since.get(key, now) > lost_after for key in in_flight)
        return {
            "artifacts": len(self.final),
            "done": sum(status in DONE_STATES for status in self.final.values()),
            "failed-then-retried": len(self.failed),
            "retry refused": self.refused,
            "failed at end": sum(status in FAILED_STATES for status in self.final.values()),
            "stuck": len(in_flight) - lost,
            "lost": lost,
            "kills": self.kills,
        }


def waiting_seconds() -> float:
    from media_pipeline.jobs import waiting_too_long

    return waiting_too_long().total_seconds()


class Workers:
    """The Procfile's io and media workers and beat, each in its own process group."""

    def __init__(self, *, fault_rate: float, seed: int, logs: Path) -> None:
        self.env = {**os.environ, FAULT_RATE_ENV: str(fault_rate), SEED_ENV: str(seed)}
        self.logs = logs
        self.processes: dict[str, subprocess.Popen] = {}
        self.lock = threading.Lock()

    def start(self, name: str) -> None:
        command = [sys.executable, "-m", "celery", "-A", "config", *PROCESSES[name],
                   "--loglevel", "WARNING"]  # fmt: skip
        if name == "beat":
            command += ["--schedule", str(self.logs / "celerybeat-schedule")]
        log = (self.logs / f"{name}.log").open("a")
        self.processes[name] = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True
        )

    def start_all(self) -> None:
        for name in PROCESSES:
            self.start(name)

    def kill_and_restart(self, name: str) -> None:
        with self.lock:
            process = self.processes[name]
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_SECONDS)
            self.start(name)

    def stop_all(self) -> None:
        with self.lock:
            for process in self.processes.values():
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGTERM)
            for process in self.processes.values():
                try:
                    process.wait(timeout=STOP_SECONDS)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


class Killer(threading.Thread):
    """SIGKILLs a random worker at random moments until told to stop."""

    def __init__(self, workers: Workers, tally: Tally, seed: int) -> None:
        super().__init__(daemon=True)
        self.workers, self.tally = workers, tally
        self.random = random.Random(seed)
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.random.uniform(*KILL_EVERY_SECONDS)):
            self.workers.kill_and_restart(self.random.choice(KILLABLE))
            self.tally.kills += 1


def settle(
    tally: Tally,
    *,
    statuses: Callable[[], dict[tuple[str, int], str]],
    retry: Callable[[], object],
    deadline: float,
) -> bool:
    """Poll until nothing is in flight, retrying what failed; True when everything is done."""
    from django.db import close_old_connections

    while time.monotonic() < deadline:
        close_old_connections()
        current = statuses()
        tally.observe(current)
        if not any(status in IN_FLIGHT_STATES for status in current.values()):
            failed = {key for key, status in current.items() if status in FAILED_STATES}
            if not failed:
                return True
            tally.failed |= failed
            if not _retried(retry):
                tally.refused += len(failed)
                return False
        time.sleep(POLL_SECONDS)
    return False


def _retried(retry: Callable[[], object]) -> bool:
    from storyboards.compositions import CompositionRefused
    from storyboards.scene_services import SceneError
    from storyboards.services import MoodError

    try:
        retry()
    except (MoodError, SceneError, CompositionRefused) as refusal:
        print(f"    retry refused: {refusal}", flush=True)
        return False
    return True


def run_flow(tally: Tally, *, index: int, deadline: float) -> None:
    """One user's whole flow through the services, retrying failures as the pages offer."""
    from django.contrib.auth import get_user_model

    from projects.models import Project, Step
    from storyboards import scene_services, services
    from storyboards.compositions import composition_retry, composition_start
    from storyboards.final_selectors import storyboard_current_for_project
    from storyboards.models import Composition, Mood, MoodImage
    from tests.factories import COMPLETE_BRIEF

    user = get_user_model().objects.create_user(
        username=f"chaos{index}@example.com", email=f"chaos{index}@example.com", password="x"
    )
    project = Project.objects.create(
        owner=user, title=f"Chaos {index}", brief=dict(COMPLETE_BRIEF), step=Step.MOOD
    )

    def mood_statuses() -> dict[tuple[str, int], str]:
        boards = {("mood", pk): s for pk, s in project.moods.values_list("pk", "status")}
        images = MoodImage.objects.filter(mood__project=project).values_list("pk", "status")
        return boards | {("mood image", pk): status for pk, status in images}

    def mood_retry() -> None:
        for mood in project.moods.filter(status=Mood.Status.FAILED):
            services.mood_regenerate(mood=mood)

    services.mood_generate_all(project=project, user=user)
    if not settle(tally, statuses=mood_statuses, retry=mood_retry, deadline=deadline):
        return
    services.mood_select(project=project, mood=project.moods.order_by("position").first())

    def storyboard_statuses() -> dict[tuple[str, int], str]:
        # The newest: one that failed was planned again as a new storyboard.
        latest = project.storyboards.order_by("-pk").values_list("pk", "status").first()
        return {("storyboard", latest[0]): latest[1]} if latest else {}

    def storyboard_retry() -> None:
        scene_services.storyboard_initialize(project=project, user=user)

    scene_services.storyboard_initialize(project=project, user=user)
    if not settle(tally, statuses=storyboard_statuses, retry=storyboard_retry, deadline=deadline):
        return
    storyboard = storyboard_current_for_project(project)

    def scene_statuses(field: str, kind: str) -> Callable[[], dict[tuple[str, int], str]]:
        return lambda: {(kind, pk): s for pk, s in storyboard.scenes.values_list("pk", field)}

    def scenes_retry() -> None:
        scene_services.storyboard_retry_failed(storyboard=storyboard)

    scene_services.storyboard_approve_texts(storyboard=storyboard)
    images = scene_statuses("image_status", "scene image")
    if not settle(tally, statuses=images, retry=scenes_retry, deadline=deadline):
        return
    scene_services.storyboard_generate_videos(storyboard=storyboard)
    clips = scene_statuses("video_status", "scene clip")
    if not settle(tally, statuses=clips, retry=scenes_retry, deadline=deadline):
        return

    composition = composition_start(
        project=project,
        user=user,
        transition=Composition.Transition.CROSSFADE,
        reframe=Composition.Reframe.PAD,
        aspect_ratio=COMPLETE_BRIEF["aspect_ratio"],
        captions=True,
        audio_source=Composition.AudioSource.GENERATED,
        audio_volume=1.0,
    )

    def film_statuses() -> dict[tuple[str, int], str]:
        composition.refresh_from_db()
        return {("film", composition.pk): composition.status}

    def film_retry() -> None:
        composition_retry(composition=composition, user=user)

    settle(tally, statuses=film_statuses, retry=film_retry, deadline=deadline)


def one_run(*, index: int, fault_rate: float, kills: bool, seed: int) -> Tally:
    broker = redis.Redis.from_url(REDIS_URL)
    broker.flushdb()
    logs = WORK_DIR / f"run{index}"
    logs.mkdir()
    tally = Tally()
    workers = Workers(fault_rate=fault_rate, seed=seed + index, logs=logs)
    killer = Killer(workers, tally, seed + index) if kills else None
    workers.start_all()
    started = time.monotonic()
    try:
        if killer:
            killer.start()
        run_flow(tally, index=index, deadline=started + RUN_SECONDS)
    finally:
        tally.seconds = time.monotonic() - started
        if killer:
            killer.stopped.set()
            killer.join()
        workers.stop_all()
    tally.faults = {name.decode(): int(n) for name, n in broker.hgetall(COUNTS_KEY).items()}
    return tally


def report(label: str, tally: Tally) -> None:
    figures = ", ".join(f"{name} {value}" for name, value in tally.counts().items())
    print(f"{label}: {tally.seconds:.1f} s; {figures}", flush=True)
    injected = ", ".join(f"{name} {value}" for name, value in sorted(tally.faults.items()))
    print(f"    {injected}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline", action="store_true", help="first a run without faults")
    parser.add_argument("--fault-rate", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    from django.core.management import call_command

    try:
        call_command("migrate", verbosity=0)
        baseline = None
        if args.baseline:
            baseline = one_run(index=0, fault_rate=0.0, kills=False, seed=args.seed)
            report("baseline (no faults, no kills)", baseline)
        tallies = []
        for index in range(1, args.runs + 1):
            tally = one_run(index=index, fault_rate=args.fault_rate, kills=True, seed=args.seed)
            report(f"run {index} ({args.fault_rate:.0%} faults, kills)", tally)
            tallies.append(tally)
        summarise(tallies, baseline)
    finally:
        shutil.rmtree(WORK_DIR, ignore_errors=True)


def summarise(tallies: list[Tally], baseline: Tally | None) -> None:
    totals: dict[str, int] = {}
    for tally in tallies:
        for name, value in tally.counts().items():
            totals[name] = totals.get(name, 0) + value
    print("total: " + ", ".join(f"{name} {value}" for name, value in totals.items()))
    print(f"every failure offered a retry: {'yes' if totals['retry refused'] == 0 else 'no'}")
    mean = sum(tally.seconds for tally in tallies) / len(tallies)
    if baseline is None:
        print(f"mean run {mean:.1f} s (no --baseline, so no extra time figure)")
        return
    extra = mean - baseline.seconds
    print(f"mean run {mean:.1f} s vs baseline {baseline.seconds:.1f} s: faults cost {extra:+.1f} s")


if __name__ == "__main__":
    main()
