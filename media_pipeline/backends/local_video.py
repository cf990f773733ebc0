"""Image→video without a model: an FFmpeg camera move (zoom or pan) over the still image."""

import tempfile
from pathlib import Path

from django.conf import settings

from media_pipeline import ffmpeg, storage
from media_pipeline.base import CameraMove, StoredMedia
from media_pipeline.clips import normalise_clip
from media_pipeline.metering import metered

BACKEND = "local"
MODEL = "ffmpeg-zoompan"
MAX_ZOOM = 0.18  # how far the camera pushes in over the clip (1.18×)
# zoompan moves in whole pixels; working on a larger copy makes slow moves smooth.
SUPERSAMPLE = 2
RENDER_TIMEOUT_SECONDS = 300
MIN_DURATION = 0.5


class LocalVideoBackend:
    # FFmpeg works on this machine's CPU: its jobs go to the `media` queue, sized for that.
    runs_locally = True

    def __init__(
        self,
        *,
        frame_size: tuple[int, int] | None = None,
        fps: int | None = None,
        **options: object,
    ) -> None:
        profile = settings.QUALITY_PROFILE
        self.width, self.height = frame_size or profile["frame_size"]
        self.fps = fps or profile["fps"]

    def animate(self, *, image_path: str, duration: float, motion: str, seed: int) -> StoredMedia:
        if motion not in CameraMove.values:
            raise ValueError(
                f"Unknown camera motion {motion!r}; expected one of {', '.join(CameraMove.values)}."
            )
        with (
            metered("video", BACKEND, MODEL),
            tempfile.TemporaryDirectory(prefix="reelsmith-motion-") as directory,
        ):
            moving = Path(directory) / "motion.mp4"
            with storage.local_copy(image_path) as image:
                ffmpeg.run_ffmpeg(
                    self._motion_args(image, moving, duration, motion),
                    timeout=RENDER_TIMEOUT_SECONDS,
                )
            return normalise_clip(moving, width=self.width, height=self.height, fps=self.fps)

    def _motion_args(self, image: Path, output: Path, duration: float, motion: str) -> list[str]:
        frames = max(2, round(max(duration, MIN_DURATION) * self.fps))
        work_w, work_h = self.width * SUPERSAMPLE, self.height * SUPERSAMPLE
        video_filter = (
            f"scale={work_w}:{work_h}:force_original_aspect_ratio=increase,crop={work_w}:{work_h},"
            f"{zoompan_filter(motion, frames=frames, width=self.width, height=self.height, fps=self.fps)},"
            "format=yuv420p"
        )
        return [
            "-i", str(image),
            "-vf", video_filter,
            "-frames:v", str(frames),
            "-c:v", "libx264", "-preset", "ultrafast", "-crf", "12",
            str(output),
        ]  # fmt: skip


def zoompan_filter(motion: str, *, frames: int, width: int, height: int, fps: int) -> str:
    """A zoompan that makes `frames` frames of width×height from one still image.

    `on` is the output frame number; `progress` runs 0→1 across the clip.
    """
    progress = f"(on/{frames - 1})"
    centre_x, centre_y = "(iw-iw/zoom)/2", "(ih-ih/zoom)/2"
    zoom, x = {
        "zoom_in": (f"1+{MAX_ZOOM}*{progress}", centre_x),
        "zoom_out": (f"1+{MAX_ZOOM}*(1-{progress})", centre_x),
        "pan_left": (f"1+{MAX_ZOOM}", f"(iw-iw/zoom)*(1-{progress})"),
        "pan_right": (f"1+{MAX_ZOOM}", f"(iw-iw/zoom)*{progress}"),
    }[motion]
    return f"zoompan=z='{zoom}':x='{x}':y='{centre_y}':d={frames}:s={width}x{height}:fps={fps}"
