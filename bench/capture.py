"""What the offline capture path costs: pycolmap poses by photo count, and cutouts per photo.

    .venv/bin/python bench/capture.py [--counts 12 24 48] [--size 640] [--cutouts 5]

Poses: a textured box on a textured floor rendered from cameras circling it (the same scene
as tests/media_pipeline/test_capture_poses.py), at --size px, one fresh child process per
count so each peak is its own: wall time, CPU time (user+system) and peak resident memory of
`recover_poses` (SIFT, exhaustive matching, incremental mapping), with how many photos it
placed and the worst camera-centre error after similarity alignment.

Cutouts: the local GrabCut backend on --cutouts synthetic product photos (1200×1600, the size
phones upload after our 40-megapixel cap is far away), per photo; and the Replicate backend's
own overhead against the local fake (the model's time on Replicate is not measurable here).

The Modal path cannot run here (no token, no GPU). Its cost per capture is estimated from the
stage figures below, stated as estimates: see the closing note of the run.

Results (2 shared CPU cores, 640 px, 2026-11): poses for 12 photos 11.0 s wall / 16.2 s CPU /
446 MiB and none placed (30° apart, this object's views do not chain: the stage fails saying
what to add); 24 photos 46.6 s / 52.7 s / 465 MiB, all placed, worst centre 0.0078 on a 4.5
orbit; 48 photos 130 s / 189 s / 504 MiB, all placed, worst 0.0055. Local cutout 0.35 s a
1200×1600 photo (IoU 0.997, peak 298 MiB); the Replicate backend's own overhead 0.21 s a photo
against the fake. Modal, estimated: ≈ $0.56 a capture on a T4, ≈ $0.59 on an A10G.
"""

import argparse
import multiprocessing
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Modal list prices (US$ per second) and nerfacto stage estimates for ~24 photos at 1080 px:
# 30k steps ≈ 20 min on an A10G (≈ 35 min on a T4); 1440 frames at 1080² ≈ 0.5 s each.
GPU_PRICE = {"T4": 0.000164, "A10G": 0.000306}
CPU_CORE_PRICE = 0.0000131
ESTIMATE_SECONDS = {
    "T4": {"train": 35 * 60, "render": 1440 * 0.9},
    "A10G": {"train": 20 * 60, "render": 1440 * 0.5},
}


def _setup() -> None:
    import django

    django.setup()


def pose_run(count: int, size: int) -> dict:
    """In a child process: render, recover, measure."""
    _setup()
    import numpy as np

    from media_pipeline.capture_poses import PoseFailure, align, recover_poses
    from tests.fakes.products import turntable_views

    views = turntable_views(count=count, size=size)
    with tempfile.TemporaryDirectory() as directory:
        paths = []
        for index, view in enumerate(views):
            path = Path(directory) / f"{index:03d}.png"
            view.image.save(path)
            paths.append(path)
        before = os.times()
        started = time.perf_counter()
        try:
            poses = recover_poses(paths)
            placed, error = len(poses.registered), _worst(poses, views, align, np)
        except PoseFailure:
            placed, error = 0, float("nan")
        wall = time.perf_counter() - started
        after = os.times()
    cpu = (after.user - before.user) + (after.system - before.system)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "count": count,
        "wall": wall,
        "cpu": cpu,
        "peak": peak,
        "placed": placed,
        "error": error,
    }


def _worst(poses, views, align, np) -> float:
    truth = np.array([views[index].centre for index in poses.registered])
    found = align(np.array(poses.centres), truth)
    return float(np.linalg.norm(found - truth, axis=1).max())


def cutout_run(photos: int) -> dict:
    _setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()
    import numpy as np

    from media_pipeline.backends.local_cutout import subject_mask
    from tests.fakes.products import product_photo

    seconds, scores = [], []
    for seed in range(photos):
        photo, truth = product_photo((1200, 1600), seed=seed + 1)
        rgb = np.asarray(photo)
        started = time.perf_counter()
        found = subject_mask(rgb) > 127
        seconds.append(time.perf_counter() - started)
        scores.append(float((found & truth).sum() / (found | truth).sum()))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "iou": scores, "peak": peak}


