import pytest
from django.core.files.storage import default_storage
from PIL import Image, ImageChops

from media_pipeline import ffmpeg, storage
from media_pipeline.backends.local_image import render_image
from media_pipeline.backends.local_video import LocalVideoBackend
from media_pipeline.base import CameraMove
from media_pipeline.models import ProviderUsage

from .conftest import FPS, FRAME_HEIGHT, FRAME_WIDTH, keyframe_times

pytestmark = pytest.mark.django_db


@pytest.fixture
def image_path(tmp_path):
    local = tmp_path / "scene.png"
    render_image("Glow serum bottle", width=FRAME_WIDTH, height=FRAME_HEIGHT, seed=3).save(local)
    return storage.store_file(local, kind="images")


def frames(path: str, tmp_path) -> tuple[Image.Image, Image.Image]:
    """The first and last frames of a stored clip."""
    with storage.local_copy(path) as local:
        first, last = tmp_path / "first.png", tmp_path / "last.png"
        ffmpeg.run_ffmpeg(["-i", str(local), "-frames:v", "1", str(first)], timeout=30)
        ffmpeg.run_ffmpeg(
            ["-sseof", "-0.2", "-i", str(local), "-update", "1", str(last)], timeout=30
        )
    return Image.open(first).convert("RGB"), Image.open(last).convert("RGB")


def test_clip_has_profile_frame_rate_and_requested_duration(image_path):
    media = LocalVideoBackend().animate(
        image_path=image_path, duration=2.5, motion="zoom_in", seed=1
    )

    with storage.local_copy(media.path) as local:
        facts = ffmpeg.probe(local)
    assert (facts.width, facts.height, facts.fps) == (FRAME_WIDTH, FRAME_HEIGHT, FPS)
    assert (facts.video_codec, facts.pix_fmt, facts.has_audio) == ("h264", "yuv420p", False)
    assert facts.duration == pytest.approx(2.5, abs=1 / FPS)
    assert media.duration == pytest.approx(2.5, abs=1 / FPS)
    assert default_storage.exists(media.original_path)


def test_keyframes_every_half_second(image_path):
    media = LocalVideoBackend().animate(
        image_path=image_path, duration=3, motion="pan_left", seed=1
    )

    with storage.local_copy(media.path) as local:
        assert keyframe_times(local) == pytest.approx([0, 0.5, 1, 1.5, 2, 2.5], abs=0.01)


@pytest.mark.parametrize("motion", CameraMove.values)
def test_camera_moves_between_first_and_last_frame(image_path, tmp_path, motion):
    media = LocalVideoBackend().animate(image_path=image_path, duration=1.5, motion=motion, seed=1)

    first, last = frames(media.path, tmp_path)
    assert ImageChops.difference(first, last).getbbox() is not None


def test_each_motion_gives_a_different_clip(image_path):
    backend = LocalVideoBackend()

    paths = {
        backend.animate(image_path=image_path, duration=1, motion=motion, seed=1).path
        for motion in CameraMove.values
    }

    assert len(paths) == len(CameraMove.values)


def test_options_override_the_quality_profile(image_path):
    backend = LocalVideoBackend(frame_size=(48, 80), fps=10)

    media = backend.animate(image_path=image_path, duration=1, motion="zoom_out", seed=1)

    assert (media.width, media.height, media.fps) == (48, 80, 10)


def test_unknown_motion_is_refused(image_path):
    with pytest.raises(ValueError, match="zoom_in"):
        LocalVideoBackend().animate(image_path=image_path, duration=1, motion="spin", seed=1)


def test_missing_image_is_metered_as_a_failure():
    with pytest.raises(FileNotFoundError):
        LocalVideoBackend().animate(
            image_path="generated/images/none.png", duration=1, motion="zoom_in", seed=1
        )

    usage = ProviderUsage.objects.get()
    assert (usage.capability, usage.outcome) == ("video", "retryable")


def test_each_clip_is_metered(image_path):
    LocalVideoBackend().animate(image_path=image_path, duration=1, motion="zoom_in", seed=1)

    usage = ProviderUsage.objects.get()
    assert (usage.capability, usage.backend, usage.outcome) == ("video", "local", "success")
