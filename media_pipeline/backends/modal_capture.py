"""The 3D capture on Modal: COLMAP poses, NeRF training and the turntable render on GPUs.

The functions live in `modal_functions/nerf_app.py`, deployed with `modal deploy`; this backend
never imports that module. It calls the deployed functions by name (`modal.Function.from_name`
— `Function.lookup` is gone in modal 1.x), spawns each stage, stores the call id on the job at
once (`hooks.started`) and polls it with `FunctionCall.get(timeout=0)`, which raises the builtin
TimeoutError while the call runs. Every wait sleeps under the stage's deadline, which renews the
job's lease; past the deadline, or when the job is cancelled, the call is cancelled on Modal.
A redelivered job passes the stored id back as `resume` and waits for that call instead of
paying for a second one.

Photos go to a Modal Volume under the job's key; the finished clip and frames come back from
it. Modal's transport is gRPC, so tests replace `ModalFunctions` (the thin adapter below) with
an in-process stand-in of the deployed functions. The token comes from the environment
(MODAL_TOKEN_ID / MODAL_TOKEN_SECRET), read by the modal client itself.
"""

import logging
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage

from media_pipeline import deadlines, storage
from media_pipeline.base import (
    CaptureHooks,
    CapturePhoto,
    CaptureResult,
    ProviderError,
    StoredMedia,
)
from media_pipeline.deadlines import Deadline, DeadlineExceeded
from media_pipeline.metering import metered

logger = logging.getLogger(__name__)

BACKEND = "modal"
PROVIDER = "Modal"
LABEL = "NeRF turntable (trained on Modal)"
VOLUME = "reelsmith-captures"
PROGRESS_DICT = "reelsmith-capture-progress"
# How long each stage may take before it is cancelled: COLMAP on 8 CPUs, nerfacto's 30k steps
# on one GPU, and the turntable render in batches.
STAGE_DEADLINES = {"poses": 1800.0, "train": 5400.0, "render": 3600.0}
FUNCTIONS = {"poses": "colmap_poses", "train": "train", "render": "render"}
CANCELLED_MESSAGE = "The capture was cancelled."


class ModalFunctions:
    """The thin adapter over modal's client: everything this backend asks of Modal."""

    def __init__(self, app_name: str) -> None:
        import modal  # the gRPC client: loaded only where the capture runs

        self.modal = modal
        self.app_name = app_name
        self.volume = modal.Volume.from_name(VOLUME, create_if_missing=True)
        self.progress_dict = modal.Dict.from_name(PROGRESS_DICT, create_if_missing=True)

    def upload(self, files: dict[str, Path]) -> None:
        with self.volume.batch_upload(force=True) as batch:
            for remote, local in files.items():
                batch.put_file(str(local), remote)

    def spawn(self, function: str, payload: dict[str, Any]) -> str:
        call = self.modal.Function.from_name(self.app_name, function).spawn(payload)
        return call.object_id

    def poll(self, call_id: str) -> tuple[bool, Any]:
        """(done, result); a failed call raises what the function raised."""
        call = self.modal.FunctionCall.from_id(call_id)
        try:
            return True, call.get(timeout=0)
        except TimeoutError:
            return False, None
        except self.modal.exception.OutputExpiredError as error:
            raise ProviderError(
                "Modal no longer holds this stage's result; start the capture again.",
                permanent=True,
            ) from error

    def progress(self, key: str) -> int | None:
        return self.progress_dict.get(key)

    def cancel(self, call_id: str) -> None:
        self.modal.FunctionCall.from_id(call_id).cancel()

    def read(self, remote: str) -> Iterator[bytes]:
        yield from self.volume.read_file(remote)


