"""Every button that spends money says what it will cost before it is pressed."""

from decimal import Decimal

import pytest
from django.urls import reverse

from media_pipeline.estimates import FREE_LABEL, TYPICAL_CAPTURE_GPU_SECONDS, estimate
from nerf.capture import stage_cost
from projects.models import Project, Step
from storyboards.models import GenerationStatus
from tests.factories import (
    MoodFactory,
    ProjectFactory,
    SceneFactory,
    StoryboardFactory,
)
from tests.fakes.modal_functions import FakeModalFunctions

pytestmark = pytest.mark.django_db
REPLICATE = "media_pipeline.backends.replicate_media."
PAID = ("image", "video", "audio")
DONE = GenerationStatus.DONE


@pytest.fixture
def paid_media(settings):
    settings.MEDIA_PIPELINE = {
        **settings.MEDIA_PIPELINE,
        **{
            capability: {"BACKEND": f"{REPLICATE}Replicate{capability.title()}Backend"}
            for capability in PAID
        },
        "capture": {
            "BACKEND": "media_pipeline.backends.modal_capture.ModalCaptureBackend",
            "OPTIONS": {"functions": FakeModalFunctions(), "gpu": "A10G"},
        },
    }
    # A dearer GPU second, so even the cheapest button shows a figure in cents.
    settings.PROVIDER_PRICES = {**settings.PROVIDER_PRICES, "replicate": {"per_second": 1}}


def page(client, name: str, project: Project) -> str:
    return client.get(reverse(name, args=[project.pk])).content.decode()


def scenes_project(user) -> Project:
    storyboard = StoryboardFactory(project__owner=user, is_current=True)
    Project.objects.filter(pk=storyboard.project_id).update(step=Step.SCENES)
    MoodFactory(project=storyboard.project, selected=True)
    # Two scenes would get an image, one (with its image done) a clip, and one needs neither.
    SceneFactory(storyboard=storyboard, text_status=DONE)
    SceneFactory(storyboard=storyboard, text_status=DONE)
    SceneFactory(
        storyboard=storyboard, text_status=DONE, state="video", image_status=DONE, image="a.png"
    )
    SceneFactory(
        storyboard=storyboard,
        state="video",
        image_status=DONE,
        image="b.png",
        video_status=DONE,
        video="b.mp4",
    )
    return storyboard.project


def test_local_backends_say_every_button_is_free(client_logged_in, user):
    fresh = ProjectFactory(owner=user, complete_brief=True)
    with_boards = MoodFactory(project__owner=user).project
    scenes = scenes_project(user)
    final = StoryboardFactory(project__owner=user, project__step=Step.FINAL, is_current=True)

    assert f"Generate mood boards · {FREE_LABEL}" in page(
        client_logged_in, "storyboards:mood", fresh
    )
    assert f"↻ Regenerate all · {FREE_LABEL}" in page(
        client_logged_in, "storyboards:mood", with_boards
    )
    body = page(client_logged_in, "storyboards:scenes", scenes)
    assert f"Generate all images · {FREE_LABEL}" in body
    assert f"Generate all clips · {FREE_LABEL}" in body
    assert f"Compose · {FREE_LABEL}" in page(client_logged_in, "storyboards:final", final.project)
    assert f"Start a capture · {FREE_LABEL}" in page(client_logged_in, "nerf:capture", fresh)


def test_a_paid_backend_shows_the_estimate_for_the_work_the_button_starts(
    client_logged_in, user, paid_media
):
    fresh = ProjectFactory(owner=user, complete_brief=True)
    scenes = scenes_project(user)
    final = StoryboardFactory(project__owner=user, project__step=Step.FINAL, is_current=True)
    labels = {
        kind: estimate(kind, count=count).label
        for kind, count in [
            ("moods", 1),
            ("scene_image", 2),
            ("scene_video", 1),
            ("composition", 1),
            ("capture", 1),
        ]
    }
    assert all(label.startswith("≈ $") for label in labels.values())

    mood = page(client_logged_in, "storyboards:mood", fresh)
    assert f"Generate mood boards · {labels['moods']}" in mood
    body = page(client_logged_in, "storyboards:scenes", scenes)
    assert f"Generate all images · {labels['scene_image']}" in body
    assert f"Generate all clips · {labels['scene_video']}" in body
    final_page = page(client_logged_in, "storyboards:final", final.project)
    assert f"Compose · {labels['composition']}" in final_page
    assert f"Start a capture · {labels['capture']}" in page(client_logged_in, "nerf:capture", fresh)


def test_a_button_with_nothing_to_start_shows_no_figure(client_logged_in, user, paid_media):
    storyboard = StoryboardFactory(project__owner=user, is_current=True)
    Project.objects.filter(pk=storyboard.project_id).update(step=Step.SCENES)
    MoodFactory(project=storyboard.project, selected=True)
    SceneFactory(storyboard=storyboard, text_status=DONE)

    body = page(client_logged_in, "storyboards:scenes", storyboard.project)

    assert f"Generate all images · {estimate('scene_image').label}" in body
    assert ">Generate all clips</button>" in body


def test_a_capture_is_estimated_at_the_capture_backends_gpu_price(settings, paid_media):
    settings.MEDIA_PIPELINE = {
        **settings.MEDIA_PIPELINE,
        "compositing": {"BACKEND": f"{REPLICATE}ReplicateCompositingBackend"},
    }

    metered = stage_cost(TYPICAL_CAPTURE_GPU_SECONDS, "A10G")

    # The capture meters to a hundredth of a cent.
    assert abs(estimate("capture").cost - metered) < Decimal("0.0001")
