"""The Modal app for 3D product captures: COLMAP poses, nerfstudio training, a turntable render.

Deploy:   MODAL_GPU=A10G modal deploy modal_functions/nerf_app.py   (T4 when unset: development)

The web app never imports this module. Its capture backend
(media_pipeline/backends/modal_capture.py) calls these functions by name through
`modal.Function.from_name(APP_NAME, ...)`, spawns them and polls their calls. Photos arrive on
the `reelsmith-captures` volume under `<key>/images/`; every output is written under `<key>/`
on the same volume and committed. Each function reports progress in the `reelsmith-capture-
progress` Dict under the job's key and returns a plain dict (`ok`, `message` when not ok,
`seconds` it ran) — plain values, so the caller needs nothing from this module to unpickle them.

Facts the commands rely on (nerfstudio 1.1.5):
- `ns-process-data images` shells out to the `colmap` binary; its default vocab-tree matching
  downloads a file, so matching is `exhaustive`.
- `ns-train` must get `--viewer.quit-on-train-completion True` headless, or it hangs or ends in
  an AssertionError; booleans take explicit values. `--vis tensorboard` needs no login.
- A transparent render needs training with `--pipeline.model.background-color random`, the
  `rgba` output, PNG frames and a camera path without a `crop`.
"""

import json
import math
import os
import re
import subprocess
import time
from pathlib import Path

import modal

APP_NAME = os.environ.get("MODAL_APP_NAME", "reelsmith-nerf")
GPU = os.environ.get("MODAL_GPU", "T4")
ROOT = Path("/captures")
TRAIN_ITERATIONS = int(os.environ.get("CAPTURE_TRAIN_ITERATIONS", "30000"))
RENDER_BATCH = 120
RENDER_SIZE = 1080
FPS = 24
MIN_REGISTERED_SHARE = 0.75
STEP_RE = re.compile(r"^\s*(\d+)\s+\(\s*[\d.]+%\)")

image = (
    modal.Image.from_registry("nvidia/cuda:11.8.0-devel-ubuntu22.04", add_python="3.10")
    .apt_install("colmap", "ffmpeg", "git", "build-essential")
    .pip_install(
        "torch==2.1.2", "torchvision==0.16.2", index_url="https://download.pytorch.org/whl/cu118"
    )
    .pip_install("nerfstudio==1.1.5")
)
volume = modal.Volume.from_name("reelsmith-captures", create_if_missing=True)
progress = modal.Dict.from_name("reelsmith-capture-progress", create_if_missing=True)
app = modal.App(APP_NAME)


@app.function(image=image, cpu=8.0, memory=16384, timeout=1800, volumes={ROOT: volume})
def colmap_poses(job: dict) -> dict:
    """Camera poses with COLMAP on the CPU, through `ns-process-data` (it writes transforms.json)."""
    started = time.monotonic()
    volume.reload()
    key = job["key"]
    output = ROOT / key / "dataset"
    _run([
        "ns-process-data", "images", "--data", str(ROOT / key / "images"),
        "--output-dir", str(output), "--matching-method", "exhaustive",
        "--sfm-tool", "colmap", "--camera-type", "perspective", "--no-gpu",
        "--num-downscales", "2",
    ])  # fmt: skip
    frames = json.loads((output / "transforms.json").read_text())["frames"]
    placed = {Path(frame["file_path"]).name for frame in frames}
    names = [Path(name).name for name in job["images"]]
    missing = [index for index, name in enumerate(names) if name not in placed]
    volume.commit()
    progress[key] = 100
    result = {"registered": len(placed), "unregistered": missing, "seconds": _since(started)}
    if len(placed) < math.ceil(MIN_REGISTERED_SHARE * len(names)):
        return result | {"ok": False, "message": _too_few(len(names), len(placed), missing)}
    return result | {"ok": True}


