import time

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from config.asgi import application
from media_pipeline.base import ProviderError
from media_pipeline.models import ProviderUsage
from storyboards import services, tasks
from storyboards.models import GenerationStatus, Mood
from storyboards.services import MOOD_COUNT
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
    return MoodFactory(
        project=project, status=GenerationStatus.QUEUED, image_prompt="bottle\nhands"
    )


def run_images_job(board: Mood) -> Mood:
    tasks.mood_images_task.apply(kwargs={"mood_id": board.pk})
    board.refresh_from_db()
    return board


@pytest.mark.django_db
def test_generate_all_runs_to_finished_boards(
    project, user, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.mood_generate_all(project=project, user=user)

    moods = list(project.moods.prefetch_related("images"))
    assert {mood.status for mood in moods} == {GenerationStatus.DONE}
    assert [mood.images.count() for mood in moods] == [IMAGES_PER_MOOD] * MOOD_COUNT
    usage = ProviderUsage.objects.filter(subject=f"project:{project.pk}", user_id=user.pk)
    assert usage.filter(capability="text").count() == 1
    assert usage.filter(capability="image").count() == IMAGES_PER_MOOD * MOOD_COUNT


@pytest.mark.django_db
def test_transient_error_is_retried_and_the_board_finishes(
    planned_board, image_backend, monkeypatch
):
    delays = []
    monkeypatch.setattr(
        tasks, "backoff_delay", lambda attempt, retry_after: delays.append(retry_after) or 0
    )
    image_backend.errors = [TRANSIENT]

    board = run_images_job(planned_board)

    assert board.status == GenerationStatus.DONE
    assert board.attempts == 2
    assert board.images.count() == IMAGES_PER_MOOD
    assert delays == [1]


@pytest.mark.django_db
def test_transient_errors_past_the_retry_limit_fail_the_board(
    planned_board, image_backend, monkeypatch
):
    monkeypatch.setattr(tasks, "backoff_delay", lambda attempt, retry_after: 0)
    image_backend.errors = [TRANSIENT] * (tasks.MAX_RETRIES + 1)

    board = run_images_job(planned_board)

    assert (board.status, board.error) == (GenerationStatus.FAILED, TRANSIENT.message)
    assert board.attempts == tasks.MAX_RETRIES + 1


@pytest.mark.django_db
def test_permanent_error_fails_the_board_at_once_with_its_message(planned_board, image_backend):
    image_backend.errors = [PERMANENT]

    board = run_images_job(planned_board)

    assert (board.status, board.error, board.attempts) == (
        GenerationStatus.FAILED,
        PERMANENT.message,
        1,
    )


@pytest.mark.django_db
def test_a_failing_board_leaves_the_others_finishing(
    project, user, image_backend, eager_tasks, django_capture_on_commit_callbacks
):
    image_backend.errors = [PERMANENT]

    with django_capture_on_commit_callbacks(execute=True):
        services.mood_generate_all(project=project, user=user)

    statuses = list(project.moods.values_list("status", flat=True))
    assert statuses == [GenerationStatus.FAILED] + [GenerationStatus.DONE] * (MOOD_COUNT - 1)


@pytest.mark.django_db
def test_a_failed_plan_fails_every_board_it_was_planning(project, monkeypatch):
    def refuse(**kwargs):
        raise PERMANENT

    boards = [
        MoodFactory(project=project, position=p, status=GenerationStatus.QUEUED, name="")
        for p in range(2)
    ]
    monkeypatch.setattr(services.providers["text"], "plan_moods", refuse)

    tasks.mood_plan_task.apply(kwargs={"mood_ids": [board.pk for board in boards]})

    assert set(project.moods.values_list("status", "error")) == {
        (GenerationStatus.FAILED, PERMANENT.message)
    }


@pytest.mark.django_db
def test_an_unexpected_error_fails_the_board_instead_of_leaving_it_running(
    planned_board, image_backend
):
    image_backend.errors = [RuntimeError("bug")]

    board = run_images_job(planned_board)

    assert (board.status, board.error) == (GenerationStatus.FAILED, services.UNEXPECTED_MESSAGE)


@pytest.mark.django_db
def test_a_board_another_worker_has_is_left_alone(planned_board, image_backend):
    Mood.objects.filter(pk=planned_board.pk).update(status=GenerationStatus.RUNNING)

    board = run_images_job(planned_board)

    assert (board.status, board.images.count(), image_backend.calls) == (
        GenerationStatus.RUNNING,
        0,
        0,
    )


@pytest.mark.django_db
def test_sweep_task_fails_stuck_boards(project):
    MoodFactory(
        project=project, status=GenerationStatus.RUNNING, status_changed_at="2020-01-01T00:00Z"
    )

    assert tasks.mood_sweep_stuck_task.apply().get() == 1


@pytest.mark.slow
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_boards_are_drawn_in_parallel_by_the_io_worker(mood_engine, io_worker):
    """One job per board on a pooled worker: every board's images are drawn at the same time."""
    mood_engine.MEDIA_PIPELINE["image"]["OPTIONS"] = {"delay": SLOW_IMAGE_SECONDS}
    services.providers.reset()
    project = ProjectFactory(complete_brief=True)

    services.mood_generate_all(project=project, user=project.owner)
    statuses = wait_for_boards(
        project, timeout=SLOW_IMAGE_SECONDS * IMAGES_PER_MOOD * MOOD_COUNT + 10
    )

    assert statuses == [GenerationStatus.DONE] * MOOD_COUNT
    assert services.providers["image"].most_at_once == MOOD_COUNT


def wait_for_boards(project, *, timeout: float) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        statuses = list(project.moods.values_list("status", flat=True))
        if statuses and all(
            status not in (GenerationStatus.QUEUED, GenerationStatus.RUNNING) for status in statuses
        ):
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
        # Claimed, each image stored, finished: one push each.
        pushed = [
            await communicator.receive_from(timeout=TIMEOUT) for _ in range(IMAGES_PER_MOOD + 2)
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
