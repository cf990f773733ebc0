import time
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.utils import timezone

from config.asgi import application
from media_pipeline import heartbeat, jobs
from media_pipeline.base import ProviderError
from media_pipeline.deadlines import Deadline
from media_pipeline.jobs import MAX_RETRIES, UNEXPECTED
from media_pipeline.models import ProviderUsage
from media_pipeline.registry import providers
from storyboards import services, tasks
from storyboards.generation import MOOD_COUNT
from storyboards.models import MOOD_IN_FLIGHT, GenerationStatus, Mood, MoodImage
from tests.factories import MoodFactory, ProjectFactory
from tests.storyboards.conftest import IMAGES_PER_MOOD

TRANSIENT = ProviderError("The image service is busy. Try again.", permanent=False, retry_after=1)
PERMANENT = ProviderError("The prompt was refused. Try a different brief.", permanent=True)
SLOW_IMAGE_SECONDS = 0.5
TIMEOUT = 5


@pytest.fixture
def project(user):
    return ProjectFactory(owner=user, complete_brief=True)


@pytest.fixture
def planned_board(project):
    """A board whose direction is planned and whose images wait for their jobs."""
    board = MoodFactory(project=project, status=Mood.Status.DRAWING)
    for position in range(IMAGES_PER_MOOD):
        MoodImage.objects.create(mood=board, position=position)
    return board


def run_images_job(board: Mood) -> Mood:
    for image in board.images.all():
        tasks.mood_image_draw_task.apply(kwargs={"mood_image_id": image.pk})
    board.refresh_from_db()
    return board


@pytest.fixture
def no_backoff(monkeypatch):
    waits = []
    monkeypatch.setattr(
        jobs, "retry_countdown", lambda attempt, retry_after: waits.append(retry_after) or 0
    )
    return waits


