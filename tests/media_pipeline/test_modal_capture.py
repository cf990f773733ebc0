"""The Modal capture backend against an in-process stand-in of the deployed functions: spawn,
poll, progress, resume, timeout, cancel, failure."""

import pytest

from media_pipeline import ffmpeg, storage
from media_pipeline.backends.modal_capture import CANCELLED_MESSAGE, ModalCaptureBackend
from media_pipeline.base import CapturePhoto, ProviderError
from tests.fakes.modal_functions import FakeModalFunctions
from tests.fakes.replicate_server import png_bytes

pytestmark = pytest.mark.django_db
STATE = {"key": "capture-test"}


class Hooks:
    def __init__(self, *, cancel_after_polls: int | None = None) -> None:
        self.call_ids: list[str] = []
        self.percents: list[int] = []
        self.cancel_after_polls = cancel_after_polls
        self.looks = 0

    def started(self, call_id: str) -> None:
        self.call_ids.append(call_id)

    def progress(self, percent: int) -> None:
        self.percents.append(percent)

    def cancelled(self) -> bool:
        self.looks += 1
        return self.cancel_after_polls is not None and self.looks > self.cancel_after_polls


@pytest.fixture
def fake():
    return FakeModalFunctions()


@pytest.fixture
def backend(fake):
    return ModalCaptureBackend(functions=fake, poll_interval=0, gpu="A10G")


@pytest.fixture
def photos():
    return [
        CapturePhoto(storage.store_bytes(png_bytes((32, 32), n), kind="products", extension="png"))
        for n in range(3)
    ]


def test_poses_uploads_the_photos_spawns_by_name_and_polls_to_the_result(backend, fake, photos):
    fake.script(
        "colmap_poses",
        polls=2,
        result={"ok": True, "registered": 3, "unregistered": [], "seconds": 12.0},
    )
    hooks = Hooks()

    result = backend.poses(photos=photos, state=STATE, resume="", hooks=hooks)

    (call,) = fake.spawned("colmap_poses")
    assert call.payload["images"] == [f"capture-test/images/{n:04d}.jpg" for n in range(3)]
    assert sorted(fake.uploads) == call.payload["images"]
    assert call.polls == 3
    assert hooks.call_ids == [next(iter(fake.calls))]
    assert hooks.percents == [50, 50]
    assert result.state == {"key": "capture-test", "registered": 3, "unregistered": []}


def test_train_reports_its_gpu_seconds(backend, fake, photos):
    result = backend.train(photos=photos, state=STATE, resume="", hooks=Hooks())

    assert result.gpu_seconds == 900.0
    assert result.state["config"] == "capture-test/outputs/config.yml"


def test_render_brings_the_transparent_clip_and_poster_back_into_storage(backend, fake, photos):
    state = {**STATE, "config": "capture-test/outputs/config.yml"}

    result = backend.render(photos=photos, state=state, frame_count=4, resume="", hooks=Hooks())

    (call,) = fake.spawned("render")
    assert call.payload == {"key": "capture-test", "config": state["config"], "frame_count": 4}
    assert result.clip.path.startswith("generated/captures/") and result.clip.path.endswith(".webm")
    with storage.local_copy(result.clip.path) as local:
        assert ffmpeg.probe(local).has_video
    assert (result.frame_count, result.frames_prefix) == (4, "capture-test/frames")


def test_a_redelivered_stage_resumes_the_stored_call_instead_of_spawning(backend, fake, photos):
    call_id = fake.spawn("train", {"key": "capture-test"})

    backend.train(photos=photos, state=STATE, resume=call_id, hooks=Hooks())

    assert len(fake.spawned("train")) == 1
    assert fake.calls[call_id].polls >= 1


def test_past_its_deadline_the_call_is_cancelled_and_the_stage_fails(fake, photos):
    backend = ModalCaptureBackend(
        functions=fake, poll_interval=0.01, deadlines_seconds={"train": 0.05}
    )
    fake.script("train", polls=10_000)

    with pytest.raises(ProviderError) as caught:
        backend.train(photos=photos, state=STATE, resume="", hooks=Hooks())

    assert caught.value.permanent
    assert "took longer than" in caught.value.message
    (call,) = fake.spawned("train")
    assert call.cancelled


def test_cancelling_the_job_cancels_the_call_on_modal(backend, fake, photos):
    fake.script("train", polls=100)

    with pytest.raises(ProviderError) as caught:
        backend.train(photos=photos, state=STATE, resume="", hooks=Hooks(cancel_after_polls=2))

    assert caught.value.message == CANCELLED_MESSAGE
    assert fake.spawned("train")[0].cancelled


def test_a_function_that_raised_is_a_retryable_failure(backend, fake, photos):
    fake.script("train", polls=1, error=RuntimeError("CUDA error: out of memory"))

    with pytest.raises(ProviderError) as caught:
        backend.train(photos=photos, state=STATE, resume="", hooks=Hooks())

    assert not caught.value.permanent
    assert "CUDA error: out of memory" in caught.value.message


def test_too_few_registered_photos_fail_permanently_with_the_functions_message(
    backend, fake, photos
):
    message = "Only 4 of 12 photos could be placed in 3D (not placed: photo 5, 6). Add photos."
    fake.script(
        "colmap_poses",
        result={
            "ok": False,
            "message": message,
            "registered": 4,
            "unregistered": [4, 5],
            "seconds": 30.0,
        },
    )

    with pytest.raises(ProviderError) as caught:
        backend.poses(photos=photos, state=STATE, resume="", hooks=Hooks())

    assert caught.value.permanent
    assert caught.value.message == message


def test_cancel_by_call_id(backend, fake):
    call_id = fake.spawn("render", {"key": "capture-test"})

    backend.cancel(call_id=call_id)

    assert fake.calls[call_id].cancelled