def replicate_overhead(photos: int) -> list[float]:
    """The Replicate backend's own time per photo against the local fake (upload, poll, fetch)."""
    _setup()
    from django.conf import settings
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.MEDIA_ROOT = tempfile.mkdtemp()
    import io

    from media_pipeline import storage
    from media_pipeline.backends.replicate_media import ReplicateCutoutBackend
    from tests.fakes.products import product_photo
    from tests.fakes.replicate_server import FakeReplicate

    seconds = []
    with FakeReplicate() as fake:
        settings.REPLICATE_API_TOKEN, settings.REPLICATE_BASE_URL = fake.api_token, fake.url
        settings.PUBLIC_BASE_URL = ""
        backend = ReplicateCutoutBackend(poll_interval=0.05)
        for seed in range(photos):
            photo, _ = product_photo((300, 400), seed=seed + 1)
            buffer = io.BytesIO()
            photo.save(buffer, format="PNG")
            path = storage.store_bytes(buffer.getvalue(), kind="products", extension="png")
            started = time.perf_counter()
            backend.cutout(image_path=path)
            seconds.append(time.perf_counter() - started)
    return seconds


def _child(function, *args):
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(function, args)


def modal_estimate(poses_cpu_seconds: float) -> None:
    print("\nModal path per capture (ESTIMATES from stage figures, not measured runs):")
    # COLMAP on Modal's CPUs: the core-seconds it took here, at Modal's price per core-second.
    colmap = poses_cpu_seconds * CPU_CORE_PRICE
    for gpu, stages in ESTIMATE_SECONDS.items():
        gpu_seconds = stages["train"] + stages["render"]
        cost = gpu_seconds * GPU_PRICE[gpu] + colmap
        print(
            f"  {gpu:5s}: train ≈ {stages['train'] / 60:.0f} min + render ≈ "
            f"{stages['render'] / 60:.0f} min = {gpu_seconds:.0f} GPU s × "
            f"${GPU_PRICE[gpu]}/s + COLMAP ≈ ${colmap:.3f} → ≈ ${cost:.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--counts", type=int, nargs="+", default=[12, 24, 48])
    parser.add_argument("--size", type=int, default=640)
    parser.add_argument("--cutouts", type=int, default=5)
    options = parser.parse_args()

    print(f"Poses with pycolmap (CPU), {options.size} px, one child process each:")
    print("  photos   wall s    CPU s   peak MiB   placed   worst centre error (orbit r=4.5)")
    colmap_cpu = 0.0
    for count in options.counts:
        run = _child(pose_run, count, options.size)
        colmap_cpu = max(colmap_cpu, run["cpu"] if count <= 24 else 0.0)
        print(
            f"  {count:6d} {run['wall']:8.1f} {run['cpu']:8.1f} {run['peak']:10.0f} "
            f"{run['placed']:5d}/{count:<3d} {run['error']:10.4f}"
        )

    cutouts = _child(cutout_run, options.cutouts)
    median = statistics.median(cutouts["seconds"])
    print(
        f"\nLocal cutout (GrabCut, 1200×1600, cut at 512 px): median {median:.2f} s a photo, "
        f"IoU {min(cutouts['iou']):.4f}–{max(cutouts['iou']):.4f}, peak {cutouts['peak']:.0f} MiB"
    )
    overhead = _child(replicate_overhead, options.cutouts)
    print(
        f"Replicate cutout backend against the local fake: median {statistics.median(overhead):.2f} s "
        "a photo of our own overhead (the model's time on Replicate is not included)"
    )
    modal_estimate(colmap_cpu)


if __name__ == "__main__":
    main()
