"""Photos from a short video walked around a product: evenly spaced frames, via FFmpeg."""

import tempfile
from pathlib import Path

from media_pipeline import ffmpeg
from media_pipeline.base import ProviderError

MAX_VIDEO_SECONDS = 60.0
FRAMES_TIMEOUT_SECONDS = 120
NOT_A_VIDEO = "That file is not a video we can read. Upload an MP4, MOV or WebM."
TOO_LONG = "That video is longer than a minute; walk around the product in under a minute."


def video_frames(local_path: Path, *, count: int) -> list[bytes]:
    """`count` JPEG frames spread evenly over the video (fewer if it has fewer frames)."""
    try:
        facts = ffmpeg.probe(local_path)
    except ffmpeg.FFmpegError as error:
        raise ProviderError(NOT_A_VIDEO, permanent=True) from error
    if not facts.has_video or not facts.duration:
        raise ProviderError(NOT_A_VIDEO, permanent=True)
    if facts.duration > MAX_VIDEO_SECONDS:
        raise ProviderError(TOO_LONG, permanent=True)
    with tempfile.TemporaryDirectory(prefix="reelsmith-frames-") as directory:
        pattern = Path(directory) / "%04d.jpg"
        args = [
            "-i", str(local_path),
            "-vf", f"fps={count / facts.duration:.6f}",
            "-frames:v", str(count), "-q:v", "2", str(pattern),
        ]  # fmt: skip
        ffmpeg.run_ffmpeg(args, timeout=FRAMES_TIMEOUT_SECONDS)
        return [path.read_bytes() for path in sorted(Path(directory).glob("*.jpg"))]
