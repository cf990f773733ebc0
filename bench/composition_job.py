"""How long the composition job takes end to end, and how often it writes its progress.

    .venv/bin/python bench/composition_job.py [--scenes 5] [--seconds 3]

Makes the scene clips with the local video backend at the development profile (512×912,
24 fps), then runs the job (claim, music, render, store) once with captions off (the engine
may stream-copy) and once with captions on (every frame encoded). Prints seconds, progress
writes and writes per second for each. Media goes to a temporary folder; the database is an
in-memory SQLite, so nothing is left behind.
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
os.environ["REELSMITH_QUALITY"] = "development"
for capability in ("TEXT", "IMAGE", "VIDEO", "COMPOSITING", "AUDIO"):
    os.environ[f"{capability}_BACKEND"] = "local"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from media_pipeline import states  # noqa: E402
from media_pipeline.registry import providers  # noqa: E402
from projects.models import Step  # noqa: E402
from storyboards import composing  # noqa: E402
from storyboards.models import Composition, GenerationStatus  # noqa: E402
from tests.factories import CompositionFactory, SceneFactory, StoryboardFactory  # noqa: E402


def scene_clips(count: int, seconds: float) -> list[str]:
    width, height = settings.QUALITY_PROFILE["frame_size"]
    clips = []
    for index in range(count):
        image = providers["image"].generate(
            prompt=f"scene {index}", width=width, height=height, seed=index
        )[0]
        clips.append(
            providers["video"]
            .animate(image_path=image.path, duration=seconds, motion="zoom_in", seed=index)
            .path
        )
    return clips


def run(storyboard, *, captions: bool) -> tuple[float, int, Composition]:
    writes = []
    real_renew = states.renew

    def counting_renew(*args, **kwargs):
        writes.append(kwargs.get("progress"))
        return real_renew(*args, **kwargs)

    states.renew = counting_renew
    composition = CompositionFactory(storyboard=storyboard, captions=captions)
    started = time.perf_counter()
    composing.composition_render(composition_id=composition.pk)
    elapsed = time.perf_counter() - started
    states.renew = real_renew
    composition.refresh_from_db()
    return elapsed, len(writes), composition


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenes", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reelsmith-bench-") as media:
        settings.MEDIA_ROOT = media
        call_command("migrate", verbosity=0)
        storyboard = StoryboardFactory(project__step=Step.FINAL, is_current=True)
        for position, clip in enumerate(scene_clips(options.scenes, options.seconds)):
            SceneFactory(
                storyboard=storyboard,
                position=position,
                duration=options.seconds,
                video=clip,
                video_status=GenerationStatus.DONE,
            )
        for captions in (False, True):
            elapsed, writes, film = run(storyboard, captions=captions)
            print(
                f"captions {'on ' if captions else 'off'}: {film.status} {film.width}×{film.height} "
                f"{film.duration:.1f} s film, smart={film.smart_render}, {elapsed:.1f} s, "
                f"{writes} progress writes ({writes / elapsed:.1f}/s), "
                f"{film.size_bytes / 1e6:.2f} MB"
            )


if __name__ == "__main__":
    main()
