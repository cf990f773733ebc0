"""Every clip, local or from a provider, normalised to one shape so the composer can join them.

Same frame size, frame rate, codec and pixel format, a keyframe every half second and no
audio (the film gets its own audio bed). Scene lengths and transitions come in half seconds,
so every join of the film starts and ends on a keyframe: the smart render then encodes only
the transitions and copies everything else.
"""

import dataclasses
import tempfile
from pathlib import Path

from media_pipeline import ffmpeg, storage
from media_pipeline.base import StoredMedia

NORMALISE_TIMEOUT_SECONDS = 300
ORIGINALS_KIND = "originals"
KEYFRAME_SECONDS = 0.5
X264_PRESET = "veryfast"
X264_CRF = "20"


def normalise_clip(
    local_path: str | Path, *, width: int, height: int, fps: int, kind: str = "clips"
) -> StoredMedia:
    """Re-encode a clip to H.264 yuv420p at exactly width×height and fps, and store both files."""
    if width % 2 or height % 2:
        raise ValueError(f"H.264 yuv420p needs even dimensions, not {width}×{height}.")
    original = storage.store_file(local_path, kind=ORIGINALS_KIND)
    with tempfile.TemporaryDirectory(prefix="reelsmith-clip-") as directory:
        output = Path(directory) / "clip.mp4"
        ffmpeg.run_ffmpeg(
            normalise_args(local_path, output, width=width, height=height, fps=fps),
            timeout=NORMALISE_TIMEOUT_SECONDS,
        )
        path = storage.store_file(output, kind=kind)
        media = storage.describe_local(path, output, "video/mp4")
    return dataclasses.replace(media, original_path=original)


def normalise_args(
    source: str | Path, output: Path, *, width: int, height: int, fps: int
) -> list[str]:
    """Scale to cover the frame, crop the overflow, and encode for joining and streaming."""
    video_filter = (
        f"fps={fps},"
        f"scale={width}:{height}:force_original_aspect_ratio=increase,"
        f"crop={width}:{height},setsar=1,format=yuv420p"
    )
    keyint = str(max(1, round(fps * KEYFRAME_SECONDS)))
    return [
        "-i", str(source),
        "-map", "0:v:0",
        "-vf", video_filter,
        "-r", str(fps),
        "-c:v", "libx264",
        "-preset", X264_PRESET,
        "-crf", X264_CRF,
        "-pix_fmt", "yuv420p",
        "-g", keyint,
        "-keyint_min", keyint,
        "-sc_threshold", "0",
        "-force_key_frames", f"expr:gte(t,n_forced*{KEYFRAME_SECONDS})",
        "-an",
        "-map_metadata", "-1",
        "-fflags", "+bitexact",
        "-flags:v", "+bitexact",
        "-movflags", "+faststart",
        str(output),
    ]  # fmt: skip
