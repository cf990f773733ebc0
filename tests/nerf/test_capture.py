"""The capture job: stages as provider jobs, through the Modal backend (against the in-process
stand-in) and fully offline (pycolmap, the 2.5D turntable); failures, cancel, retry, pages."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from media_pipeline.backends.local_cutout import store_rgba
from media_pipeline.backends.modal_capture import ModalCaptureBackend
from media_pipeline.budgets import BudgetExceeded
from nerf import services, tasks
from nerf.models import NERF_STATES, NerfJob
from nerf.services import CaptureError
from operations.models import Budget
from projects.models import CutoutStatus
from tests.factories import ProductFactory, ProductImageFactory, ProjectFactory
from tests.fakes.modal_functions import FakeModalFunctions
from tests.fakes.products import turntable_views

pytestmark = pytest.mark.django_db
PHOTOS = 12


@pytest.fixture
def enqueued(monkeypatch):
    """Stage jobs sent on commit, by queue, instead of to the broker."""
    sent = []
    monkeypatch.setattr(
        tasks.capture_stage_task,
        "apply_async",
        lambda kwargs, queue: sent.append((queue, kwargs["job_id"])),
    )
    return sent


@pytest.fixture
def modal(settings):
    fake = FakeModalFunctions()
    settings.CAPTURE_FRAME_COUNT = 4
    settings.MEDIA_PIPELINE = {
        **settings.MEDIA_PIPELINE,
        "capture": {
            "BACKEND": "media_pipeline.backends.modal_capture.ModalCaptureBackend",
            "OPTIONS": {"functions": fake, "poll_interval": 0, "gpu": "A10G"},
        },
    }
    return fake


@pytest.fixture
def product(user):
    product = ProductFactory(owner=user)
    for position in range(PHOTOS):
        ProductImageFactory(product=product, position=position)
    ProjectFactory(owner=user, product=product)
    return product


def run_all(job_id: int, enqueued, capture) -> NerfJob:
    """Deliver each stage job as a worker would, until none is waiting."""
    while enqueued:
        _, job_id = enqueued.pop(0)
        with capture(execute=True):
            tasks.capture_stage_task.apply(kwargs={"job_id": job_id})
    return NerfJob.objects.get(pk=job_id)


def test_a_capture_past_the_monthly_budget_is_refused_and_starts_nothing(
    user, product, modal, enqueued
):
    Budget.objects.create(user=user, monthly_limit=Decimal("0.10"))

    with pytest.raises(BudgetExceeded):
        services.capture_start(product=product, user=user)

    assert not NerfJob.objects.exists()
    assert enqueued == []


def test_fewer_photos_than_a_capture_needs_are_refused_with_what_to_do(user):
    product = ProductFactory(owner=user)
    ProductImageFactory(product=product)

    with pytest.raises(CaptureError, match="at least 12 photos"):
        services.capture_start(product=product, user=user)


def test_the_modal_capture_runs_its_three_stages_and_prices_the_gpu_time(
    product, user, modal, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.capture_start(product=product, user=user)
    assert enqueued == [("io", job.pk)]

    done = run_all(job.pk, enqueued, django_capture_on_commit_callbacks)

    assert done.status == NerfJob.Status.COMPLETE
    assert [call.function for call in modal.calls.values()] == ["colmap_poses", "train", "render"]
    assert done.turntable.name.endswith(".webm") and done.poster
    assert (done.frame_count, done.progress, done.remote_call_id) == (4, 100, "")
    assert set(done.stage_seconds) == {"colmap", "train", "render"}
    assert done.gpu_seconds == 1200.0  # train 900 s + render 300 s, as the functions reported
    assert float(done.cost_usd) == pytest.approx(1200 * 0.000306, abs=1e-4)
    assert done.backend_label == ModalCaptureBackend.label


def test_a_failed_stage_fails_the_job_with_its_message_and_retry_runs_it_again(
    product, user, modal, enqueued, django_capture_on_commit_callbacks
):
    modal.script(
        "colmap_poses",
        result={
            "ok": False,
            "message": "Only 3 of 12 photos could be placed.",
            "registered": 3,
            "unregistered": [],
            "seconds": 9.0,
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = services.capture_start(product=product, user=user)

    failed = run_all(job.pk, enqueued, django_capture_on_commit_callbacks)
    assert (failed.status, failed.stage) == (NerfJob.Status.ERROR, NerfJob.Stage.COLMAP)
    assert failed.error == "Only 3 of 12 photos could be placed."

    with django_capture_on_commit_callbacks(execute=True):
        services.capture_retry(job=failed)
    assert (
        run_all(job.pk, enqueued, django_capture_on_commit_callbacks).status
        == NerfJob.Status.COMPLETE
    )


def test_cancel_stops_the_job_and_the_running_call_on_modal(
    product, user, modal, enqueued, django_capture_on_commit_callbacks
):
    job = services.capture_start(product=product, user=user)
    call_id = modal.spawn("train", {"key": job.state["key"]})
    NerfJob.objects.filter(pk=job.pk).update(
        status=NerfJob.Status.RUNNING, stage=NerfJob.Stage.TRAIN, remote_call_id=call_id
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.capture_cancel(job=job)

    assert NerfJob.objects.get(pk=job.pk).status == NerfJob.Status.CANCELLED
    assert modal.calls[call_id].cancelled
    with pytest.raises(CaptureError):
        services.capture_cancel(job=job)


def test_only_one_capture_of_a_product_runs_at_once(product, user, modal, enqueued):
    services.capture_start(product=product, user=user)

    with pytest.raises(CaptureError, match="already running"):
        services.capture_start(product=product, user=user)


def test_every_declared_transition_and_no_other():
    statuses = NerfJob.Status.values
    for source in statuses:
        for target in statuses:
            assert NERF_STATES.allows(source, target) == (
                target in NERF_STATES.edges.get(source, ())
            )
    assert not NERF_STATES.allows(NerfJob.Status.COMPLETE, NerfJob.Status.PENDING)


def test_the_offline_capture_places_real_photos_and_makes_a_labelled_25d_turntable(
    user, settings, enqueued, django_capture_on_commit_callbacks
):
    settings.CAPTURE_FRAME_COUNT = 6
    product = ProductFactory(owner=user)
    for position, view in enumerate(turntable_views(count=16, size=480)):
        buffer = io.BytesIO()
        view.image.save(buffer, format="PNG")
        ProductImageFactory(
            product=product,
            position=position,
            image=SimpleUploadedFile(f"{position}.png", buffer.getvalue()),
            cutout=store_rgba(view.image.convert("RGBA")).path,
            cutout_status=CutoutStatus.DONE,
        )
    with django_capture_on_commit_callbacks(execute=True):
        job = services.capture_start(product=product, user=user)
    assert enqueued == [("media", job.pk)]

    done = run_all(job.pk, enqueued, django_capture_on_commit_callbacks)

    assert done.status == NerfJob.Status.COMPLETE, done.error
    assert "2.5D" in done.backend_label
    assert sorted(done.state["order"]) == list(range(16))
    assert done.turntable.name.endswith(".webm") and done.frame_count == 6
    assert (done.gpu_seconds, float(done.cost_usd)) == (0.0, 0.0)


def test_capture_pages_and_files_are_the_owners_only(
    client, user, other_user, product, modal, enqueued
):
    job = services.capture_start(product=product, user=user)
    project = product.projects.get()
    client.force_login(other_user)
    assert client.get(reverse("nerf:capture", args=[project.pk])).status_code == 404
    assert client.post(reverse("nerf:capture_action", args=[job.pk, "cancel"])).status_code == 404
    client.force_login(user)
    page = client.get(reverse("nerf:capture", args=[project.pk]))
    assert page.status_code == 200 and f'id="capture-{job.pk}"' in page.content.decode()
