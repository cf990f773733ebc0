"""The film's audio bed: looped or trimmed to the film, faded, loudness-normalised, then leveled.

Loudness is normalised in two passes (EBU R128 via FFmpeg's loudnorm): the first measures
the faded bed, the second applies one linear gain from that measurement, which hits the
target within a fraction of a LU where a single dynamic pass can miss short beds by more.
The user's volume is applied after, relative to that target (1.0 = the target loudness).
"""

import json
from dataclasses import dataclass
from pathlib import Path

import ffmpeg

SAMPLE_RATE = 48000
CHANNEL_LAYOUT = "stereo"
BITRATE = "128k"
MAX_FADE_SECONDS = 1.0
FADE_SHARE = 0.25  # a fade never takes more than a quarter of the film
TRUE_PEAK_DBTP = -1.5
LOUDNESS_RANGE = 11
SILENCE_LUFS = -70.0  # below this loudnorm's gating finds nothing to measure


@dataclass(frozen=True)
class Loudness:
    """loudnorm's first-pass measurement, named as its second pass expects."""

    measured_I: float  # noqa: N815
    measured_TP: float  # noqa: N815
    measured_LRA: float  # noqa: N815
    measured_thresh: float
    offset: float


def bed(audio_path: Path | None, *, duration: float):
    """The bed before levelling: the file looped and cut to `duration` and faded, or silence."""
    if audio_path is None:
        source = ffmpeg.input(f"anullsrc=r={SAMPLE_RATE}:cl={CHANNEL_LAYOUT}", f="lavfi")
        return source["a"].filter("atrim", duration=duration)
    fade = min(MAX_FADE_SECONDS, duration * FADE_SHARE)
    stream = ffmpeg.input(str(audio_path), stream_loop=-1)["a"]
    return (
        stream.filter("atrim", duration=duration)
        .filter("asetpts", "PTS-STARTPTS")
        .filter("afade", t="in", d=fade)
        .filter("afade", t="out", st=duration - fade, d=fade)
    )


def measure(audio_path: Path, *, duration: float, target_lufs: float):
    """First pass: the faded bed through loudnorm, which prints its measurement as JSON."""
    stream = bed(audio_path, duration=duration).filter(
        "loudnorm", **_targets(target_lufs), print_format="json"
    )
    return ffmpeg.output(stream, "-", f="null")


def parse_measurement(stderr: str) -> Loudness | None:
    """The measurement from the first pass's log, or None if the bed is (nearly) silent."""
    start = stderr.rfind("{")
    values = json.loads(stderr[start : stderr.index("}", start) + 1])
    if float(values["input_i"]) < SILENCE_LUFS:
        return None
    return Loudness(
        measured_I=float(values["input_i"]),
        measured_TP=float(values["input_tp"]),
        measured_LRA=float(values["input_lra"]),
        measured_thresh=float(values["input_thresh"]),
        offset=float(values["target_offset"]),
    )


def levelled(
    audio_path: Path | None,
    *,
    duration: float,
    loudness: Loudness | None,
    target_lufs: float,
    volume: float,
):
    """Second pass: the bed at the target loudness, then scaled by the user's volume."""
    stream = bed(audio_path, duration=duration)
    if loudness is not None:
        stream = stream.filter("loudnorm", **_targets(target_lufs), **vars(loudness), linear="true")
    # loudnorm works at 192 kHz; bring it back to a delivery rate.
    stream = stream.filter("aresample", SAMPLE_RATE).filter(
        "aformat", sample_fmts="fltp", channel_layouts=CHANNEL_LAYOUT
    )
    return stream.filter("volume", volume) if volume != 1 else stream


def encoder_options() -> dict[str, object]:
    return {"c:a": "aac", "b:a": BITRATE, "ar": SAMPLE_RATE}


def _targets(target_lufs: float) -> dict[str, float]:
    return {"I": target_lufs, "TP": TRUE_PEAK_DBTP, "LRA": LOUDNESS_RANGE}
