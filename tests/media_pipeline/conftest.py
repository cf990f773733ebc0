import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from media_pipeline import ffmpeg
from media_pipeline.registry import providers

FRAME_WIDTH, FRAME_HEIGHT, FPS = 64, 112, 8
LOCAL_BACKENDS = {
    "text": ("media_pipeline.backends.local_text.LocalTextBackend", {"token_delay": 0}),
    "image": ("media_pipeline.backends.local_image.LocalImageBackend", {}),
    "video": ("media_pipeline.backends.local_video.LocalVideoBackend", {}),
    "compositing": ("media_pipeline.backends.local_compositing.LocalCompositingBackend", {}),
    "audio": ("media_pipeline.backends.local_audio.LocalAudioBackend", {}),
    "cutout": ("media_pipeline.backends.local_cutout.LocalCutoutBackend", {}),
    "capture": ("media_pipeline.backends.local_capture.LocalCaptureBackend", {}),
}
KEYFRAME_RE = re.compile(r"pts_time:(?P<time>[\d.]+).*?iskey:1")


@pytest.fixture(autouse=True)
def engine_settings(settings, small_frames):
    """Small frames, a low frame rate and the local backends, so FFmpeg runs stay fast."""
    settings.QUALITY_PROFILE = dict(small_frames, frame_size=(FRAME_WIDTH, FRAME_HEIGHT), fps=FPS)
    settings.MEDIA_PIPELINE = {
        capability: {"BACKEND": backend, "OPTIONS": options}
        for capability, (backend, options) in LOCAL_BACKENDS.items()
    }
    providers.reset()
    yield settings
    providers.reset()


@pytest.fixture
def make_clip(tmp_path):
    """A local test-pattern clip with a tone, in any size, rate and length."""

    def make(name="source.mp4", *, width=96, height=96, fps=12, seconds=1.5, audio=True):
        path = tmp_path / name
        args = ["-f", "lavfi", "-i", f"testsrc2=s={width}x{height}:r={fps}:d={seconds}"]
        if audio:
            args += ["-f", "lavfi", "-i", f"sine=d={seconds}", "-c:a", "aac", "-shortest"]
        ffmpeg.run_ffmpeg([*args, "-c:v", "libx264", "-pix_fmt", "yuv444p", str(path)], timeout=60)
        return path

    return make


@pytest.fixture
def make_png(tmp_path):
    def make(name="picture.png", *, size=(64, 112), color=(200, 40, 90, 255), mode="RGBA"):
        path = tmp_path / name
        Image.new(mode, size, color[: len(mode)]).save(path)
        return path

    return make


def keyframe_times(path: Path) -> list[float]:
    """Timestamps of the keyframes, read with FFmpeg's showinfo filter (no ffprobe here)."""
    command = [ffmpeg.ffmpeg_binary(), "-hide_banner", "-nostdin", "-i", str(path)]
    command += ["-vf", "showinfo", "-f", "null", "-"]
    output = subprocess.run(command, capture_output=True, text=True, timeout=60).stderr
    return [float(match["time"]) for match in KEYFRAME_RE.finditer(output)]
