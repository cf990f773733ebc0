"""The 3D capture offline: real camera poses with pycolmap, then an honest 2.5D turntable.

There is no NeRF here (training one needs a GPU; that is the Modal backend). The pose stage is
the real thing: COLMAP on the CPU places the photos around the product. The turntable is made
from the registered photos' cutouts, ordered by the camera's azimuth and cross-faded from one
to the next: a flip-book of real views, not new ones, which is why the job says "2.5D".

Frames are RGBA PNGs of FRAME_SIZE² stored under one folder (`frames_prefix`), rendered and
stored in batches, then joined into a VP9 WebM with alpha (`yuva420p`), which browsers play
with its transparency and FFmpeg overlays onto a scene clip.
"""

import io
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import numpy as np
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from media_pipeline import ffmpeg, storage
from media_pipeline.base import (
    CaptureHooks,
    CapturePhoto,
    CaptureResult,
    ProviderError,
    StoredMedia,
)
from media_pipeline.capture_poses import PoseFailure, recover_poses
from media_pipeline.metering import metered

BACKEND = "local"
LABEL = "2.5D turntable from your photos (made offline: no NeRF)"
FRAME_SIZE = 512
FPS = 24
BATCH = 120
PRODUCT_SHARE = 0.85  # of the frame the product's longer side fills
ASSEMBLE_TIMEOUT_SECONDS = 1800
NO_CUTOUTS = (
    "None of the placed photos has a cutout yet; wait for the cutouts to finish, then try again."
)


class LocalCaptureBackend:
    label = LABEL
    runs_locally = True

    def __init__(self, *, frame_size: int = FRAME_SIZE, **options: object) -> None:
        self.frame_size = frame_size

    def poses(
        self, *, photos: list[CapturePhoto], state: dict, resume: str, hooks: CaptureHooks
    ) -> CaptureResult:
        with (
            metered("capture", BACKEND, "pycolmap"),
            _local_copies([photo.image_path for photo in photos]) as paths,
        ):
            try:
                poses = recover_poses(
                    paths, on_image=lambda placed: hooks.progress(100 * placed // len(paths))
                )
            except PoseFailure as failure:
                raise ProviderError(str(failure), permanent=True) from failure
        return CaptureResult(
            state={
                **state,
                "order": poses.registered,
                "azimuths": poses.azimuths,
                "unregistered": poses.unregistered,
                "centres": poses.centres,
            }
        )

    def train(self, *, photos, state, resume: str, hooks: CaptureHooks) -> CaptureResult:
        """Nothing to train offline: the turntable is made from the photos themselves."""
        hooks.progress(100)
        return CaptureResult(state={**state, "model": ""})

    def render(
        self, *, photos, state, frame_count: int, resume: str, hooks: CaptureHooks
    ) -> CaptureResult:
        views = [
            (photos[index].cutout_path, azimuth)
            for index, azimuth in zip(state["order"], state["azimuths"], strict=True)
            if photos[index].cutout_path
        ]
        if not views:
            raise ProviderError(NO_CUTOUTS, permanent=True)
        with metered("capture", BACKEND, "turntable-2.5d"):
            cutouts = [(_fitted(path, self.frame_size), azimuth) for path, azimuth in views]
            prefix = f"captures/{uuid.uuid4().hex}"
            with tempfile.TemporaryDirectory(prefix="reelsmith-turntable-") as directory:
                folder = Path(directory)
                for start in range(0, frame_count, BATCH):
                    for index in range(start, min(frame_count, start + BATCH)):
                        frame = turntable_frame(cutouts, 360.0 * index / frame_count)
                        _store_frame(frame, folder, prefix, index)
                    hooks.progress(90 * min(frame_count, start + BATCH) // frame_count)
                clip = _assemble(folder)
                poster = storage.describe(
                    storage.store_file(folder / "00000.png", kind="captures"), "image/png"
                )
        hooks.progress(100)
        return CaptureResult(
            state={**state, "views": len(cutouts)},
            clip=clip,
            poster=poster,
            frames_prefix=prefix,
            frame_count=frame_count,
        )

    def cancel(self, *, call_id: str) -> None:
        """Local stages run inside the job; cancelling the job is enough."""


def turntable_frame(cutouts: list[tuple[Image.Image, float]], angle: float) -> Image.Image:
    """The two views either side of `angle`, cross-faded by how near each one is."""
    azimuths = np.array([azimuth for _, azimuth in cutouts])
    after = int(np.searchsorted(azimuths, angle % 360.0)) % len(cutouts)
    before = (after - 1) % len(cutouts)
    span = (azimuths[after] - azimuths[before]) % 360.0 or 360.0
    weight = ((angle - azimuths[before]) % 360.0) / span
    return Image.blend(cutouts[before][0], cutouts[after][0], min(1.0, max(0.0, weight)))


def _fitted(path: str, size: int) -> Image.Image:
    """The cutout scaled into a transparent square, centred, standing on a common baseline."""
    with storage.local_copy(path) as local, Image.open(local) as image:
        cutout = image.convert("RGBA")
    scale = size * PRODUCT_SHARE / max(cutout.size)
    cutout = cutout.resize(
        (max(1, round(cutout.width * scale)), max(1, round(cutout.height * scale))), Image.LANCZOS
    )
    frame = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    bottom = size - round(size * (1 - PRODUCT_SHARE) / 2)
    frame.alpha_composite(cutout, ((size - cutout.width) // 2, bottom - cutout.height))
    return frame


def _store_frame(frame: Image.Image, folder: Path, prefix: str, index: int) -> None:
    buffer = io.BytesIO()
    frame.save(buffer, format="PNG")
    name = f"{index:05d}.png"
    (folder / name).write_bytes(buffer.getvalue())
    default_storage.save(f"{prefix}/{name}", ContentFile(buffer.getvalue()))


def _assemble(folder: Path) -> StoredMedia:
    """The frames as a transparent VP9 WebM (alpha kept as `yuva420p`)."""
    output = folder / "turntable.webm"
    args = [
        "-framerate", str(FPS), "-i", str(folder / "%05d.png"),
        "-c:v", "libvpx-vp9", "-pix_fmt", "yuva420p", "-b:v", "0", "-crf", "32",
        "-auto-alt-ref", "0", str(output),
    ]  # fmt: skip
    ffmpeg.run_ffmpeg(args, timeout=ASSEMBLE_TIMEOUT_SECONDS)
    path = storage.store_file(output, kind="captures")
    return storage.describe_local(path, output, "video/webm")


@contextmanager
def _local_copies(paths: list[str]) -> Iterator[list[Path]]:
    with ExitStack() as stack:
        yield [stack.enter_context(storage.local_copy(path)) for path in paths]
