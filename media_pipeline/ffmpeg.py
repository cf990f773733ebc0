"""The one FFmpeg binary the engine runs, and the facts it can read off a media file.

The imageio-ffmpeg wheel ships ffmpeg but no ffprobe, so `probe` parses the stream
summary that `ffmpeg -i FILE` prints instead.
"""

import queue
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import imageio_ffmpeg
from django.conf import settings

STDERR_TAIL_LINES = 12
PROBE_TIMEOUT_SECONDS = 30
# How often a progress-reporting run looks at its cancel flag and deadline.
POLL_SECONDS = 0.1

INPUT_RE = re.compile(r"^Input #0, (?P<format>.+?), from ")
DURATION_RE = re.compile(r"Duration: (?P<h>\d+):(?P<m>\d\d):(?P<s>\d\d(?:\.\d+)?)")
STREAM_RE = re.compile(r"^\s*Stream #0:\d+\S*: (?P<kind>Video|Audio): (?P<details>.*)$")
SIZE_RE = re.compile(r"^(?P<w>\d+)x(?P<h>\d+)")
FPS_RE = re.compile(r"(?P<fps>\d+(?:\.\d+)?k?) (?:fps|tbr)\b")
SAMPLE_RATE_RE = re.compile(r"(?P<rate>\d+) Hz")
CHANNELS = {"mono": 1, "stereo": 2, "2.1": 3, "quad": 4, "5.0": 5, "5.1": 6, "7.1": 8}


class FFmpegError(Exception):
    """FFmpeg could not run or rejected its input; the message ends with FFmpeg's own words."""


class FFmpegCancelled(FFmpegError):
    """The caller asked a running FFmpeg to stop, and it was killed."""


@dataclass(frozen=True)
class MediaFacts:
    format: str
    duration: float | None = None
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    video_codec: str | None = None
    pix_fmt: str | None = None
    audio_codec: str | None = None
    sample_rate: int | None = None
    channels: int | None = None

    @property
    def has_video(self) -> bool:
        return self.video_codec is not None

    @property
    def has_audio(self) -> bool:
        return self.audio_codec is not None


def ffmpeg_binary() -> str:
    """`settings.FFMPEG_BINARY`, else `ffmpeg` on PATH, else the one in the imageio-ffmpeg wheel."""
    return settings.FFMPEG_BINARY or shutil.which("ffmpeg") or imageio_ffmpeg.get_ffmpeg_exe()


def run_ffmpeg(args: list[str], *, timeout: float) -> None:
    """Run FFmpeg with `args` (everything after the binary), overwriting outputs."""
    command = [ffmpeg_binary(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args]
    try:
        completed = subprocess.run(
            command, capture_output=True, text=True, errors="replace", timeout=timeout
        )
    except subprocess.TimeoutExpired:
        raise FFmpegError(
            f"FFmpeg did not finish within {timeout:g} s; try a shorter clip."
        ) from None
    except OSError as error:
        raise FFmpegError(f"Could not start FFmpeg ({error}); set FFMPEG_BINARY.") from None
    if completed.returncode != 0:
        raise FFmpegError(f"FFmpeg failed (exit {completed.returncode}): {_tail(completed.stderr)}")


def run_ffmpeg_with_progress(
    args: list[str],
    *,
    on_time: Callable[[float], None],
    cancel: threading.Event | None = None,
    timeout: float,
    log_level: str = "error",
) -> str:
    """Run FFmpeg like `run_ffmpeg`, report each `-progress` output time, and return its stderr.

    `on_time(seconds)` runs in the caller's thread. Setting `cancel` kills FFmpeg and raises
    FFmpegCancelled within POLL_SECONDS.
    """
    command = [ffmpeg_binary(), "-hide_banner", "-nostdin", "-loglevel", log_level, "-y"]
    command += ["-nostats", "-progress", "pipe:1", *args]
    # stderr goes to a file, not a pipe, so a chatty FFmpeg can never block on it.
    with tempfile.TemporaryFile(mode="w+", errors="replace") as stderr:
        try:
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, text=True)
        except OSError as error:
            raise FFmpegError(f"Could not start FFmpeg ({error}); set FFMPEG_BINARY.") from None
        try:
            _follow_progress(process, on_time, cancel, time.monotonic() + timeout, timeout)
        finally:
            process.kill()
            process.wait()
        stderr.seek(0)
        output = stderr.read()
    if process.returncode != 0:
        raise FFmpegError(f"FFmpeg failed (exit {process.returncode}): {_tail(output)}")
    return output


