"""The composition job end to end on real tiny clips: progress, the film, errors, cancel."""

from pathlib import Path
from unittest.mock import Mock

import pytest
from django.core.files.storage import default_storage

from media_pipeline import ffmpeg, jobs, storage
from media_pipeline.base import ProviderError
from media_pipeline.compose import STAGES
from media_pipeline.models import ProviderUsage
from media_pipeline.registry import providers
from projects.models import Project
from storyboards import composing, tasks
from storyboards.composing import frame_size
from storyboards.models import Composition
from tests.factories import CompositionFactory
from tests.storyboards.films import (
    SCENE_SECONDS,
    corrupt_clip,
    film_settings,
    music_file,
    ready_storyboard,
    scene_clip,
)

pytestmark = pytest.mark.django_db
CROSSFADE_SECONDS = 0.5


@pytest.fixture(autouse=True)
def film_backends(settings):
    film_settings(settings)


@pytest.fixture
def storyboard(user):
    return ready_storyboard(user)


@pytest.fixture
def stored_progress(monkeypatch):
    """The (progress, stage, status) of the row each time the job publishes it."""
    seen: list[tuple[int, str, str]] = []

    def record(project_id, kind, object_id):
        row = Composition.objects.filter(pk=object_id).values_list("progress", "stage", "status")
        seen.extend(row)

    monkeypatch.setattr(composing, "publish", record)
    return seen


def run_job(composition: Composition) -> Composition:
    tasks.composition_render_task.apply(kwargs={"composition_id": composition.pk})
    composition.refresh_from_db()
    return composition


def stored_files() -> set[str]:
    root = default_storage.path("generated")
    return {str(path) for path in Path(root).rglob("*") if path.is_file()}


def test_the_job_makes_the_film_with_music_and_stores_its_facts(storyboard, stored_progress):
    composition = CompositionFactory(storyboard=storyboard)

    composition = run_job(composition)

    assert composition.status == Composition.Status.COMPLETE, composition.error
    # Scene clips are normalised when made and no captions are burned: joins only are encoded.
    assert composition.smart_render
    width, height = frame_size("9:16")
    with storage.local_copy(composition.video.name) as film:
        facts = ffmpeg.probe(film)
        assert composition.size_bytes == film.stat().st_size
    assert (facts.width, facts.height) == (width, height) == (64, 112)
    assert facts.has_audio
    expected = 2 * SCENE_SECONDS - CROSSFADE_SECONDS
    assert facts.duration == pytest.approx(expected, abs=0.15)
    assert composition.duration == pytest.approx(expected, abs=0.01)
    assert (composition.width, composition.height) == (64, 112)
    assert composition.audio and composition.thumbnail
    assert Project.objects.get(pk=storyboard.project_id).thumbnail == composition.thumbnail.name
    usage = ProviderUsage.objects.get(capability="audio")
    assert usage.subject == f"project:{storyboard.project_id}:storyboard:{storyboard.pk}"