@app.function(image=image, gpu=GPU, timeout=5400, volumes={ROOT: volume})
def train(job: dict) -> dict:
    """nerfacto on the registered photos, with a random background so renders carry alpha."""
    started = time.monotonic()
    volume.reload()
    key = job["key"]
    command = [
        "ns-train", "nerfacto", "--data", str(ROOT / key / "dataset"),
        "--max-num-iterations", str(TRAIN_ITERATIONS), "--vis", "tensorboard",
        "--viewer.quit-on-train-completion", "True", "--output-dir", str(ROOT / key / "outputs"),
        "--experiment-name", key, "--pipeline.model.background-color", "random",
        "--save-only-latest-checkpoint", "True",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in process.stdout:
        match = STEP_RE.match(line)
        if match:
            progress[key] = min(99, 100 * int(match[1]) // TRAIN_ITERATIONS)
    if process.wait() != 0:
        raise RuntimeError(f"ns-train exited with {process.returncode}")
    config = sorted((ROOT / key / "outputs").rglob("config.yml"))[-1]
    volume.commit()
    progress[key] = 100
    return {"ok": True, "config": str(config), "seconds": _since(started)}


@app.function(image=image, gpu=GPU, timeout=3600, volumes={ROOT: volume})
def render(job: dict) -> dict:
    """`frame_count` RGBA frames on an orbit around the product, rendered in batches, then a
    transparent WebM (VP9, yuva420p) and a poster frame."""
    started = time.monotonic()
    volume.reload()
    key, count = job["key"], int(job["frame_count"])
    frames = ROOT / key / "frames"
    frames.mkdir(parents=True, exist_ok=True)
    orbit = _orbit(Path(job["config"]), ROOT / key / "dataset", count)
    for start in range(0, count, RENDER_BATCH):
        _render_batch(job["config"], orbit[start : start + RENDER_BATCH], frames, start)
        progress[key] = min(95, 100 * (start + RENDER_BATCH) // count)
    clip = ROOT / key / "turntable.webm"
    _run([
        "ffmpeg", "-y", "-framerate", str(FPS), "-i", str(frames / "%05d.png"),
        "-c:v", "libvpx-vp9", "-pix_fmt", "yuva420p", "-b:v", "0", "-crf", "30",
        "-auto-alt-ref", "0", str(clip),
    ])  # fmt: skip
    volume.commit()
    progress[key] = 100
    return {
        "ok": True,
        "clip": f"{key}/turntable.webm",
        "poster": f"{key}/frames/00000.png",
        "frames_dir": f"{key}/frames",
        "frame_count": count,
        "seconds": _since(started),
    }


def _render_batch(config: str, cameras: list[dict], frames: Path, start: int) -> None:
    path = frames.parent / f"path-{start:05d}.json"
    path.write_text(json.dumps({
        "camera_type": "perspective", "render_height": RENDER_SIZE, "render_width": RENDER_SIZE,
        "seconds": len(cameras) / FPS, "camera_path": cameras, "crop": None,
    }))  # fmt: skip
    batch = frames.parent / f"batch-{start:05d}"
    _run([
        "ns-render", "camera-path", "--load-config", config, "--camera-path-filename", str(path),
        "--output-format", "images", "--image-format", "png",
        "--rendered-output-names", "rgba", "--output-path", str(batch),
    ])  # fmt: skip
    for index, frame in enumerate(sorted(batch.glob("*.png"))):
        frame.rename(frames / f"{start + index:05d}.png")


def _orbit(config: Path, dataset: Path, count: int) -> list[dict]:
    """Cameras circling the training cameras' centre at their mean radius and height, looking
    at it, in nerfstudio's normalised frame (dataparser_transforms.json carries poses there)."""
    import numpy as np

    run = config.parent
    transform = json.loads((run / "dataparser_transforms.json").read_text())
    frames = json.loads((dataset / "transforms.json").read_text())["frames"]
    matrix, scale = np.array(transform["transform"]), transform["scale"]
    centres = np.array([
        scale * (matrix @ np.append(np.array(frame["transform_matrix"])[:3, 3], 1.0))
        for frame in frames
    ])  # fmt: skip
    radius = float(np.linalg.norm(centres[:, :2], axis=1).mean())
    height = float(centres[:, 2].mean())
    return [_look_at(2 * math.pi * index / count, radius, height) for index in range(count)]


def _look_at(angle: float, radius: float, height: float) -> dict:
    import numpy as np

    eye = np.array([radius * math.cos(angle), radius * math.sin(angle), height])
    back = eye / np.linalg.norm(eye)  # OpenGL cameras look down -z, so z points back at the eye
    right = np.cross([0.0, 0.0, 1.0], back)
    right /= np.linalg.norm(right)
    up = np.cross(back, right)
    pose = np.eye(4)
    pose[:3, 0], pose[:3, 1], pose[:3, 2], pose[:3, 3] = right, up, back, eye
    return {"camera_to_world": pose.flatten().tolist(), "fov": 40, "aspect": 1.0}


def _too_few(total: int, placed: int, missing: list[int]) -> str:
    named = ", ".join(str(index + 1) for index in missing[:12])
    return (
        f"Only {placed} of {total} photos could be placed in 3D (not placed: photo {named}). "
        "Add photos every 15 to 30 degrees around the product, each overlapping its "
        "neighbours, in even light, with the product filling most of the frame."
    )


def _run(command: list[str]) -> None:
    subprocess.run(command, check=True)


def _since(started: float) -> float:
    return round(time.monotonic() - started, 1)