def _follow_progress(
    process: subprocess.Popen,
    on_time: Callable[[float], None],
    cancel: threading.Event | None,
    deadline: float,
    timeout: float,
) -> None:
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_pump_lines, args=(process.stdout, lines), daemon=True).start()
    while True:
        if cancel is not None and cancel.is_set():
            raise FFmpegCancelled("FFmpeg was stopped on request.")
        if time.monotonic() > deadline:
            raise FFmpegError(f"FFmpeg did not finish within {timeout:g} s; try shorter clips.")
        try:
            line = lines.get(timeout=POLL_SECONDS)
        except queue.Empty:
            continue
        if line is None:
            process.wait()
            return
        key, _, value = line.strip().partition("=")
        if key == "out_time_us" and value.isdigit():
            on_time(int(value) / 1_000_000)


def _pump_lines(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


def probe(path: str | Path) -> MediaFacts:
    """Read the container format, duration and first video/audio stream of a local file."""
    command = [ffmpeg_binary(), "-hide_banner", "-nostdin", "-i", str(path)]
    try:
        completed = subprocess.run(
            command, capture_output=True, text=True, errors="replace", timeout=PROBE_TIMEOUT_SECONDS
        )
    except subprocess.TimeoutExpired:
        raise FFmpegError(f"Reading {path} took longer than {PROBE_TIMEOUT_SECONDS} s.") from None
    return parse_probe_output(completed.stderr, path=str(path))


def parse_probe_output(stderr: str, *, path: str = "input") -> MediaFacts:
    """Turn the summary `ffmpeg -i` prints into MediaFacts; raise if it found no media."""
    lines = stderr.splitlines()
    fmt = next((m["format"] for m in map(INPUT_RE.match, lines) if m), None)
    if fmt is None:
        raise FFmpegError(f"{path} is not a media file FFmpeg can read: {_tail(stderr)}")
    facts: dict[str, Any] = {"format": fmt, "duration": _duration(stderr)}
    for match in filter(None, map(STREAM_RE.match, lines)):
        parts = _split_top_level(match["details"])
        if (
            match["kind"] == "Video"
            and "video_codec" not in facts
            and "(attached pic)" not in match["details"]
        ):
            facts |= _video_facts(parts)
        elif match["kind"] == "Audio" and "audio_codec" not in facts:
            facts |= _audio_facts(parts)
    return MediaFacts(**facts)


def _duration(stderr: str) -> float | None:
    match = DURATION_RE.search(stderr)
    if not match:
        return None
    return int(match["h"]) * 3600 + int(match["m"]) * 60 + float(match["s"])


def _video_facts(parts: list[str]) -> dict[str, Any]:
    facts: dict[str, Any] = {"video_codec": _codec(parts[0])}
    if len(parts) > 1 and not SIZE_RE.match(parts[1]):
        facts["pix_fmt"] = parts[1].split("(")[0].strip()
    for part in parts[1:]:
        size = SIZE_RE.match(part)
        if size and "width" not in facts:
            facts |= {"width": int(size["w"]), "height": int(size["h"])}
        rate = FPS_RE.search(part)
        if rate and "fps" not in facts:
            facts["fps"] = _rate(rate["fps"])
    return facts


def _audio_facts(parts: list[str]) -> dict[str, Any]:
    facts: dict[str, Any] = {"audio_codec": _codec(parts[0])}
    for part in parts[1:]:
        rate = SAMPLE_RATE_RE.fullmatch(part)
        if rate:
            facts["sample_rate"] = int(rate["rate"])
        layout = part.split("(")[0]
        if layout in CHANNELS:
            facts["channels"] = CHANNELS[layout]
    return facts


def _codec(part: str) -> str:
    return part.split()[0] if part.split() else part


def _rate(text: str) -> float:
    return float(text[:-1]) * 1000 if text.endswith("k") else float(text)


def _split_top_level(details: str) -> list[str]:
    """Split on the commas that are not inside parentheses or brackets."""
    parts, depth, current = [], 0, []
    for char in details:
        depth += char in "(["
        depth -= char in ")]"
        if char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    return parts


def _tail(stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    return " | ".join(lines[-STDERR_TAIL_LINES:]) or "no error output"
