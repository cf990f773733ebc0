import time
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.utils import timezone

from config.asgi import application
from media_pipeline import ffmpeg, jobs
from media_pipeline.base import ProviderError
from media_pipeline.jobs import job_lease
from media_pipeline.models import ProviderUsage
from media_pipeline.registry import providers
from media_pipeline.states import LeaseHeld
from storyboards import scene_generation, scene_services, tasks
from storyboards.models import IN_FLIGHT, GenerationStatus, Scene, Storyboard
from tests.factories import MoodFactory, SceneFactory, StoryboardFactory
from tests.storyboards.test_tasks import session_headers

DONE = GenerationStatus.DONE
RUNNING = GenerationStatus.RUNNING
TIMEOUT = 5
PERMANENT = ProviderError("The prompt was refused. Change the scene's words.", permanent=True)
TRANSIENT = ProviderError("The image service is busy. Try again.", permanent=False)


@pytest.fixture
def storyboard(user):
    return StoryboardFactory(project__owner=user, is_current=True)


@pytest.fixture
def imaged(storyboard, image_backend):
    """A scene with a real (small) image, its clip approved and waiting for its job."""
    image = image_backend.generate(prompt="bottle", width=64, height=112, seed=1)[0]
    return SceneFactory(
        storyboard=storyboard,
        position=0,
        state=Scene.State.VIDEO,
        text_status=DONE,
        image_status=DONE,
        image=image.path,
        video_status=GenerationStatus.QUEUED,
        duration=1.0,
    )


@pytest.fixture
def no_backoff(monkeypatch):
    monkeypatch.setattr(jobs, "retry_countdown", lambda attempt, retry_after: 0)


def test_a_clip_job_makes_a_playable_clip_of_the_scene_duration(imaged):
    tasks.scene_video_animate_task.apply(kwargs={"scene_id": imaged.pk})

    scene = Scene.objects.get(pk=imaged.pk)
    assert scene.video_status == DONE and scene.video_attempts == 1
    probe = ffmpeg.probe(scene.video.path)
    assert (probe.width, probe.height) == tuple(settings.QUALITY_PROFILE["frame_size"])
    assert probe.duration == pytest.approx(1.0, abs=0.2)


def test_a_clip_whose_worker_died_is_claimed_again_and_finishes(imaged):
    expired = timezone.now() - job_lease() - timedelta(seconds=1)
    Scene.objects.filter(pk=imaged.pk).update(
        video_status=RUNNING, video_attempts=1, status_changed_at=expired
    )

    tasks.scene_video_animate_task.apply(kwargs={"scene_id": imaged.pk})

    scene = Scene.objects.get(pk=imaged.pk)
    assert scene.video_status == DONE and scene.video and scene.video_attempts == 2


def test_a_clip_under_a_live_lease_is_not_made_twice(imaged):
    Scene.objects.filter(pk=imaged.pk).update(video_status=RUNNING)

    with pytest.raises(LeaseHeld):
        scene_generation.scene_video_animate(scene_id=imaged.pk)
    assert not Scene.objects.get(pk=imaged.pk).video


def test_a_permanent_fault_fails_only_that_image_with_its_message(storyboard, image_backend):
    scene = SceneFactory(
        storyboard=storyboard,
        position=0,
        state=Scene.State.IMAGE,
        text_status=DONE,
        image_status=GenerationStatus.QUEUED,
    )
    image_backend.errors.append(PERMANENT)

    tasks.scene_image_draw_task.apply(kwargs={"scene_id": scene.pk})

    scene.refresh_from_db()
    assert (scene.image_status, scene.text_status) == (GenerationStatus.FAILED, DONE)
    assert scene.error_message == PERMANENT.message


def test_a_transient_fault_is_retried_and_the_image_finishes(storyboard, image_backend, no_backoff):
    scene = SceneFactory(
        storyboard=storyboard,
        position=0,
        state=Scene.State.IMAGE,
        text_status=DONE,
        image_status=GenerationStatus.QUEUED,
    )
    image_backend.errors.append(TRANSIENT)

    tasks.scene_image_draw_task.apply(kwargs={"scene_id": scene.pk})

    scene.refresh_from_db()
    assert scene.image_status == DONE and scene.image_attempts == 2
    subject = storyboard.usage_subject
    assert ProviderUsage.objects.filter(subject=subject, capability="image").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_scene_job_pushes_its_card_to_the_open_scenes_page(user, image_backend):
    storyboard = StoryboardFactory(project__owner=user, is_current=True)
    scene = SceneFactory(
        storyboard=storyboard,
        position=0,
        state=Scene.State.IMAGE,
        text_status=DONE,
        image_status=GenerationStatus.QUEUED,
    )
    headers = session_headers(user)

    async def scenario() -> list[str]:
        communicator = WebsocketCommunicator(
            application, f"/ws/projects/{storyboard.project_id}/?page=scenes", headers=headers
        )
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        assert connected
        snapshot = await communicator.receive_from(timeout=TIMEOUT)
        assert 'id="scenes-region"' in snapshot
        await sync_to_async(tasks.scene_image_draw_task.apply)(kwargs={"scene_id": scene.pk})
        # Claimed, then drawn: one push each (each renders the card as it is when sent).
        pushed = [await communicator.receive_from(timeout=TIMEOUT) for _ in range(2)]
        assert await communicator.receive_nothing(timeout=0.3)
        await communicator.disconnect()
        return pushed

    pushed = async_to_sync(scenario)()

    assert all(f'<article id="scene-{scene.pk}"' in push for push in pushed)
    assert "<img src=" in pushed[1] and 'id="scene-toolbar"' in pushed[1]


@pytest.mark.slow
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_whole_storyboard_goes_from_initialize_to_clips_on_real_workers(media_worker):
    mood = MoodFactory(selected=True)
    project, user = mood.project, mood.project.owner

    storyboard = scene_services.storyboard_initialize(project=project, user=user)
    wait_until(lambda: Storyboard.objects.get(pk=storyboard.pk).status != "generating")
    storyboard.refresh_from_db()
    assert storyboard.status == Storyboard.Status.READY and storyboard.is_current
    count = storyboard.scenes.count()

    scene_services.storyboard_approve_texts(storyboard=storyboard)
    wait_until(lambda: settled(storyboard, "image_status"))
    scene_services.storyboard_generate_videos(storyboard=storyboard)
    wait_until(lambda: settled(storyboard, "video_status"))

    scenes = list(storyboard.scenes.all())
    assert [scene.video_status for scene in scenes] == [DONE] * count
    assert all(scene.state == Scene.State.VIDEO and scene.image for scene in scenes)
    for scene in scenes:
        assert ffmpeg.probe(scene.video.path).duration == pytest.approx(scene.duration, abs=0.2)
    assert providers["video"].runs_locally


def settled(storyboard: Storyboard, field: str) -> bool:
    statuses = list(storyboard.scenes.values_list(field, flat=True))
    return all(status not in IN_FLIGHT for status in statuses)


def wait_until(condition, *, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("The workers did not finish in time.")
        time.sleep(0.1)
