"""A transparent turntable over a scene clip: placed, scaled, looped, its transparency kept."""

from pathlib import Path

import pytest
from PIL import Image

from media_pipeline import ffmpeg, storage
from media_pipeline.overlay import overlay_turntable

pytestmark = pytest.mark.django_db


def red_clip(folder: Path) -> str:
    path = folder / "scene.mp4"
    ffmpeg.run_ffmpeg(
        ["-f", "lavfi", "-i", "color=c=red:s=64x112:r=8:d=1.5", "-pix_fmt", "yuv420p", str(path)],
        timeout=60,
    )
    return storage.store_file(path, kind="clips")


def green_square_turntable(folder: Path) -> str:
    """Half a second of a green square on a transparent frame (the border is see-through)."""
    for index in range(4):
        frame = Image.new("RGBA", (32, 32), (0, 0, 0, 0))
        frame.paste((0, 200, 0, 255), (8, 8, 24, 24))
        frame.save(folder / f"{index:05d}.png")
    path = folder / "turntable.webm"
    ffmpeg.run_ffmpeg(
        ["-framerate", "8", "-i", str(folder / "%05d.png"), "-c:v", "libvpx-vp9",
         "-pix_fmt", "yuva420p", "-auto-alt-ref", "0", str(path)],
        timeout=60,
    )  # fmt: skip
    return storage.store_file(path, kind="captures")


def frame_at(path: str, seconds: float, folder: Path) -> Image.Image:
    png = folder / f"frame-{seconds}.png"
    with storage.local_copy(path) as local:
        ffmpeg.run_ffmpeg(
            ["-ss", str(seconds), "-i", str(local), "-frames:v", "1", str(png)], timeout=60
        )
    return Image.open(png).convert("RGB")


def test_the_turntable_sits_where_asked_for_the_whole_clip_and_its_border_stays_clear(tmp_path):
    clip = red_clip(tmp_path)
    turntable = green_square_turntable(tmp_path)

    media = overlay_turntable(clip_path=clip, turntable_path=turntable, x=0.5, y=1.0, scale=0.5)

    assert (media.width, media.height) == (64, 112)
    assert media.duration == pytest.approx(1.5, abs=0.15)
    late = frame_at(media.path, 1.25, tmp_path)  # past the turntable's own length: it loops
    square, corner = late.getpixel((32, 96)), late.getpixel((2, 2))
    assert square[1] > 150 and square[0] < 80  # the square's centre, bottom middle
    assert corner[0] > 200 and corner[1] < 60  # a corner stays the scene's red
    assert late.getpixel((32, 82))[0] > 200  # the turntable's transparent border shows the scene
