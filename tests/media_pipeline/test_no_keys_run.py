"""A whole generation pass with the backends chosen for a machine without keys or network."""

from dataclasses import asdict
from itertools import islice

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from PIL import Image

from config import settings as project_settings
from media_pipeline import ffmpeg
from media_pipeline.base import ChatMessage, ImageStyle
from media_pipeline.metering import usage_context
from media_pipeline.models import ProviderUsage
from media_pipeline.registry import CAPABILITIES, providers
from media_pipeline.storage import local_copy, store_file

from .conftest import FPS, FRAME_HEIGHT, FRAME_WIDTH

pytestmark = pytest.mark.django_db

CONVERSATION = (
    "We're launching GlowSerum, a vitamin C serum aimed at busy professionals. Warm and confident. "
    "It gives a visible glow in 7 days. Make it a 6 second vertical video. End with Shop now."
)


@pytest.fixture
def keyless_backends(settings, monkeypatch):
    """MEDIA_PIPELINE as config.settings builds it when no key is configured."""
    for capability in CAPABILITIES:
        real, local, _key = project_settings.BACKENDS[capability]
        monkeypatch.setitem(project_settings.BACKENDS, capability, (real, local, ""))
        monkeypatch.delenv(f"{capability.upper()}_BACKEND", raising=False)
    settings.MEDIA_PIPELINE = {
        capability: {"BACKEND": project_settings.choose_backend(capability), "OPTIONS": {}}
        for capability in CAPABILITIES
    }
    providers.reset()


def probe_stored(path: str) -> ffmpeg.MediaFacts:
    assert default_storage.exists(path)
    with local_copy(path) as local:
        return ffmpeg.probe(local)


def test_keyless_run_generates_and_meters_every_artifact(keyless_backends, user, make_png):
    product = store_file(
        make_png("product.png", size=(60, 90), color=(250, 250, 250), mode="RGB"), kind="uploads"
    )
    with usage_context(user_id=user.id, subject="project:1"):
        messages = [ChatMessage("user", CONVERSATION)]
        # Only the first tokens: the shipped options pace the reply like a live stream.
        first_words = list(islice(providers["text"].chat_reply(messages=messages, brief={}), 3))
        brief = providers["text"].extract_brief(messages=messages, brief={})
        mood = providers["text"].plan_moods(brief=brief, count=2, images_per_mood=1)[0]
        scenes = providers["text"].plan_scenes(brief=brief, mood=asdict(mood), count=3)
        image = providers["image"].generate(
            prompt=scenes[0].image_prompt,
            width=FRAME_WIDTH,
            height=FRAME_HEIGHT,
            seed=1,
            style=ImageStyle(mood.palette),
        )[0]
        clip = providers["video"].animate(
            image_path=image.path, duration=scenes[0].duration, motion=scenes[0].motion, seed=1
        )
        composite = providers["compositing"].composite(
            scene_image_path=image.path, product_image_path=product, instruction="", seed=1
        )
        audio = providers["audio"].generate(
            prompt=mood.name, duration=brief["target_length"], seed=1
        )

    assert first_words[0] == "Got "
    assert brief["product"] == "GlowSerum" and brief["target_length"] == 6
    assert sum(scene.duration for scene in scenes) == 6

    for still in (image, composite):
        with default_storage.open(still.path) as handle:
            assert Image.open(handle).size == (FRAME_WIDTH, FRAME_HEIGHT)

    clip_facts = probe_stored(clip.path)
    assert (clip_facts.width, clip_facts.height, clip_facts.fps) == (FRAME_WIDTH, FRAME_HEIGHT, FPS)
    assert (clip_facts.video_codec, clip_facts.pix_fmt, clip_facts.has_audio) == (
        "h264",
        "yuv420p",
        False,
    )
    assert clip_facts.duration == pytest.approx(scenes[0].duration, abs=1 / FPS)

    audio_facts = probe_stored(audio.path)
    assert audio_facts.audio_codec == "aac"
    assert audio_facts.duration == pytest.approx(6, abs=0.05)

    rows = ProviderUsage.objects.all()
    assert sorted(row.capability for row in rows) == sorted(
        ["text", "text", "text", "text", "image", "video", "compositing", "audio"]
    )
    assert {(row.backend, row.outcome, row.user_id, row.subject) for row in rows} == {
        ("local", "success", user.id, "project:1")
    }
    assert sum(row.cost_estimate for row in rows) == 0


def test_generate_sample_command_prints_stored_paths_and_usage(capsys):
    call_command("generate_sample", seed=3)

    output = capsys.readouterr().out
    for label in ("image", "clip", "composite", "audio"):
        line = next(line for line in output.splitlines() if line.startswith(f"{label}: generated/"))
        assert default_storage.exists(line.split()[1])
    assert output.count(" local ") == ProviderUsage.objects.count() == 8
