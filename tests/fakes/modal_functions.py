"""An in-process stand-in of the deployed capture functions, behind ModalCaptureBackend's adapter.

Modal speaks gRPC, so no HTTP fake can stand in for it; the backend talks to Modal only through
`ModalFunctions` (upload, spawn, poll, progress, cancel, read), and this class answers those
calls the way the deployed functions in modal_functions/nerf_app.py would:

    fake = FakeModalFunctions()
    fake.script("train", polls=3, result={"ok": True, "config": "k/config.yml", "seconds": 61.0})
    backend = ModalCaptureBackend(functions=fake, poll_interval=0)
"""

import io
import itertools
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from media_pipeline import ffmpeg

DEFAULT_RESULTS = {
    "colmap_poses": {"ok": True, "registered": 12, "unregistered": [], "seconds": 40.0},
    "train": {"ok": True, "config": "{key}/outputs/config.yml", "seconds": 900.0},
    "render": {
        "ok": True,
        "clip": "{key}/turntable.webm",
        "poster": "{key}/frames/00000.png",
        "frames_dir": "{key}/frames",
        "frame_count": 4,
        "seconds": 300.0,
    },
}


@dataclass
class Call:
    function: str
    payload: dict[str, Any]
    polls_left: int
    result: Any = None
    error: Exception | None = None
    cancelled: bool = False
    polls: int = 0


@dataclass
class FakeModalFunctions:
    calls: dict[str, Call] = field(default_factory=dict)
    uploads: dict[str, bytes] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    progress_values: dict[str, int] = field(default_factory=dict)
    scripts: dict[str, list[dict]] = field(default_factory=dict)
    _ids = itertools.count(1)

    def script(
        self, function: str, *, polls: int = 0, result: Any = None, error: Exception | None = None
    ) -> None:
        """How the next call of `function` behaves: `polls` looks still running, then this."""
        self.scripts.setdefault(function, []).append(
            {"polls": polls, "result": result, "error": error}
        )

    # --- the adapter's interface ------------------------------------------------------

    def upload(self, files: dict) -> None:
        for remote, local in files.items():
            self.uploads[remote] = local.read_bytes()

    def spawn(self, function: str, payload: dict[str, Any]) -> str:
        plan = (self.scripts.get(function) or [{"polls": 1, "result": None, "error": None}]).pop(0)
        result = plan["result"] if plan["result"] is not None else self._default(function, payload)
        call_id = f"fc-{next(self._ids):06d}"
        self.calls[call_id] = Call(function, payload, plan["polls"], result, plan["error"])
        return call_id

    def poll(self, call_id: str) -> tuple[bool, Any]:
        call = self.calls[call_id]
        call.polls += 1
        if call.cancelled:
            raise RuntimeError("the call was cancelled")
        if call.polls_left > 0:
            call.polls_left -= 1
            self.progress_values[call.payload["key"]] = 50
            return False, None
        if call.error is not None:
            raise call.error
        return True, call.result

    def progress(self, key: str) -> int | None:
        return self.progress_values.get(key)

    def cancel(self, call_id: str) -> None:
        self.calls[call_id].cancelled = True

    def read(self, remote: str):
        yield self.files[remote]

    # --- what tests read --------------------------------------------------------------

    def spawned(self, function: str) -> list[Call]:
        return [call for call in self.calls.values() if call.function == function]

    def _default(self, function: str, payload: dict[str, Any]) -> dict:
        key = payload["key"]
        result = {
            name: value.format(key=key) if isinstance(value, str) else value
            for name, value in DEFAULT_RESULTS[function].items()
        }
        if function == "render":
            self.files[result["clip"]] = turntable_webm()
            self.files[result["poster"]] = _png()
        return result


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (16, 16), (200, 30, 30, 128)).save(buffer, format="PNG")
    return buffer.getvalue()


def turntable_webm() -> bytes:
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        for index in range(4):
            Image.new("RGBA", (16, 16), (50 * index, 30, 30, 128)).save(folder / f"{index:05d}.png")
        output = folder / "turntable.webm"
        ffmpeg.run_ffmpeg(
            ["-framerate", "24", "-i", str(folder / "%05d.png"), "-c:v", "libvpx-vp9",
             "-pix_fmt", "yuva420p", "-auto-alt-ref", "0", str(output)],
            timeout=60,
        )  # fmt: skip
        return output.read_bytes()
