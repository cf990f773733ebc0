from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

import live
from media_pipeline.base import MoodConcept
from projects.models import Step
from projects.ratelimit import RateLimited
from storyboards import services
from storyboards.models import GenerationStatus, Mood
from storyboards.services import MOOD_COUNT, MoodError
from tests.factories import MoodFactory, MoodImageFactory, ProjectFactory
from tests.storyboards.conftest import IMAGES_PER_MOOD

pytestmark = pytest.mark.django_db

PLAN_TASK = "storyboards.tasks.mood_plan_task"
IMAGES_TASK = "storyboards.tasks.mood_images_task"


@pytest.fixture
def project(user):
    return ProjectFactory(owner=user, complete_brief=True)


@pytest.fixture
def published(monkeypatch):
    events: list[tuple[int, str, int]] = []
    monkeypatch.setattr(
        live,
        "publish",
        lambda project_id, kind, object_id: events.append((project_id, kind.name, object_id)),
    )
    return events


def queued_board(project, position=0, **fields) -> Mood:
    return MoodFactory(project=project, position=position, status=GenerationStatus.QUEUED, **fields)


def test_generate_all_queues_every_board_and_enqueues_one_plan(
    project, user, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        started = services.mood_generate_all(project=project, user=user)

    moods = list(project.moods.all())
    assert [mood.position for mood in moods] == list(range(MOOD_COUNT))
    assert {mood.status for mood in moods} == {GenerationStatus.QUEUED}
    assert enqueued == [(PLAN_TASK, {"mood_ids": [mood.pk for mood in started]})]


def test_generate_all_twice_starts_one_job(
    project, user, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.mood_generate_all(project=project, user=user)
        with pytest.raises(MoodError, match="already being made"):
            services.mood_generate_all(project=project, user=user)

    assert len(enqueued) == 1
    assert project.moods.count() == MOOD_COUNT


def test_generate_all_resets_finished_boards_and_clears_their_pick(project, user, enqueued):
    chosen = MoodFactory(project=project, position=0)
    image = MoodImageFactory(mood=chosen, position=0)
    project.selected_mood = chosen
    project.save()

    services.mood_generate_all(project=project, user=user)

    chosen.refresh_from_db()
    project.refresh_from_db()
    assert chosen.status == GenerationStatus.QUEUED
    assert (chosen.name, chosen.palette, chosen.images.count()) == ("", [], 0)
    assert project.selected_mood is None
    assert default_storage.exists(image.image.name), "files may be shared with a copy"


def test_generate_all_is_rate_limited(project, user, settings, enqueued):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "generation": (1, 60)}
    services.mood_generate_all(project=project, user=user)
    Mood.objects.update(status=GenerationStatus.DONE)

    with pytest.raises(RateLimited, match="Try again in"):
        services.mood_generate_all(project=project, user=user)

    assert set(project.moods.values_list("status", flat=True)) == {GenerationStatus.DONE}


def test_generate_all_needs_a_complete_brief(user, enqueued):
    project = ProjectFactory(owner=user)

    with pytest.raises(MoodError, match="Finish the brief"):
        services.mood_generate_all(project=project, user=user)

    assert not project.moods.exists()


def test_plan_gives_each_board_its_own_direction_and_starts_its_images(
    project, enqueued, published, django_capture_on_commit_callbacks
):
    boards = [queued_board(project, position, name="") for position in range(MOOD_COUNT)]

    with django_capture_on_commit_callbacks(execute=True):
        planned = services.mood_plan(mood_ids=[board.pk for board in boards])

    moods = list(project.moods.all())
    assert len(planned) == MOOD_COUNT
    assert len({mood.name for mood in moods}) == MOOD_COUNT
    for mood in moods:
        assert mood.feel and mood.palette
        assert all(colour.startswith("#") and len(colour) == 7 for colour in mood.palette)
        assert len(services.mood_prompts(mood)) == IMAGES_PER_MOOD
    assert sorted(kwargs["mood_id"] for _, kwargs in enqueued) == [board.pk for board in boards]
    assert sorted(object_id for _, kind, object_id in published) == [board.pk for board in boards]


def test_plan_for_one_board_avoids_the_directions_of_the_others(project, enqueued):
    concept_names = [
        concept.name
        for concept in services.providers["text"].plan_moods(
            brief=project.brief, count=MOOD_COUNT, images_per_mood=IMAGES_PER_MOOD
        )
    ]
    MoodFactory(project=project, position=0, name=concept_names[0])
    retried = queued_board(project, 1, name="")

    services.mood_plan(mood_ids=[retried.pk])

    retried.refresh_from_db()
    assert retried.name == concept_names[1]


def test_plan_keeps_only_valid_colours(project, enqueued, monkeypatch):
    concept = MoodConcept("Neon", "Loud.", ["#ff00aa", "red; background: url(x)", "#12345"], ["a"])
    monkeypatch.setattr(services.providers["text"], "plan_moods", lambda **kwargs: [concept])
    board = queued_board(project, name="")

    services.mood_plan(mood_ids=[board.pk])

    board.refresh_from_db()
    assert board.palette == ["#ff00aa"]


def test_plan_skips_a_board_that_is_no_longer_waiting(project, enqueued):
    board = MoodFactory(project=project, status=GenerationStatus.FAILED, name="")

    assert services.mood_plan(mood_ids=[board.pk]) == []
    assert enqueued == []


def test_claim_twice_claims_once(project):
    board = queued_board(project)

    assert services.mood_claim(mood_id=board.pk) is not None
    assert services.mood_claim(mood_id=board.pk) is None

    board.refresh_from_db()
    assert (board.status, board.attempts) == (GenerationStatus.RUNNING, 1)


def test_render_images_stores_and_pushes_each_image_then_finishes(
    project, small_frames, published, django_capture_on_commit_callbacks
):
    board = queued_board(project, image_prompt="golden bottle\nwarm hands")
    mood = services.mood_claim(mood_id=board.pk)

    with django_capture_on_commit_callbacks(execute=True):
        services.mood_render_images(mood=mood)

    board.refresh_from_db()
    images = list(board.images.all())
    assert board.status == GenerationStatus.DONE
    assert [image.position for image in images] == list(range(IMAGES_PER_MOOD))
    for image in images:
        assert default_storage.exists(image.image.name)
        assert (image.width, image.height) == small_frames["frame_size"]
    assert published == [(project.pk, "mood", board.pk)] * (IMAGES_PER_MOOD + 1)


def test_render_images_resumes_after_the_images_already_stored(project, image_backend):
    board = queued_board(project)
    MoodImageFactory(mood=board, position=0)
    mood = services.mood_claim(mood_id=board.pk)

    services.mood_render_images(mood=mood)

    assert image_backend.calls == IMAGES_PER_MOOD - 1
    assert board.images.count() == IMAGES_PER_MOOD


def test_a_job_whose_board_was_restarted_stops_drawing(project, image_backend):
    board = queued_board(project, seed=7)
    stale = services.mood_claim(mood_id=board.pk)
    Mood.objects.filter(pk=board.pk).update(status=GenerationStatus.QUEUED, seed=8)

    services.mood_render_images(mood=stale)

    board.refresh_from_db()
    assert (board.status, board.images.count(), image_backend.calls) == (
        GenerationStatus.QUEUED,
        0,
        0,
    )


def test_select_a_done_board_picks_it_and_opens_scenes(project):
    board = MoodFactory(project=project)

    services.mood_select(project=project, mood=board)

    project.refresh_from_db()
    assert project.selected_mood == board
    assert project.step == Step.SCENES


@pytest.mark.parametrize(
    "status", [GenerationStatus.QUEUED, GenerationStatus.RUNNING, GenerationStatus.FAILED]
)
def test_select_refuses_a_board_that_is_not_done(project, status):
    board = MoodFactory(project=project, status=status)

    with pytest.raises(MoodError, match="not ready"):
        services.mood_select(project=project, mood=board)

    project.refresh_from_db()
    assert (project.selected_mood, project.step) == (None, Step.MOOD)


def test_regenerate_a_failed_board_queues_it_again(
    project, enqueued, django_capture_on_commit_callbacks
):
    board = MoodFactory(project=project, status=GenerationStatus.FAILED, error="Refused.")

    with django_capture_on_commit_callbacks(execute=True):
        services.mood_regenerate(mood=board)

    board.refresh_from_db()
    assert (board.status, board.error, board.name) == (GenerationStatus.QUEUED, "", "")
    assert enqueued == [(PLAN_TASK, {"mood_ids": [board.pk]})]


def test_regenerate_refuses_a_board_in_flight(project, enqueued):
    board = MoodFactory(project=project, status=GenerationStatus.RUNNING)

    with pytest.raises(MoodError, match="already being made"):
        services.mood_regenerate(mood=board)

    assert enqueued == []


def test_fail_marks_only_boards_still_in_flight(project):
    running = MoodFactory(project=project, position=0, status=GenerationStatus.RUNNING)
    done = MoodFactory(project=project, position=1)

    assert (
        services.mood_fail(mood_ids=[running.pk, done.pk], message="Refused. Try other words.") == 1
    )

    running.refresh_from_db()
    done.refresh_from_db()
    assert (running.status, running.error) == (GenerationStatus.FAILED, "Refused. Try other words.")
    assert done.status == GenerationStatus.DONE


def test_sweep_fails_boards_stuck_past_their_limit(project):
    long_ago = timezone.now() - timedelta(hours=1)
    stuck = MoodFactory(
        project=project, position=0, status=GenerationStatus.RUNNING, status_changed_at=long_ago
    )
    waiting = MoodFactory(
        project=project, position=1, status=GenerationStatus.QUEUED, status_changed_at=long_ago
    )
    fresh = MoodFactory(
        project=project,
        position=2,
        status=GenerationStatus.RUNNING,
        status_changed_at=timezone.now(),
    )

    assert services.mood_sweep_stuck(older_than=timedelta(minutes=15)) == 2

    statuses = dict(Mood.objects.values_list("pk", "status"))
    assert statuses == {stuck.pk: "failed", waiting.pk: "failed", fresh.pk: "running"}
    assert Mood.objects.get(pk=stuck.pk).error == services.STUCK_MESSAGE
