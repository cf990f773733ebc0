"""How long the local backends take per artifact, at the development and production frame sizes.

    .venv/bin/python bench/local_engine.py [--repeat 3]

Prints one line per capability and profile: median seconds over the repeats. Media is written
into a temporary folder; the database is an in-memory SQLite so nothing is left behind.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DATABASE_URL"] = "sqlite://:memory:"
for capability in ("TEXT", "IMAGE", "VIDEO", "COMPOSITING", "AUDIO"):
    os.environ[f"{capability}_BACKEND"] = "local"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from media_pipeline.backends.local_image_layouts import LAYOUTS  # noqa: E402
from media_pipeline.base import ChatMessage, ImageStyle  # noqa: E402
from media_pipeline.registry import providers  # noqa: E402
from tests.factories import COMPLETE_BRIEF  # noqa: E402

PALETTE = ["#2b1d14", "#8a4b2a", "#e0a458", "#f4d6a0", "#fff5e6"]


def median_seconds(action, repeat: int) -> float:
    timings = []
    for attempt in range(repeat):
        started = time.perf_counter()
        action(attempt)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def cases(frame_size: tuple[int, int]):
    width, height = frame_size
    style = ImageStyle(palette=PALETTE, keywords="warm, golden hour")
    image = providers["image"].generate(
        prompt="serum bottle", width=width, height=height, seed=1, style=style
    )[0]
    conversation = [
        ChatMessage(role="user", content="We sell a glow serum for busy professionals.")
    ]
    yield (
        "text: brief extraction",
        lambda n: providers["text"].extract_brief(messages=conversation, brief={}),
    )
    yield (
        "text: scene plan (5)",
        lambda n: providers["text"].plan_scenes(brief=COMPLETE_BRIEF, mood={}, count=5),
    )
    for layout in LAYOUTS:
        yield (
            f"image: {layout}",
            lambda n, layout=layout: providers["image"].generate(
                prompt="serum bottle",
                width=width,
                height=height,
                seed=100 + n,
                style=replace(style, layout=layout),
            ),
        )
    yield (
        "video: 3 s clip",
        lambda n: providers["video"].animate(
            image_path=image.path, duration=3, motion="zoom_in", seed=200 + n
        ),
    )
    yield (
        "compositing",
        lambda n: providers["compositing"].composite(
            scene_image_path=image.path, product_image_path=image.path, instruction="", seed=300 + n
        ),
    )
    yield (
        "audio: 15 s bed",
        lambda n: providers["audio"].generate(prompt="warm", duration=15, seed=400 + n),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    repeat = parser.parse_args().repeat
    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory() as media_root:
        settings.MEDIA_ROOT = media_root
        for name, profile in settings.QUALITY_PROFILES.items():
            settings.QUALITY_PROFILE = profile
            providers.reset()
            size = "×".join(map(str, profile["frame_size"]))
            print(f"\n{name} profile ({size}, {profile['fps']} fps), median of {repeat}:")
            for label, action in cases(profile["frame_size"]):
                print(f"  {label:<24} {median_seconds(action, repeat):7.3f} s")


if __name__ == "__main__":
    main()