def test_progress_is_stored_in_order_and_ends_at_100_complete(
    storyboard, stored_progress, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run_job(CompositionFactory(storyboard=storyboard))

    values = [progress for progress, _, _ in stored_progress]
    assert values == sorted(values) and len(values) >= 3
    assert stored_progress[0] == (0, STAGES[0], Composition.Status.PROCESSING)
    assert stored_progress[-1] == (100, STAGES[-1], Composition.Status.COMPLETE)
    assert {stage for _, stage, _ in stored_progress} >= {
        "preparing clips",
        "joining",
        "audio",
        "finishing",
    }


def test_an_unreadable_clip_fails_the_film_naming_its_scene_and_leaves_no_file(user):
    storyboard = ready_storyboard(user, clips=[scene_clip(), corrupt_clip()])
    before = stored_files()

    composition = run_job(CompositionFactory(storyboard=storyboard, audio_source="none"))

    assert composition.status == Composition.Status.ERROR
    assert composition.error == "Scene 2's clip could not be read; regenerate it in Scenes."
    assert not composition.video and stored_files() == before


def test_cancel_mid_run_stops_the_engine_and_leaves_no_film(storyboard, monkeypatch):
    composition = CompositionFactory(storyboard=storyboard, audio_source="none")
    before = stored_files()
    real_renew = composing.states.renew

    def cancel_while_joining(rows, graph, *, running, **fields):
        if fields.get("stage") == "joining":
            Composition.objects.filter(pk=composition.pk).update(status="cancelled")
        return real_renew(rows, graph, running=running, **fields)

    monkeypatch.setattr(composing.states, "renew", cancel_while_joining)

    composition = run_job(composition)

    assert composition.status == Composition.Status.CANCELLED
    assert composition.progress < 100 and not composition.video
    assert stored_files() == before


def test_an_uploaded_track_is_the_films_sound(storyboard):
    track = music_file(6)
    composition = CompositionFactory(storyboard=storyboard, audio_source="uploaded", audio=track)

    composition = run_job(composition)

    assert composition.status == Composition.Status.COMPLETE, composition.error
    assert composition.audio.name == track
    assert not ProviderUsage.objects.filter(capability="audio", subject__contains="storyboard")


def test_without_music_the_film_is_silent_but_still_has_a_track(storyboard):
    composition = run_job(CompositionFactory(storyboard=storyboard, audio_source="none"))

    with storage.local_copy(composition.video.name) as film:
        assert ffmpeg.probe(film).has_audio
    assert not composition.audio


def test_a_job_for_a_film_no_longer_pending_does_nothing(storyboard):
    composition = CompositionFactory(storyboard=storyboard, status=Composition.Status.CANCELLED)

    assert run_job(composition).status == Composition.Status.CANCELLED


def test_a_dead_workers_film_is_claimed_again_once_its_lease_runs_out(storyboard):
    stale = composing.LEASE * 2
    composition = CompositionFactory(
        storyboard=storyboard, audio_source="none", status="processing"
    )
    Composition.objects.filter(pk=composition.pk).update(
        status_changed_at=composition.status_changed_at - stale
    )

    assert run_job(composition).status == Composition.Status.COMPLETE


def test_a_refused_music_request_fails_the_film_with_the_services_words(storyboard, monkeypatch):
    refused = ProviderError("The music service refused the prompt. Try again.", permanent=True)
    monkeypatch.setattr(providers["audio"], "generate", Mock(side_effect=refused))

    composition = run_job(CompositionFactory(storyboard=storyboard))

    assert composition.status == Composition.Status.ERROR
    assert composition.error == refused.message


def test_a_busy_music_service_is_asked_again_and_the_film_finishes(storyboard, monkeypatch):
    busy = ProviderError("The music service is busy.", permanent=False, retry_after=1)
    real_generate = providers["audio"].generate
    calls = []

    def busy_once(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise busy
        return real_generate(**kwargs)

    monkeypatch.setattr(providers["audio"], "generate", busy_once)
    monkeypatch.setattr(jobs, "retry_countdown", lambda attempt, retry_after: 0)

    composition = run_job(CompositionFactory(storyboard=storyboard))

    assert composition.status == Composition.Status.COMPLETE, composition.error
    assert len(calls) == 2 and calls[0] == calls[1]


def test_the_music_prompt_names_the_tone_and_the_mood(storyboard):
    composition = CompositionFactory(storyboard=storyboard)

    prompt = composing.music_prompt(composition)

    assert "warm and confident" in prompt and "Golden hour" in prompt


@pytest.mark.parametrize(
    ("ratio", "profile_size", "expected"),
    [
        ("9:16", (512, 912), (512, 912)),
        ("16:9", (512, 912), (912, 512)),
        ("4:5", (512, 912), (730, 912)),
        ("1:1", (1080, 1920), (1080, 1080)),
        ("16:9", (1080, 1920), (1920, 1080)),
    ],
)
def test_the_frame_follows_the_format_capped_by_the_quality_profile(
    settings, ratio, profile_size, expected
):
    settings.QUALITY_PROFILE = {**settings.QUALITY_PROFILE, "frame_size": profile_size}

    assert frame_size(ratio) == expected
