"""Camera poses with pycolmap on the CPU, on a textured object rendered from known cameras, and
the offline 2.5D turntable made from cutouts ordered by azimuth."""

import numpy as np
import pytest
from PIL import Image

from media_pipeline import ffmpeg, storage
from media_pipeline.backends.local_capture import LocalCaptureBackend, turntable_frame
from media_pipeline.backends.local_cutout import store_rgba
from media_pipeline.base import CapturePhoto, ProviderError
from media_pipeline.capture_poses import PoseFailure, align, recover_poses
from tests.fakes.products import turntable_views

pytestmark = pytest.mark.django_db
ORBIT_RADIUS = 4.5
# Measured: 16 views at 480 px recover every camera, worst centre 0.02 (0.5% of the radius).
TOLERANCE = 0.02 * ORBIT_RADIUS


class Hooks:
    def __init__(self) -> None:
        self.percents: list[int] = []

    def started(self, call_id: str) -> None: ...

    def progress(self, percent: int) -> None:
        self.percents.append(percent)

    def cancelled(self) -> bool:
        return False


def saved(views, folder) -> list:
    paths = []
    for index, view in enumerate(views):
        path = folder / f"{index}.png"
        view.image.save(path)
        paths.append(path)
    return paths


def test_cameras_circling_a_textured_object_are_recovered(tmp_path):
    views = turntable_views(count=16, size=480)
    placed = []

    poses = recover_poses(saved(views, tmp_path), on_image=placed.append)

    assert sorted(poses.registered) == list(range(16))
    assert poses.unregistered == []
    truth = np.array([views[index].centre for index in poses.registered])
    errors = np.linalg.norm(align(np.array(poses.centres), truth) - truth, axis=1)
    print(
        f"camera centre error after similarity alignment: max {errors.max():.4f}, "
        f"rms {np.sqrt((errors**2).mean()):.4f} (orbit radius {ORBIT_RADIUS})"
    )
    assert errors.max() < TOLERANCE
    assert poses.azimuths == sorted(poses.azimuths)
    assert placed  # progress came from the mapper, image by image


def test_photos_that_share_nothing_fail_naming_what_to_add(tmp_path):
    rng = np.random.default_rng(0)
    paths = []
    for index in range(8):
        path = tmp_path / f"{index}.png"
        Image.fromarray(rng.integers(0, 255, (120, 120, 3), dtype=np.uint8)).save(path)
        paths.append(path)

    with pytest.raises(PoseFailure) as caught:
        recover_poses(paths)

    message = str(caught.value)
    assert message.startswith("Only 0 of 8 photos could be placed")
    assert "photo 1, 2, 3" in message
    assert "every 15 to 30 degrees" in message


def cutout(colour) -> str:
    image = Image.new("RGBA", (40, 60), (0, 0, 0, 0))
    image.paste((*colour, 255), (10, 10, 30, 60))
    return store_rgba(image).path


def test_the_local_turntable_is_a_transparent_clip_of_the_cutouts_by_azimuth():
    photos = [CapturePhoto("unused.png", cutout(colour)) for colour in ((250, 0, 0), (0, 0, 250))]
    state = {"order": [1, 0], "azimuths": [0.0, 180.0]}
    hooks = Hooks()

    result = LocalCaptureBackend(frame_size=64).render(
        photos=photos, state=state, frame_count=8, resume="", hooks=hooks
    )

    assert result.frame_count == 8
    frames = sorted(storage.default_storage.listdir(result.frames_prefix)[1])
    assert frames == [f"{index:05d}.png" for index in range(8)]
    with storage.default_storage.open(f"{result.frames_prefix}/00000.png") as first:
        frame = Image.open(first)
        assert frame.mode == "RGBA" and frame.getpixel((0, 0))[3] == 0
        assert frame.getpixel((32, 40))[:3] == (0, 0, 250)  # azimuth 0 is photo 1, the blue one
    with storage.local_copy(result.clip.path) as local:
        facts = ffmpeg.probe(local)
    assert facts.has_video and result.clip.path.endswith(".webm")
    assert hooks.percents[-1] == 100


def test_halfway_between_two_views_the_frame_blends_them():
    red = Image.new("RGBA", (4, 4), (250, 0, 0, 255))
    blue = Image.new("RGBA", (4, 4), (0, 0, 250, 255))

    frame = turntable_frame([(red, 0.0), (blue, 180.0)], 90.0)

    assert frame.getpixel((0, 0))[:3] == (125, 0, 125)


def test_a_turntable_without_any_cutout_fails_saying_to_wait():
    with pytest.raises(ProviderError, match="wait for the cutouts"):
        LocalCaptureBackend().render(
            photos=[CapturePhoto("a.png")],
            state={"order": [0], "azimuths": [0.0]},
            frame_count=4,
            resume="",
            hooks=Hooks(),
        )
