"""How long a Replicate call takes to give up when the API throttles or stalls its status checks.

    .venv/bin/python bench/provider_deadlines.py [--deadline 4]

Runs the real backend and the real `replicate` SDK against the local fake. Prints, per case,
the seconds until the call failed and the status requests it sent. Before the deadline
covered the SDK's own retries, a throttled status check slept through every Retry-After
(up to ten of them) whatever the deadline said.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DATABASE_URL"] = "sqlite://:memory:"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from media_pipeline.backends.replicate_media import ReplicateImageBackend  # noqa: E402
from media_pipeline.base import ProviderError  # noqa: E402
from tests.fakes.replicate_server import FakeReplicate, PredictionScript  # noqa: E402

STATUS_PATH = r"/v1/predictions/\w+"


def throttled(fake: FakeReplicate) -> None:
    fake.throttle("GET", STATUS_PATH, retry_after=30, times=10)


def throttled_briefly(fake: FakeReplicate) -> None:
    fake.throttle("GET", STATUS_PATH, retry_after=1, times=10)


def stalled(fake: FakeReplicate) -> None:
    fake.stall_next("GET", STATUS_PATH, 60)


CASES = {
    "429 with Retry-After: 30 on every status check": throttled,
    "429 with Retry-After: 1 on every status check": throttled_briefly,
    "a status check that hangs for 60 s": stalled,
}


def run_case(setup, deadline: float) -> tuple[float, int, str]:
    with FakeReplicate() as fake:
        settings.REPLICATE_API_TOKEN, settings.REPLICATE_BASE_URL = fake.api_token, fake.url
        fake.script(PredictionScript(processing_polls=10_000, outlasts_wait=True))
        setup(fake)
        backend = ReplicateImageBackend(deadline_seconds=deadline, poll_interval=0.5)
        started = time.perf_counter()
        try:
            backend.generate(prompt="a bottle", width=64, height=64, seed=1)
            outcome = "finished"
        except ProviderError as error:
            outcome = error.message
        elapsed = time.perf_counter() - started
        (prediction_id,) = fake.predictions
        return elapsed, len(fake.polls(prediction_id)), outcome


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deadline", type=float, default=4.0)
    deadline = parser.parse_args().deadline
    call_command("migrate", verbosity=0)
    settings.PUBLIC_BASE_URL = ""
    with tempfile.TemporaryDirectory() as media_root:
        settings.MEDIA_ROOT = media_root
        print(f"deadline {deadline:g} s")
        for name, setup in CASES.items():
            elapsed, polls, outcome = run_case(setup, deadline)
            print(f"{name:<50} {elapsed:6.2f} s  {polls:2d} status requests  ({outcome})")


if __name__ == "__main__":
    main()
