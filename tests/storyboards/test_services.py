"""Mood boards as the user drives them: generate, regenerate, pick, and copies of a project."""

import pytest
from django.core.files.storage import default_storage

from projects.models import Step
from projects.ratelimit import RateLimited
from projects.services import project_duplicate
from storyboards import generation, services
from storyboards.generation import MOOD_COUNT
from storyboards.models import GenerationStatus, Mood
from storyboards.selectors import mood_selected_for_project
from storyboards.services import MoodError
from tests.factories import MoodFactory, MoodImageFactory, ProjectFactory

pytestmark = pytest.mark.django_db

PLAN_TASK = "storyboards.tasks.mood_plan_task"
DRAW_TASK = "storyboards.tasks.mood_image_draw_task"


@pytest.fixture
def project(user):
    return ProjectFactory(owner=user, complete_brief=True)


def test_generate_all_sends_every_board_to_planning_and_enqueues_one_plan(
    project, user, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        started = services.mood_generate_all(project=project, user=user)

    moods = list(project.moods.all())
    assert [mood.position for mood in moods] == list(range(MOOD_COUNT))
    assert {mood.status for mood in moods} == {Mood.Status.PLANNING}
    assert {mood.variation for mood in moods} == {0}, "a first plan takes the best fit"
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
    chosen = MoodFactory(project=project, position=0, selected=True)
    image = MoodImageFactory(mood=chosen, position=0)

    services.mood_generate_all(project=project, user=user)

    chosen.refresh_from_db()
    assert chosen.status == Mood.Status.PLANNING
    assert (chosen.palette, chosen.images.count(), chosen.selected) == ([], 0, False)
    assert mood_selected_for_project(project) is None
    assert default_storage.exists(image.image.name), "files may be shared with a copy"


def test_a_refused_generate_does_not_count_against_the_rate_limit(
    project, user, settings, enqueued
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "generation": (1, 60)}
    services.mood_generate_all(project=project, user=user)
    with pytest.raises(MoodError):
        services.mood_generate_all(project=project, user=user)
    Mood.objects.update(status=Mood.Status.DONE)

    with pytest.raises(RateLimited, match="Try again in"):
        services.mood_generate_all(project=project, user=user)

    assert set(project.moods.values_list("status", flat=True)) == {Mood.Status.DONE}


def test_generate_all_needs_a_complete_brief(user, enqueued):
    project = ProjectFactory(owner=user)

    with pytest.raises(MoodError, match="Finish the brief"):
        services.mood_generate_all(project=project, user=user)

    assert not project.moods.exists()


def test_select_a_done_board_picks_it_and_opens_scenes(project):
    board = MoodFactory(project=project)
    image = MoodImageFactory(mood=board, position=0)

    services.mood_select(project=project, mood=board)

    project.refresh_from_db()
    assert mood_selected_for_project(project) == board
    assert project.step == Step.SCENES
    assert project.thumbnail.name == image.image.name


def test_selecting_another_board_moves_the_pick(project):
    first = MoodFactory(project=project, position=0, selected=True)
    second = MoodFactory(project=project, position=1)

    services.mood_select(project=project, mood=second)

    assert list(project.moods.filter(selected=True)) == [second]
    first.refresh_from_db()
    assert not first.selected


@pytest.mark.parametrize("status", [Mood.Status.PLANNING, Mood.Status.DRAWING, Mood.Status.FAILED])
def test_select_refuses_a_board_that_is_not_done(project, status):
    board = MoodFactory(project=project, status=status)
    picked = MoodFactory(project=project, position=1, selected=True)

    with pytest.raises(MoodError, match="not ready"):
        services.mood_select(project=project, mood=board)

    project.refresh_from_db()
    assert (mood_selected_for_project(project), project.step) == (picked, Step.MOOD)


def test_regenerate_a_board_plans_a_new_direction(
    project, enqueued, django_capture_on_commit_callbacks
):
    board = MoodFactory(project=project, status=Mood.Status.DONE, variation=3)

    with django_capture_on_commit_callbacks(execute=True):
        services.mood_regenerate(mood=board)

    board.refresh_from_db()
    assert (board.status, board.variation) == (Mood.Status.PLANNING, 4)
    assert enqueued == [(PLAN_TASK, {"mood_ids": [board.pk]})]


def test_retry_of_a_board_that_failed_while_drawing_redraws_only_what_failed(
    project, enqueued, django_capture_on_commit_callbacks
):
    board = MoodFactory(project=project, status=Mood.Status.FAILED, error="Refused.")
    drawn = MoodImageFactory(mood=board, position=0, status=GenerationStatus.DONE)
    failed = MoodImageFactory(mood=board, position=1, status=GenerationStatus.FAILED, error="x")

    with django_capture_on_commit_callbacks(execute=True):
        services.mood_regenerate(mood=board)

    board.refresh_from_db()
    failed.refresh_from_db()
    assert (board.status, board.error, board.name) == (Mood.Status.DRAWING, "", "Golden hour")
    assert (failed.status, failed.error) == (GenerationStatus.QUEUED, "")
    assert board.images.get(pk=drawn.pk).status == GenerationStatus.DONE
    assert enqueued == [(DRAW_TASK, {"mood_image_id": failed.pk})]


@pytest.mark.parametrize("status", [Mood.Status.PLANNING, Mood.Status.DRAWING])
def test_regenerate_refuses_a_board_in_flight(project, enqueued, status):
    board = MoodFactory(project=project, status=status)

    with pytest.raises(MoodError, match="already being made"):
        services.mood_regenerate(mood=board)

    assert enqueued == []


def test_a_copy_takes_the_finished_boards_and_the_pick_but_nothing_in_flight(project):
    chosen = MoodFactory(project=project, position=0, selected=True)
    MoodImageFactory(mood=chosen, position=0)
    MoodFactory(project=project, position=1, status=Mood.Status.DRAWING)
    project.step = Step.SCENES
    project.save()

    copy = project_duplicate(project=project)

    [copied] = copy.moods.all()
    assert (copied.name, copied.selected, copied.status) == ("Golden hour", True, Mood.Status.DONE)
    assert [image.image.name for image in copied.images.all()] == [
        image.image.name for image in chosen.images.all()
    ]
    assert copy.step == Step.SCENES


def test_another_take_never_returns_the_direction_it_replaces(project, enqueued):
    board = MoodFactory(project=project, position=0)
    seen = [board.name]
    for _ in range(5):
        services.mood_regenerate(mood=board)
        generation.mood_plan(mood_ids=[board.pk])
        Mood.objects.filter(pk=board.pk).update(status=Mood.Status.DONE)
        board.refresh_from_db()
        assert board.name != seen[-1]
        seen.append(board.name)


def test_five_regenerate_alls_bring_at_least_ten_directions(project, user, enqueued):
    directions = set()
    for _ in range(5):
        started = services.mood_generate_all(project=project, user=user)
        generation.mood_plan(mood_ids=[mood.pk for mood in started])
        directions |= set(project.moods.values_list("name", flat=True))
        project.moods.update(status=Mood.Status.DONE)

    assert len(directions) >= 10
