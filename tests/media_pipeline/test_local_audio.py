import subprocess

import pytest
from django.core.files.storage import default_storage

from media_pipeline import ffmpeg
from media_pipeline.backends.local_audio import LocalAudioBackend
from media_pipeline.models import ProviderUsage
from media_pipeline.storage import local_copy

pytestmark = pytest.mark.django_db


def generate(duration=2.0, seed=5, prompt="calm warm bed"):
    return LocalAudioBackend().generate(prompt=prompt, duration=duration, seed=seed)


def probe_stored(path: str) -> ffmpeg.MediaFacts:
    with local_copy(path) as local:
        return ffmpeg.probe(local)


@pytest.mark.parametrize("duration", [1.3, 4.0])
def test_bed_is_stereo_aac_of_the_exact_duration(duration):
    media = generate(duration=duration)

    facts = probe_stored(media.path)
    assert media.path.endswith(".m4a") and media.content_type == "audio/mp4"
    assert (facts.audio_codec, facts.channels, facts.sample_rate) == ("aac", 2, 44100)
    assert not facts.has_video
    assert facts.duration == pytest.approx(duration, abs=0.03)
    assert media.duration == pytest.approx(duration, abs=0.03) and media.has_audio


def test_same_seed_gives_identical_bytes():
    first, second = generate(), generate()

    assert first.path == second.path
    assert default_storage.open(first.path).read() == default_storage.open(second.path).read()


def test_other_seed_gives_another_bed():
    assert generate(seed=5).path != generate(seed=6).path


def test_bed_is_audible_but_not_clipping():
    media = generate(duration=2.0)

    with local_copy(media.path) as local:
        levels = subprocess.run(
            [
                ffmpeg.ffmpeg_binary(),
                "-hide_banner",
                "-i",
                str(local),
                "-af",
                "volumedetect",
                "-f",
                "null",
                "-",
            ],
            capture_output=True,
            text=True,
            timeout=30,
        ).stderr
    max_volume = float(levels.split("max_volume:")[1].split("dB")[0])
    assert -20 < max_volume < -0.5


def test_each_bed_is_metered():
    generate()

    usage = ProviderUsage.objects.get()
    assert (usage.capability, usage.backend, usage.outcome) == ("audio", "local", "success")
