"""The mood jobs' work: plan the boards, draw one image, finish, fail, requeue, sweep."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from media_pipeline.base import MoodConcept
from media_pipeline.jobs import job_lease
from media_pipeline.registry import providers
from media_pipeline.states import LeaseHeld
from storyboards import generation
from storyboards.generation import MOOD_COUNT
from storyboards.models import GenerationStatus, Mood, MoodImage
from tests.factories import MoodFactory, ProjectFactory
from tests.storyboards.conftest import IMAGES_PER_MOOD

pytestmark = pytest.mark.django_db
IMAGE_LEASE = job_lease()


@pytest.fixture
def project(user):
    return ProjectFactory(owner=user, complete_brief=True)


@pytest.fixture
def published(monkeypatch):
    events: list[tuple[int, str, int]] = []
    monkeypatch.setattr(
        generation,
        "publish",
        lambda project_id, kind, object_id: events.append((project_id, kind.name, object_id)),
    )
    return events


def planning_board(project, position=0) -> Mood:
    return MoodFactory(
        project=project, position=position, status=Mood.Status.PLANNING, name="", image_prompt=""
    )


def drawing_board(project, position=0) -> Mood:
    board = MoodFactory(project=project, position=position, status=Mood.Status.DRAWING)
    for slot in range(IMAGES_PER_MOOD):
        MoodImage.objects.create(mood=board, position=slot)
    return board


def test_plan_gives_each_board_its_own_direction_and_queues_its_images(
    project, published, django_capture_on_commit_callbacks
):
    boards = [planning_board(project, position) for position in range(MOOD_COUNT)]

    with django_capture_on_commit_callbacks(execute=True):
        image_ids = generation.mood_plan(mood_ids=[board.pk for board in boards])

    moods = list(project.moods.prefetch_related("images"))
    assert {mood.status for mood in moods} == {Mood.Status.DRAWING}
    assert len({mood.name for mood in moods}) == MOOD_COUNT
    for mood in moods:
        assert mood.feel and mood.palette
        assert len(generation.mood_prompts(mood)) == IMAGES_PER_MOOD
        assert [image.status for image in mood.images.all()] == ["queued"] * IMAGES_PER_MOOD
    assert sorted(image_ids) == sorted(MoodImage.objects.values_list("pk", flat=True))
    assert sorted(object_id for _, _, object_id in published) == [board.pk for board in boards]


def test_a_redelivered_plan_plans_nothing_twice_and_hands_back_the_queued_images(project):
    board = planning_board(project)
    first = generation.mood_plan(mood_ids=[board.pk])
    board.refresh_from_db()

    again = generation.mood_plan(mood_ids=[board.pk])

    assert sorted(again) == sorted(first)
    assert Mood.objects.get(pk=board.pk).name == board.name


def test_plan_for_one_board_avoids_the_directions_of_the_others(project):
    concept_names = [
        concept.name
        for concept in providers["text"].plan_moods(
            brief=project.brief, count=MOOD_COUNT, images_per_mood=IMAGES_PER_MOOD
        )
    ]
    MoodFactory(project=project, position=0, name=concept_names[0])
    retried = planning_board(project, 1)

    generation.mood_plan(mood_ids=[retried.pk])

    retried.refresh_from_db()
    assert retried.name == concept_names[1]


def test_plan_keeps_only_valid_colours(project, monkeypatch):
    concept = MoodConcept("Neon", "Loud.", ["#ff00aa", "red; background: url(x)", "#12345"], ["a"])
    monkeypatch.setattr(providers["text"], "plan_moods", lambda **kwargs: [concept])
    board = planning_board(project)

    generation.mood_plan(mood_ids=[board.pk])

    board.refresh_from_db()
    assert board.palette == ["#ff00aa"]


def test_plan_skips_a_board_that_is_no_longer_planning(project):
    board = MoodFactory(project=project, status=Mood.Status.FAILED, name="")

    assert generation.mood_plan(mood_ids=[board.pk]) == []
    assert not board.images.exists()


def test_drawing_an_image_stores_it_and_the_last_one_finishes_the_board(
    project, small_frames, published, django_capture_on_commit_callbacks
):
    board = drawing_board(project)
    images = list(board.images.all())

    with django_capture_on_commit_callbacks(execute=True):
        generation.mood_image_draw(mood_image_id=images[0].pk)
    board.refresh_from_db()
    assert board.status == Mood.Status.DRAWING

    with django_capture_on_commit_callbacks(execute=True):
        generation.mood_image_draw(mood_image_id=images[1].pk)
    board.refresh_from_db()
    assert board.status == Mood.Status.DONE
    for image in board.images.all():
        assert image.status == GenerationStatus.DONE and image.attempts == 1
        assert default_storage.exists(image.image.name)
        assert (image.width, image.height) == small_frames["frame_size"]
    # Claimed and drawn, for each image, then the board finished: its card is what is pushed.
    assert published == [(project.pk, "mood", board.pk)] * (2 * IMAGES_PER_MOOD + 1)


def test_an_image_running_under_a_live_lease_is_not_drawn_twice(project, image_backend):
    board = drawing_board(project)
    image = board.images.first()
    MoodImage.objects.filter(pk=image.pk).update(status=GenerationStatus.RUNNING)

    with pytest.raises(LeaseHeld) as held:
        generation.mood_image_draw(mood_image_id=image.pk)

    assert IMAGE_LEASE.total_seconds() - 5 < held.value.seconds <= IMAGE_LEASE.total_seconds()
    assert image_backend.calls == 0


def test_an_image_whose_lease_ran_out_is_claimed_again_and_drawn(project, image_backend):
    board = drawing_board(project)
    image = board.images.first()
    expired = timezone.now() - IMAGE_LEASE - timedelta(seconds=1)
    MoodImage.objects.filter(pk=image.pk).update(
        status=GenerationStatus.RUNNING, status_changed_at=expired, attempts=1
    )

    generation.mood_image_draw(mood_image_id=image.pk)

    image.refresh_from_db()
    assert (image.status, image.attempts, image_backend.calls) == (GenerationStatus.DONE, 2, 1)


def test_an_image_of_a_board_restarted_meanwhile_is_not_drawn(project, image_backend):
    board = drawing_board(project)
    image = board.images.first()
    Mood.objects.filter(pk=board.pk).update(status=Mood.Status.PLANNING)

    generation.mood_image_draw(mood_image_id=image.pk)

    image.refresh_from_db()
    assert (image.status, image_backend.calls) == (GenerationStatus.QUEUED, 0)


def test_a_failed_image_fails_its_board_with_the_message(
    project, published, django_capture_on_commit_callbacks
):
    board = drawing_board(project)
    image = board.images.first()

    with django_capture_on_commit_callbacks(execute=True):
        generation.mood_image_fail(mood_image_id=image.pk, message="Refused. Try other words.")

    board.refresh_from_db()
    image.refresh_from_db()
    assert (board.status, board.error) == (Mood.Status.FAILED, "Refused. Try other words.")
    assert (image.status, image.error) == (GenerationStatus.FAILED, "Refused. Try other words.")


def test_a_failed_plan_fails_only_boards_still_planning(project):
    planning = planning_board(project, 0)
    done = MoodFactory(project=project, position=1)

    generation.mood_plan_fail(mood_ids=[planning.pk, done.pk], message="Refused.")

    planning.refresh_from_db()
    done.refresh_from_db()
    assert (planning.status, planning.error) == (Mood.Status.FAILED, "Refused.")
    assert done.status == Mood.Status.DONE


def test_requeue_puts_a_running_image_back_in_the_queue(project):
    board = drawing_board(project)
    image = board.images.first()
    MoodImage.objects.filter(pk=image.pk).update(status=GenerationStatus.RUNNING)

    generation.mood_image_requeue(mood_image_id=image.pk)

    image.refresh_from_db()
    assert image.status == GenerationStatus.QUEUED


def test_sweep_fails_what_is_stuck_past_its_limit_and_nothing_else(project):
    long_ago = timezone.now() - timedelta(hours=1)
    stuck_plan = planning_board(project, 0)
    Mood.objects.filter(pk=stuck_plan.pk).update(status_changed_at=long_ago)
    drawing = drawing_board(project, 1)
    stuck_image, fresh_image = drawing.images.all()
    MoodImage.objects.filter(pk=stuck_image.pk).update(
        status=GenerationStatus.RUNNING, status_changed_at=long_ago
    )
    fresh_board = planning_board(project, 2)

    assert generation.mood_sweep_stuck(older_than=timedelta(minutes=15)) == 2

    statuses = dict(Mood.objects.values_list("pk", "status"))
    assert statuses == {stuck_plan.pk: "failed", drawing.pk: "failed", fresh_board.pk: "planning"}
    assert Mood.objects.get(pk=stuck_plan.pk).error == generation.STUCK_MESSAGE
    assert MoodImage.objects.get(pk=fresh_image.pk).status == GenerationStatus.QUEUED