@pytest.mark.django_db
def test_generate_all_runs_to_finished_boards(
    project, user, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.mood_generate_all(project=project, user=user)

    moods = list(project.moods.prefetch_related("images"))
    assert {mood.status for mood in moods} == {Mood.Status.DONE}
    assert [mood.images.count() for mood in moods] == [IMAGES_PER_MOOD] * MOOD_COUNT
    usage = ProviderUsage.objects.filter(subject=f"project:{project.pk}", user_id=user.pk)
    assert usage.filter(capability="text").count() == 1
    assert usage.filter(capability="image").count() == IMAGES_PER_MOOD * MOOD_COUNT


@pytest.mark.django_db
def test_transient_error_is_retried_and_the_board_finishes(
    planned_board, image_backend, no_backoff
):
    image_backend.errors = [TRANSIENT]

    board = run_images_job(planned_board)

    assert board.status == Mood.Status.DONE
    assert sorted(board.images.values_list("attempts", flat=True)) == [1, 2]
    assert no_backoff == [1]


@pytest.mark.django_db
def test_transient_errors_past_the_retry_limit_fail_the_board(
    planned_board, image_backend, no_backoff
):
    image_backend.errors = [TRANSIENT] * (MAX_RETRIES + 1)

    board = run_images_job(planned_board)

    assert (board.status, board.error) == (Mood.Status.FAILED, TRANSIENT.message)
    assert board.images.first().attempts == MAX_RETRIES + 1


@pytest.mark.django_db
def test_permanent_error_fails_the_board_at_once_with_its_message(planned_board, image_backend):
    image_backend.errors = [PERMANENT]

    board = run_images_job(planned_board)

    failed = board.images.get(status=GenerationStatus.FAILED)
    assert (board.status, board.error) == (Mood.Status.FAILED, PERMANENT.message)
    assert (failed.attempts, failed.error) == (1, PERMANENT.message)


@pytest.mark.django_db
def test_a_failing_board_leaves_the_others_finishing(
    project, user, image_backend, eager_tasks, django_capture_on_commit_callbacks
):
    image_backend.errors = [PERMANENT]

    with django_capture_on_commit_callbacks(execute=True):
        services.mood_generate_all(project=project, user=user)

    statuses = list(project.moods.values_list("status", flat=True))
    assert statuses == [Mood.Status.FAILED] + [Mood.Status.DONE] * (MOOD_COUNT - 1)


@pytest.mark.django_db
def test_a_failed_plan_fails_every_board_it_was_planning(project, monkeypatch):
    def refuse(**kwargs):
        raise PERMANENT

    boards = [
        MoodFactory(project=project, position=p, status=Mood.Status.PLANNING, name="")
        for p in range(2)
    ]
    monkeypatch.setattr(providers["text"], "plan_moods", refuse)

    tasks.mood_plan_task.apply(kwargs={"mood_ids": [board.pk for board in boards]})

    assert set(project.moods.values_list("status", "error")) == {
        (Mood.Status.FAILED, PERMANENT.message)
    }


@pytest.mark.django_db
def test_an_unexpected_error_fails_the_board_instead_of_leaving_it_running(
    planned_board, image_backend
):
    image_backend.errors = [RuntimeError("bug")]

    board = run_images_job(planned_board)

    assert (board.status, board.error) == (Mood.Status.FAILED, UNEXPECTED)


@pytest.mark.django_db
def test_an_image_another_job_holds_is_rescheduled_for_when_its_lease_runs_out(
    planned_board, image_backend, monkeypatch
):
    rescheduled = []
    monkeypatch.setattr(
        tasks.mood_image_draw_task,
        "apply_async",
        lambda kwargs, countdown: rescheduled.append(kwargs),
    )
    image = planned_board.images.first()
    MoodImage.objects.filter(pk=image.pk).update(status=GenerationStatus.RUNNING)

    tasks.mood_image_draw_task.apply(kwargs={"mood_image_id": image.pk})

    assert rescheduled == [{"mood_image_id": image.pk}]
    assert image_backend.calls == 0


@pytest.mark.django_db
def test_sweep_task_fails_stuck_boards(project):
    MoodFactory(project=project, status=Mood.Status.PLANNING, status_changed_at="2020-01-01T00:00Z")

    assert tasks.mood_sweep_task.apply().get() == 1


@pytest.mark.slow
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_boards_are_drawn_in_parallel_by_the_io_worker(mood_engine, io_worker):
    """One job per image on a pooled worker: every image of every board is drawn at once."""
    mood_engine.MEDIA_PIPELINE["image"]["OPTIONS"] = {"delay": SLOW_IMAGE_SECONDS}
    providers.reset()
    project = ProjectFactory(complete_brief=True)

    services.mood_generate_all(project=project, user=project.owner)
    statuses = wait_for_boards(
        project, timeout=SLOW_IMAGE_SECONDS * IMAGES_PER_MOOD * MOOD_COUNT + 10
    )

    assert statuses == [Mood.Status.DONE] * MOOD_COUNT
    assert providers["image"].most_at_once == MOOD_COUNT * IMAGES_PER_MOOD


def wait_for_boards(project, *, timeout: float) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        statuses = list(project.moods.values_list("status", flat=True))
        if statuses and all(status not in MOOD_IN_FLIGHT for status in statuses):
            return statuses
        time.sleep(0.05)
    return list(project.moods.values_list("status", flat=True))


@pytest.mark.django_db(transaction=True)
def test_a_board_job_pushes_each_change_to_the_open_page(project, user, planned_board):
    headers = session_headers(user)

    async def scenario() -> list[str]:
        communicator = WebsocketCommunicator(
            application, f"/ws/projects/{project.pk}/?page=mood", headers=headers
        )
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        assert connected
        snapshot = await communicator.receive_from(timeout=TIMEOUT)
        assert 'id="mood-boards" class="mood-region" hx-swap-oob="true"' in snapshot
        await sync_to_async(run_images_job)(planned_board)
        # Each image claimed and stored, then the board finished: one push each.
        pushed = [
            await communicator.receive_from(timeout=TIMEOUT) for _ in range(2 * IMAGES_PER_MOOD + 1)
        ]
        assert await communicator.receive_nothing(timeout=0.3)
        await communicator.disconnect()
        return pushed

    pushed = async_to_sync(scenario)()

    board = f'<article id="mood-{planned_board.pk}"'
    assert all(board in push and 'hx-swap-oob="true"' in push for push in pushed)
    assert pushed[-1].count("<img ") == IMAGES_PER_MOOD and "Use this mood" in pushed[-1]
    assert 'id="mood-toolbar" class="mood-toolbar" hx-swap-oob="true"' in pushed[-1]


def session_headers(user) -> list[tuple[bytes, bytes]]:
    client = Client()
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return [(b"origin", b"http://testserver"), (b"cookie", cookie.encode())]


@pytest.mark.django_db
def test_a_provider_wait_renews_the_running_image_lease(planned_board, image_backend, monkeypatch):
    monkeypatch.setattr(heartbeat, "HEARTBEAT_SECONDS", 0)
    image = planned_board.images.first()
    draw = image_backend.generate
    renewed = []

    def wait_then_draw(**kwargs):
        long_ago = timezone.now() - timedelta(hours=1)
        MoodImage.objects.filter(pk=image.pk).update(status_changed_at=long_ago)
        Deadline(5, provider="Test").sleep(0)
        renewed.append(MoodImage.objects.get(pk=image.pk).status_changed_at > long_ago)
        return draw(**kwargs)

    monkeypatch.setattr(image_backend, "generate", wait_then_draw)

    tasks.mood_image_draw_task.apply(kwargs={"mood_image_id": image.pk})

    image.refresh_from_db()
    assert image.status == GenerationStatus.DONE
    assert renewed == [True]


@pytest.mark.django_db
def test_images_whose_jobs_were_lost_are_enqueued_again_by_the_sweep(planned_board, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.mood_image_draw_task, "delay", lambda **kwargs: sent.append(kwargs))
    lost = planned_board.images.first()
    waited = timezone.now() - jobs.waiting_too_long() - timedelta(seconds=1)
    MoodImage.objects.filter(pk=lost.pk).update(status_changed_at=waited)

    tasks.mood_sweep_task()

    assert sent == [{"mood_image_id": lost.pk}]
