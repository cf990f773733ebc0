"""The film's audio bed: looped or trimmed to the film, faded, loudness-normalised, then leveled.

Loudness is normalised in two passes (EBU R128): the first measures the faded bed's
integrated loudness and true peak with FFmpeg's ebur128 filter, the second applies one
linear gain from that measurement, which hits the target within a fraction of a LU where a
single dynamic pass can miss short beds by more. The gain stops where the true peak would
pass TRUE_PEAK_DBTP, so a very peaky bed ends up quieter than the target rather than
compressed. (loudnorm's first pass measures the same but also runs its dynamic limiter at
192 kHz for nothing, at five times the cost.) The user's volume is applied after,
relative to that target (1.0 = the target loudness).
"""

import math
import re
from dataclasses import dataclass
from pathlib import Path

import ffmpeg

SAMPLE_RATE = 48000
CHANNEL_LAYOUT = "stereo"
BITRATE = "128k"
MAX_FADE_SECONDS = 1.0
FADE_SHARE = 0.25  # a fade never takes more than a quarter of the film
TRUE_PEAK_DBTP = -1.5
SILENCE_LUFS = -70.0  # at or below this the R128 gate finds nothing to measure
INTEGRATED_RE = re.compile(r"^\s*I:\s+(?P<value>-?[\d.]+|-inf) LUFS", re.MULTILINE)
TRUE_PEAK_RE = re.compile(r"^\s*Peak:\s+(?P<value>-?[\d.]+|-inf) dBFS", re.MULTILINE)


@dataclass(frozen=True)
class Loudness:
    """The first pass's measurement of the faded bed."""

    integrated_lufs: float
    true_peak_dbtp: float

    def gain_db(self, target_lufs: float) -> float:
        """The linear gain to the target loudness, held below the true-peak ceiling."""
        return min(target_lufs - self.integrated_lufs, TRUE_PEAK_DBTP - self.true_peak_dbtp)


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


def measure(audio_path: Path, *, duration: float):
    """First pass: the faded bed through ebur128, which logs a summary when it ends."""
    stream = bed(audio_path, duration=duration).filter("ebur128", peak="true", framelog="quiet")
    return ffmpeg.output(stream, "-", f="null")


def parse_measurement(stderr: str) -> Loudness | None:
    """The measurement from the first pass's log, or None if the bed is (nearly) silent."""
    integrated = _last_value(INTEGRATED_RE, stderr)
    if integrated <= SILENCE_LUFS:
        return None
    return Loudness(integrated_lufs=integrated, true_peak_dbtp=_last_value(TRUE_PEAK_RE, stderr))


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
        stream = stream.filter("volume", f"{loudness.gain_db(target_lufs):.2f}dB")
    stream = stream.filter("aformat", sample_fmts="fltp", channel_layouts=CHANNEL_LAYOUT)
    return stream.filter("volume", volume) if volume != 1 else stream


def encode(stream, output: Path):
    """The levelled bed encoded on its own, for the film to copy.

    The "fast" AAC coder: its author found the default two-loop search "sounds worse at
    higher bitrates" and "needs quite a lot more CPU" (FFmpeg commit fcb681a); at 128 kb/s
    it takes a third less CPU here.
    """
    options = {"c:a": "aac", "aac_coder": "fast", "b:a": BITRATE, "ar": SAMPLE_RATE}
    return ffmpeg.output(stream, str(output), **options)


def _last_value(pattern: re.Pattern, stderr: str) -> float:
    """The summary's figure (the last match); ebur128 writes -inf for pure silence."""
    matches = pattern.findall(stderr)
    if not matches:
        raise ValueError("The loudness measurement printed no summary.")
    return -math.inf if matches[-1] == "-inf" else float(matches[-1])
