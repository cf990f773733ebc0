"""Compose, cancel, retry, delete: what a user's request changes and which jobs it queues."""

from functools import partial

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from media_pipeline import ffmpeg
from storyboards import compositions, tasks
from storyboards.compositions import CompositionRefused
from storyboards.models import Composition, GenerationStatus
from tests.factories import CompositionFactory, SceneFactory, StoryboardFactory
from tests.storyboards.films import music_file

pytestmark = pytest.mark.django_db
CLIP = "generated/clips/ab/clip.mp4"
SETTINGS = {
    "transition": "cut",
    "reframe": "crop",
    "aspect_ratio": "1:1",
    "captions": True,
    "audio_source": "generated",
    "audio_volume": 0.8,
}


@pytest.fixture
def storyboard(user):
    """A storyboard whose scenes have finished clips (the files are not read by the services)."""
    storyboard = StoryboardFactory(project__owner=user, is_current=True)
    for position in range(2):
        SceneFactory(
            storyboard=storyboard, position=position, video=CLIP, video_status=GenerationStatus.DONE
        )
    return storyboard


@pytest.fixture
def queued(monkeypatch):
    """The ids of the films whose job was enqueued."""
    ids: list[int] = []
    monkeypatch.setattr(
        tasks.composition_render_task, "delay", lambda composition_id: ids.append(composition_id)
    )
    return ids


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a service's on-commit work (enqueue, file clean-up) as a real commit would."""
    return partial(django_capture_on_commit_callbacks, execute=True)


def start(storyboard, user, **changes):
    options = SETTINGS | changes
    return compositions.composition_start(project=storyboard.project, user=user, **options)


def audio_upload(tmp_path, *, seconds: float, name: str = "track.m4a") -> SimpleUploadedFile:
    path = tmp_path / name
    source = f"anullsrc=r=8000:cl=mono:d={seconds}"
    ffmpeg.run_ffmpeg(
        ["-f", "lavfi", "-i", source, "-c:a", "aac", "-b:a", "8k", str(path)], timeout=60
    )
    return SimpleUploadedFile(name, path.read_bytes(), content_type="audio/mp4")


def test_compose_queues_one_film_with_the_chosen_settings(storyboard, user, queued, committed):
    with committed():
        composition = start(storyboard, user)

    assert queued == [composition.pk]
    composition.refresh_from_db()
    assert composition.status == Composition.Status.PENDING
    assert composition.storyboard == storyboard
    fields = {name: getattr(composition, name) for name in SETTINGS}
    assert fields == SETTINGS


def test_compose_twice_starts_one_job(storyboard, user, queued, committed):
    with committed():
        start(storyboard, user)

    with committed(), pytest.raises(CompositionRefused, match="already being made"):
        start(storyboard, user)

    assert len(queued) == 1 and Composition.objects.count() == 1


def test_compose_is_refused_until_every_scene_has_a_clip(storyboard, user, queued):
    storyboard.scenes.filter(position=1).update(video_status=GenerationStatus.RUNNING)

    with pytest.raises(CompositionRefused, match="Scene 2 has no finished clip"):
        start(storyboard, user)

    assert queued == [] and not Composition.objects.exists()


def test_compose_needs_a_current_storyboard(user):
    storyboard = StoryboardFactory(project__owner=user, is_current=False)

    with pytest.raises(CompositionRefused, match="storyboard"):
        start(storyboard, user)


def test_an_uploaded_track_is_checked_and_stored(storyboard, user, queued, tmp_path):
    upload = audio_upload(tmp_path, seconds=3)

    composition = start(storyboard, user, audio_source="uploaded", audio_upload=upload)

    assert composition.audio.name.startswith("generated/uploads/audio/")
    assert default_storage.exists(composition.audio.name)


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("notes.mp3", b"just some words, not sound"),
            "“notes.mp3” has no sound we can read",
        ),
        (SimpleUploadedFile("song.exe", b"MZ"), "“song.exe” is not a supported type"),
        (None, "Choose a music file"),
    ],
)
def test_an_upload_that_is_not_audio_is_refused_by_name(storyboard, user, queued, upload, message):
    with pytest.raises(CompositionRefused, match=message):
        start(storyboard, user, audio_source="uploaded", audio_upload=upload)

    assert not Composition.objects.exists()


def test_a_track_longer_than_five_minutes_is_refused(storyboard, user, tmp_path):
    upload = audio_upload(tmp_path, seconds=301, name="long.m4a")

    with pytest.raises(CompositionRefused, match="“long.m4a” must last between 1 s and 5 minutes"):
        start(storyboard, user, audio_source="uploaded", audio_upload=upload)


def test_a_track_too_big_to_upload_is_refused(storyboard, user, tmp_path, settings):
    upload = audio_upload(tmp_path, seconds=3, name="big.m4a")
    settings.MAX_UPLOAD_BYTES = upload.size - 1

    with pytest.raises(CompositionRefused, match="“big.m4a” is larger than"):
        start(storyboard, user, audio_source="uploaded", audio_upload=upload)


def test_cancel_stops_a_film_being_made_once(storyboard):
    composition = CompositionFactory(storyboard=storyboard, status=Composition.Status.PROCESSING)

    compositions.composition_cancel(composition=composition)

    composition.refresh_from_db()
    assert composition.status == Composition.Status.CANCELLED
    with pytest.raises(CompositionRefused, match="nothing to stop"):
        compositions.composition_cancel(composition=composition)


def test_retry_queues_a_failed_film_again_from_the_start(storyboard, user, queued, committed):
    composition = CompositionFactory(
        storyboard=storyboard, status=Composition.Status.ERROR, progress=40, error="Boom"
    )

    with committed():
        compositions.composition_retry(composition=composition, user=user)

    composition.refresh_from_db()
    assert (composition.status, composition.progress, composition.error) == ("pending", 0, "")
    assert queued == [composition.pk]


def test_a_finished_film_cannot_be_retried(storyboard, user, queued):
    composition = CompositionFactory(storyboard=storyboard, status=Composition.Status.COMPLETE)

    with pytest.raises(CompositionRefused, match="failed or was cancelled"):
        compositions.composition_retry(composition=composition, user=user)

    assert queued == []


def test_delete_removes_the_film_and_the_files_no_other_film_holds(storyboard, committed):
    film = default_storage.save("generated/films/ab/film.mp4", SimpleUploadedFile("f", b"film"))
    shared = music_file(2)
    composition = CompositionFactory(storyboard=storyboard, video=film, audio=shared)
    CompositionFactory(storyboard=storyboard, audio=shared)

    with committed():
        compositions.composition_delete(composition=composition)

    assert not Composition.objects.filter(pk=composition.pk).exists()
    assert not default_storage.exists(film)
    assert default_storage.exists(shared)
