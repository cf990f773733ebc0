"""Camera poses of a product's photos with COLMAP on the CPU (`pycolmap`, which bundles COLMAP).

SIFT features (at most WORK_SIZE px per side), exhaustive matching (a capture is 12 to 60
photos, so every pair is affordable, and no vocabulary tree has to be downloaded), then
incremental mapping with one shared camera. The largest model wins; photos it could not place
are named, and too few placed fails with what to shoot next.

    poses = recover_poses(local_paths, on_image=lambda done: ...)
    poses.centres, poses.azimuths     # per registered photo, in `registered` order
"""

import logging
import math
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

logger = logging.getLogger(__name__)

WORK_SIZE = 640
MAX_FEATURES = 4096
MIN_REGISTERED_SHARE = 0.75
MIN_REGISTERED = 8
# A turntable orbits at 15-30 degrees a step, so a photo shares fewer points with the model than
# in a walk-through: COLMAP's defaults (30 inliers to place a photo, 10 photos a model) are eased.
MAPPER_OPTIONS = {
    "min_model_size": 3,
    "mapper": {"abs_pose_min_num_inliers": 15, "init_min_tri_angle": 8.0},
}


class PoseFailure(Exception):
    """Too few photos could be placed; the message says what photos to add."""


@dataclass(frozen=True)
class Poses:
    registered: list[int]  # indices into the photos given, sorted by azimuth
    unregistered: list[int]
    centres: list[list[float]]  # camera centres in the model's frame
    azimuths: list[float]  # degrees around the axis the cameras circle


def recover_poses(paths: Sequence[Path], *, on_image: Callable[[int], None] | None = None) -> Poses:
    """Register the photos at `paths` (local files); raise PoseFailure if too few register."""
    import pycolmap  # 121 MB of COLMAP: loaded only by the processes that run this stage

    with tempfile.TemporaryDirectory(prefix="reelsmith-colmap-") as directory:
        root = Path(directory)
        names = _prepare(paths, root / "images")
        database = root / "database.db"
        pycolmap.extract_features(
            database,
            root / "images",
            camera_mode=pycolmap.CameraMode.SINGLE,
            extraction_options={"sift": {"max_num_features": MAX_FEATURES}},
            device=pycolmap.Device.cpu,
        )
        pycolmap.match_exhaustive(database, device=pycolmap.Device.cpu)
        placed = [0]

        def next_image() -> None:
            placed[0] += 1
            if on_image:
                on_image(placed[0])

        models = pycolmap.incremental_mapping(
            database,
            root / "images",
            root / "sparse",
            options=MAPPER_OPTIONS,
            next_image_callback=next_image,
        )
        return _poses(models, names)


def _prepare(paths: Sequence[Path], folder: Path) -> list[str]:
    """Upright copies at most WORK_SIZE px, named by index so the answer maps back."""
    folder.mkdir()
    names = []
    for index, path in enumerate(paths):
        name = f"{index:04d}.jpg"
        with Image.open(path) as photo:
            upright = ImageOps.exif_transpose(photo).convert("RGB")
        upright.thumbnail((WORK_SIZE, WORK_SIZE))
        upright.save(folder / name, quality=95)
        names.append(name)
    return names


def _poses(models: dict, names: list[str]) -> Poses:
    best = max(models.values(), key=lambda model: model.num_reg_images(), default=None)
    placed = {}
    if best is not None:
        for image in best.images.values():
            if image.has_pose:
                placed[names.index(image.name)] = image.projection_center()
    missing = [index for index in range(len(names)) if index not in placed]
    if len(placed) < max(MIN_REGISTERED, math.ceil(MIN_REGISTERED_SHARE * len(names))):
        raise PoseFailure(failure_message(len(names), len(placed), missing))
    indices = sorted(placed)
    centres = np.array([placed[index] for index in indices])
    azimuths = orbit_azimuths(centres)
    order = np.argsort(azimuths)
    return Poses(
        registered=[indices[i] for i in order],
        unregistered=missing,
        centres=centres[order].tolist(),
        azimuths=[float(azimuths[i]) for i in order],
    )


def orbit_azimuths(centres: np.ndarray) -> np.ndarray:
    """Degrees (0-360) of each camera around the orbit: the plane of the two main directions
    of the centres, measured from the first camera, in the order the cameras circle."""
    offsets = centres - centres.mean(axis=0)
    _, _, axes = np.linalg.svd(offsets, full_matrices=False)
    x, y = offsets @ axes[0], offsets @ axes[1]
    angles = np.degrees(np.arctan2(y, x))
    return (angles - angles[0]) % 360.0


def failure_message(total: int, placed: int, missing: list[int]) -> str:
    named = ", ".join(str(index + 1) for index in missing[:12])
    return (
        f"Only {placed} of {total} photos could be placed in 3D (not placed: photo {named}). "
        "Add photos every 15 to 30 degrees around the product, each overlapping its "
        "neighbours, in even light, with the product filling most of the frame and "
        "the background still."
    )


def align(found: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """`found` points carried onto `truth` by the best similarity (Umeyama): scale, rotation,
    translation. COLMAP's frame is arbitrary, so poses compare only after this."""
    mean_found, mean_truth = found.mean(axis=0), truth.mean(axis=0)
    a, b = found - mean_found, truth - mean_truth
    u, singular, vt = np.linalg.svd(b.T @ a / len(found))
    sign = np.eye(3)
    sign[2, 2] = np.sign(np.linalg.det(u @ vt))
    rotation = u @ sign @ vt
    scale = np.trace(np.diag(singular) @ sign) / a.var(axis=0).sum()
    return scale * a @ rotation.T + mean_truth
