"""A music bed synthesised by FFmpeg: a slow chord of sine tones with tremolo over soft noise.

The seed picks the chord and the pulse; bit-exact flags keep the bytes identical per seed.
"""

import random
import tempfile
from pathlib import Path

from media_pipeline import ffmpeg, storage
from media_pipeline.base import StoredMedia
from media_pipeline.metering import metered

BACKEND = "local"
MODEL = "ffmpeg-synth"
STORAGE_KIND = "audio"
SAMPLE_RATE = 44100
BITRATE = "128k"
RENDER_TIMEOUT_SECONDS = 120
MIN_DURATION = 0.5
MAX_FADE_SECONDS = 1.5
# Root notes (Hz) around the low-mid range, and chord shapes as semitone offsets.
ROOTS = (130.81, 146.83, 164.81, 174.61, 196.00, 220.00, 246.94)
CHORDS = ((0, 4, 7, 11), (0, 3, 7, 10), (0, 4, 7, 14), (0, 5, 7, 12), (0, 3, 7, 14))
MOOD_WORDS = {"calm": 0.8, "soft": 0.8, "relax": 0.8, "energetic": 2.5, "upbeat": 2.5, "bold": 2.0}


class LocalAudioBackend:
    def __init__(self, **options: object) -> None:
        """No options are needed; any given (e.g. a real backend's) are ignored."""

    def generate(self, *, prompt: str, duration: float, seed: int) -> StoredMedia:
        duration = max(duration, MIN_DURATION)
        with (
            metered("audio", BACKEND, MODEL),
            tempfile.TemporaryDirectory(prefix="reelsmith-audio-") as directory,
        ):
            output = Path(directory) / "bed.m4a"
            ffmpeg.run_ffmpeg(
                synth_args(prompt, duration, seed, output), timeout=RENDER_TIMEOUT_SECONDS
            )
            path = storage.store_file(output, kind=STORAGE_KIND)
            return storage.describe_local(path, output, "audio/mp4")


def synth_args(prompt: str, duration: float, seed: int, output: Path) -> list[str]:
    rng = random.Random(seed)
    fade = min(MAX_FADE_SECONDS, duration / 4)
    graph = (
        f"aevalsrc='{chord_expression(rng)}':s={SAMPLE_RATE}:c=stereo:d={duration}[chord];"
        f"anoisesrc=color=pink:seed={seed % 2**31}:amplitude=0.05:r={SAMPLE_RATE}:d={duration},"
        "lowpass=f=900,aformat=channel_layouts=stereo[noise];"
        "[chord][noise]amix=inputs=2:normalize=0,"
        f"tremolo=f={pulse_rate(prompt, rng):.2f}:d=0.35,"
        f"afade=t=in:d={fade:.3f},afade=t=out:st={duration - fade:.3f}:d={fade:.3f}[bed]"
    )
    return [
        "-filter_complex", graph,
        "-map", "[bed]",
        "-t", f"{duration:.3f}",
        "-c:a", "aac", "-b:a", BITRATE, "-ar", str(SAMPLE_RATE), "-ac", "2",
        "-map_metadata", "-1",
        "-fflags", "+bitexact", "-flags:a", "+bitexact",
        str(output),
    ]  # fmt: skip


def chord_expression(rng: random.Random) -> str:
    """Sines of the chord's notes, each slightly detuned between channels for width."""
    root = rng.choice(ROOTS)
    notes = [root * 2 ** (step / 12) for step in rng.choice(CHORDS)]
    gain = 0.5 / len(notes)
    left = "+".join(f"{gain:.3f}*sin(2*PI*{note:.2f}*t)" for note in notes)
    right = "+".join(f"{gain:.3f}*sin(2*PI*{note * 1.003:.2f}*t)" for note in notes)
    return f"{left}|{right}"


def pulse_rate(prompt: str, rng: random.Random) -> float:
    """Tremolo speed in Hz: slow for calm prompts, quicker for energetic ones."""
    words = prompt.lower()
    base = next((rate for word, rate in MOOD_WORDS.items() if word in words), 1.5)
    return base * rng.uniform(0.9, 1.1)
