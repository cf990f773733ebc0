"""Rules the database itself enforces, whatever code writes the rows."""

import pytest
from django.db import IntegrityError, transaction

from storyboards.models import MAX_SCENE_SECONDS, MIN_SCENE_SECONDS
from tests.factories import MoodFactory, SceneFactory, StoryboardFactory

pytestmark = pytest.mark.django_db


def refused(create) -> bool:
    try:
        with transaction.atomic():
            create()
    except IntegrityError:
        return True
    return False


@pytest.mark.parametrize("seconds", [MIN_SCENE_SECONDS - 0.5, MAX_SCENE_SECONDS + 0.5])
def test_scene_durations_out_of_bounds_are_refused(seconds):
    assert refused(lambda: SceneFactory(duration=seconds))


def test_scene_durations_at_the_bounds_are_kept():
    assert not refused(lambda: SceneFactory(duration=MIN_SCENE_SECONDS))
    assert not refused(lambda: SceneFactory(duration=MAX_SCENE_SECONDS))


def test_two_scenes_cannot_share_a_position_in_one_storyboard():
    storyboard = StoryboardFactory()
    SceneFactory(storyboard=storyboard, position=0)
    assert refused(lambda: SceneFactory(storyboard=storyboard, position=0))
    assert not refused(lambda: SceneFactory(position=0))


def test_two_moods_cannot_share_a_position_in_one_project():
    mood = MoodFactory(position=0)
    assert refused(lambda: MoodFactory(project=mood.project, position=0))


def test_composition_progress_stays_within_0_to_100():
    storyboard = StoryboardFactory()
    assert refused(lambda: storyboard.compositions.create(progress=101))
    assert not refused(lambda: storyboard.compositions.create(progress=100))
