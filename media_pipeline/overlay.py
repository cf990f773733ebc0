"""A transparent turntable (a product's 3D capture) over a scene clip, placed and scaled.

The turntable is a VP9 WebM with alpha; FFmpeg's native VP9 decoder drops the alpha plane,
so it is read with `libvpx-vp9`. It loops for the clip's whole length; the result goes through
`clips.normalise_clip` so it joins with every other scene clip.
"""

import tempfile
from pathlib import Path

from media_pipeline import clips, ffmpeg, storage
from media_pipeline.base import StoredMedia

OVERLAY_TIMEOUT_SECONDS = 600
INTERMEDIATE_CRF = "12"  # nearly lossless: the clip is encoded once more by normalise_clip


def overlay_turntable(
    *, clip_path: str, turntable_path: str, x: float, y: float, scale: float
) -> StoredMedia:
    """`x`, `y` in 0-1 place the turntable's box within the frame (0 left/top, 1 right/bottom);
    `scale` is its width as a share of the frame's."""
    with (
        storage.local_copy(clip_path) as clip,
        storage.local_copy(turntable_path) as turntable,
        tempfile.TemporaryDirectory(prefix="reelsmith-overlay-") as directory,
    ):
        facts = ffmpeg.probe(clip)
        output = Path(directory) / "overlaid.mp4"
        ffmpeg.run_ffmpeg(
            overlay_args(clip, turntable, output, width=facts.width, x=x, y=y, scale=scale),
            timeout=OVERLAY_TIMEOUT_SECONDS,
        )
        return clips.normalise_clip(
            output, width=facts.width, height=facts.height, fps=round(facts.fps)
        )


def overlay_args(
    clip: Path, turntable: Path, output: Path, *, width: int, x: float, y: float, scale: float
) -> list[str]:
    size = max(2, round(width * scale / 2) * 2)
    graph = (
        f"[1:v]scale={size}:-2,format=rgba[product];"
        f"[0:v][product]overlay=x=(main_w-overlay_w)*{x:.3f}:y=(main_h-overlay_h)*{y:.3f}"
        ":shortest=1:format=auto[v]"
    )
    return [
        "-i", str(clip),
        "-stream_loop", "-1", "-c:v", "libvpx-vp9", "-i", str(turntable),
        "-filter_complex", graph, "-map", "[v]", "-an",
        "-c:v", "libx264", "-crf", INTERMEDIATE_CRF, "-preset", "veryfast", "-pix_fmt", "yuv420p",
        str(output),
    ]  # fmt: skip