class ModalCaptureBackend:
    label = LABEL
    runs_locally = False

    def __init__(
        self,
        *,
        functions: Any = None,
        poll_interval: float = 10.0,
        deadlines_seconds: dict[str, float] | None = None,
        gpu: str = "",
    ) -> None:
        self.functions = functions or ModalFunctions(settings.MODAL_APP_NAME)
        self.poll_interval = poll_interval
        self.deadlines = {**STAGE_DEADLINES, **(deadlines_seconds or {})}
        # The GPU the deployed app was given (MODAL_GPU at `modal deploy`), for the cost.
        self.gpu = gpu or settings.QUALITY_PROFILE["nerf_gpu"]

    def poses(self, *, photos, state, resume: str, hooks: CaptureHooks) -> CaptureResult:
        key = state["key"]
        if not resume:
            with tempfile.TemporaryDirectory(prefix="reelsmith-upload-") as directory:
                self.functions.upload(_photo_files(photos, key, Path(directory)))
        names = [f"{key}/images/{index:04d}.jpg" for index in range(len(photos))]
        result = self._stage("poses", {"key": key, "images": names}, resume, hooks)
        registered = {"registered": result["registered"], "unregistered": result["unregistered"]}
        return CaptureResult(state={**state, **registered})

    def train(self, *, photos, state, resume: str, hooks: CaptureHooks) -> CaptureResult:
        payload = {"key": state["key"]}
        result = self._stage("train", payload, resume, hooks)
        return CaptureResult(
            state={**state, "config": result["config"]}, gpu_seconds=result["seconds"]
        )

    def render(
        self, *, photos, state, frame_count: int, resume: str, hooks: CaptureHooks
    ) -> CaptureResult:
        payload = {"key": state["key"], "config": state["config"], "frame_count": frame_count}
        result = self._stage("render", payload, resume, hooks)
        clip = self._fetch(result["clip"], kind="captures", extension="webm")
        poster = self._fetch(result["poster"], kind="captures", extension="png")
        return CaptureResult(
            state={**state, "frames": result["frames_dir"]},
            gpu_seconds=result["seconds"],
            clip=clip,
            poster=poster,
            frames_prefix=result["frames_dir"],
            frame_count=result["frame_count"],
        )

    def cancel(self, *, call_id: str) -> None:
        if call_id:
            self.functions.cancel(call_id)

    def _stage(self, stage: str, payload: dict, resume: str, hooks: CaptureHooks) -> dict:
        """Spawn the stage (or take up `resume`), then poll it to its end or its deadline."""
        deadline = Deadline(self.deadlines[stage], provider=PROVIDER)
        with metered("capture", BACKEND, FUNCTIONS[stage]) as meter, deadlines.within(deadline):
            call_id = resume or self.functions.spawn(FUNCTIONS[stage], payload)
            hooks.started(call_id)
            result = self._wait(call_id, payload["key"], deadline, hooks)
            meter.predict_seconds = result.get("seconds")
        if not result.get("ok", False):
            raise ProviderError(result.get("message") or "The GPU stage failed.", permanent=True)
        return result

    def _wait(self, call_id: str, key: str, deadline: Deadline, hooks: CaptureHooks) -> dict:
        try:
            while True:
                deadline.check()
                if hooks.cancelled():
                    self.functions.cancel(call_id)
                    raise ProviderError(CANCELLED_MESSAGE, permanent=True)
                done, result = self._poll(call_id)
                if done:
                    return result
                progress = self.functions.progress(key)
                if progress is not None:
                    hooks.progress(int(progress))
                deadline.sleep(max(0.0, min(self.poll_interval, deadline.remaining())))
        except DeadlineExceeded as exceeded:
            self.functions.cancel(call_id)
            raise ProviderError(
                f"The capture stage took longer than {deadline.seconds:.0f} s and was stopped. "
                "Try again, or use fewer photos.",
                permanent=True,
            ) from exceeded

    def _poll(self, call_id: str) -> tuple[bool, Any]:
        try:
            return self.functions.poll(call_id)
        except ProviderError:
            raise
        except Exception as error:  # the remote function raised: Modal re-raises it here
            raise ProviderError(
                f"The GPU stage failed on Modal ({type(error).__name__}: {error}); trying again.",
                permanent=False,
            ) from error

    def _fetch(self, remote: str, *, kind: str, extension: str) -> StoredMedia:
        with tempfile.TemporaryDirectory(prefix="reelsmith-modal-") as directory:
            local = Path(directory) / f"download.{extension}"
            with local.open("wb") as target:
                for chunk in self.functions.read(remote):
                    target.write(chunk)
            path = storage.store_file(local, kind=kind)
            return storage.describe_local(path, local)


def _photo_files(photos: list[CapturePhoto], key: str, folder: Path) -> dict[str, Path]:
    """The photos copied out of storage, named by index under the job's key on the volume."""
    files = {}
    for index, photo in enumerate(photos):
        local = folder / f"{index:04d}.jpg"
        with default_storage.open(photo.image_path, "rb") as source:
            local.write_bytes(source.read())
        files[f"{key}/images/{index:04d}.jpg"] = local
    return files
