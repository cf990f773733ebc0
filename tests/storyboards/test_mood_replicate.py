"""The Mood step on the real Replicate backend: SDXL predictions from the fake become board images."""

import pytest

from media_pipeline.models import ProviderUsage
from media_pipeline.registry import providers
from storyboards import services
from storyboards.generation import MOOD_COUNT
from storyboards.models import Mood
from tests.factories import ProjectFactory
from tests.storyboards.conftest import IMAGES_PER_MOOD

pytestmark = pytest.mark.django_db


@pytest.fixture
def replicate_images(mood_engine, replicate_fake):
    mood_engine.MEDIA_PIPELINE["image"] = {
        "BACKEND": "media_pipeline.backends.replicate_media.ReplicateImageBackend",
        "OPTIONS": {},
    }
    providers.reset()
    return replicate_fake


def test_boards_are_drawn_by_sdxl_predictions(
    replicate_images, eager_tasks, django_capture_on_commit_callbacks
):
    project = ProjectFactory(complete_brief=True)

    with django_capture_on_commit_callbacks(execute=True):
        services.mood_generate_all(project=project, user=project.owner)

    boards = list(project.moods.prefetch_related("images"))
    assert [board.status for board in boards] == [Mood.Status.DONE] * MOOD_COUNT
    assert all(len(board.images.all()) == IMAGES_PER_MOOD for board in boards)
    assert {(image.width, image.height) for board in boards for image in board.images.all()} == {
        (64, 112)
    }
    prompts = [request.json["input"]["prompt"] for request in replicate_images.created]
    assert len(prompts) == MOOD_COUNT * IMAGES_PER_MOOD
    assert all(board.palette[0] in " ".join(prompts) for board in boards)
    usage = ProviderUsage.objects.filter(capability="image", backend="replicate")
    assert usage.count() == MOOD_COUNT * IMAGES_PER_MOOD
    assert {row.user_id for row in usage} == {project.owner_id}


def test_a_refused_prompt_fails_only_its_board_with_the_models_words(
    replicate_images, eager_tasks, django_capture_on_commit_callbacks
):
    from tests.fakes.replicate_server import PredictionScript

    replicate_images.script(PredictionScript(outcome="failed", error="NSFW content detected"))
    project = ProjectFactory(complete_brief=True)

    with django_capture_on_commit_callbacks(execute=True):
        services.mood_generate_all(project=project, user=project.owner)

    statuses = sorted(project.moods.values_list("status", flat=True))
    assert statuses.count(Mood.Status.FAILED) == 1
    assert statuses.count(Mood.Status.DONE) == MOOD_COUNT - 1
    failed = project.moods.get(status=Mood.Status.FAILED)
    assert "rephrase" in failed.error.lower()
