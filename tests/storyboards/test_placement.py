"""Placing the product into a scene: the local compositor and FLUX Kontext on Replicate (the real
SDK against the fake), the fidelity score on the card, and one click back."""

import io

import cv2
import numpy as np
import pytest
from django.urls import reverse
from PIL import Image

from media_pipeline import storage
from media_pipeline.backends.local_cutout import cut_out, store_rgba
from nerf.models import NerfJob
from projects.models import CutoutStatus, Step
from storyboards import placement, tasks
from storyboards.models import GenerationStatus, Scene
from storyboards.scene_live import render_scene_update
from storyboards.scene_services import SceneError
from storyboards.selectors import scene_page_for_project
from tests.factories import ProductImageFactory, SceneFactory, StoryboardFactory
from tests.fakes.modal_functions import turntable_webm
from tests.fakes.products import product_photo

pytestmark = pytest.mark.django_db
LOCAL_COMPOSITING = "media_pipeline.backends.local_compositing.LocalCompositingBackend"
REPLICATE_COMPOSITING = "media_pipeline.backends.replicate_media.ReplicateCompositingBackend"


@pytest.fixture
def compositing(settings):
    def use(backend: str, **options) -> None:
        settings.MEDIA_PIPELINE = {
            **settings.MEDIA_PIPELINE,
            "compositing": {"BACKEND": backend, "OPTIONS": options},
        }

    return use


def textured_scene() -> str:
    rng = np.random.default_rng(5)
    pixels = (
        np.zeros((640, 360, 3), np.uint8) + np.linspace(60, 200, 640, dtype=np.uint8)[:, None, None]
    )
    for _ in range(40):
        centre = (int(rng.integers(0, 360)), int(rng.integers(0, 640)))
        colour = tuple(int(value) for value in rng.integers(0, 255, 3))
        cv2.circle(pixels, centre, int(rng.integers(5, 30)), colour, cv2.FILLED)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return storage.store_bytes(buffer.getvalue(), kind="images", extension="png")


@pytest.fixture
def scene(user):
    storyboard = StoryboardFactory(project__owner=user, is_current=True, project__step=Step.SCENES)
    photo = ProductImageFactory(
        product__owner=user,
        cutout=store_rgba(cut_out(product_photo((480, 640))[0])).path,
        cutout_status=CutoutStatus.DONE,
    )
    project = storyboard.project
    project.product = photo.product
    project.save()
    return SceneFactory(
        storyboard=storyboard,
        position=0,
        state=Scene.State.IMAGE,
        text_status=GenerationStatus.DONE,
        image=textured_scene(),
        image_status=GenerationStatus.DONE,
    )


def place(scene: Scene, instruction: str = "") -> Scene:
    placement.scene_place_product(scene=scene, instruction=instruction)
    tasks.scene_product_place_task.apply(kwargs={"scene_id": scene.pk})
    return Scene.objects.get(pk=scene.pk)


def test_the_local_placement_becomes_the_image_and_scores_high(scene, compositing):
    compositing(LOCAL_COMPOSITING)
    before = scene.image.name

    placed = place(scene, "on the table, left")

    assert placed.image_status == GenerationStatus.DONE
    assert placed.image.name != before
    assert placed.image.name.startswith("generated/composites/")
    assert placed.previous_image.name == before
    assert placed.placement_instruction == "on the table, left"
    assert placed.product_match >= 0.8


def test_one_click_brings_the_previous_image_back_and_again_redoes(scene, compositing):
    compositing(LOCAL_COMPOSITING)
    before = scene.image.name
    placed = place(scene)

    placement.scene_image_back(scene=placed)
    back = Scene.objects.get(pk=scene.pk)
    assert (back.image.name, back.product_match) == (before, None)

    placement.scene_image_back(scene=back)
    again = Scene.objects.get(pk=scene.pk)
    assert (again.image.name, again.product_match) == (placed.image.name, placed.product_match)


def test_kontext_on_replicate_gets_scene_and_cutout_and_a_poor_result_is_flagged(
    scene, compositing, replicate_fake
):
    compositing(REPLICATE_COMPOSITING, poll_interval=0.01)

    placed = place(scene, "on the table, left")

    (create,) = replicate_fake.created
    assert create.path == "/v1/models/flux-kontext-apps/multi-image-kontext-pro/predictions"
    assert create.json["input"]["prompt"].endswith("on the table, left")
    assert create.json["input"]["input_image_2"].startswith("data:image/png;base64,")
    # The fake answers a two-tone picture without the product: the check must see that.
    assert placed.product_match < 0.2
    page = scene_page_for_project(scene.storyboard.project)
    html = render_scene_update(page, scene.pk, oob=False)
    assert f"Product match {placed.product_match:.2f}" in html
    assert "may not look like yours" in html
    assert "↻ Place again" in html


def test_placing_needs_a_product_with_a_cutout(scene):
    scene.storyboard.project.product.images.update(cutout_status=CutoutStatus.QUEUED)

    with pytest.raises(SceneError, match="still being cut out"):
        placement.scene_place_product(scene=scene, instruction="")


def test_placing_needs_the_scenes_image(scene):
    Scene.objects.filter(pk=scene.pk).update(image="", image_status=GenerationStatus.IDLE)

    with pytest.raises(SceneError, match="Make the scene's image first"):
        placement.scene_place_product(scene=Scene.objects.get(pk=scene.pk), instruction="")


def test_the_place_view_answers_the_card(scene, client_logged_in, monkeypatch):
    sent = []
    monkeypatch.setattr(
        tasks.scene_product_place_task, "delay", lambda **kwargs: sent.append(kwargs)
    )
    url = reverse("storyboards:scene_place_product", args=[scene.storyboard.project_id, scene.pk])

    with_hx = client_logged_in.post(url, {"instruction": "left"}, headers={"HX-Request": "true"})

    assert with_hx.status_code == 200
    assert f'id="scene-{scene.pk}"' in with_hx.content.decode()
    assert Scene.objects.get(pk=scene.pk).image_status == GenerationStatus.QUEUED


def test_a_scene_can_put_the_products_turntable_over_its_clip(scene, tmp_path):
    with pytest.raises(SceneError, match="Make a 3D capture"):
        placement.scene_use_turntable(scene=scene, use=True, x=0.9, y=0.9, scale=0.3)
    webm = storage.store_bytes(turntable_webm(), kind="captures", extension="webm")
    NerfJob.objects.create(
        product=scene.storyboard.project.product, status=NerfJob.Status.COMPLETE, turntable=webm
    )
    placement.scene_use_turntable(scene=scene, use=True, x=0.9, y=0.9, scale=0.3)
    Scene.objects.filter(pk=scene.pk).update(
        state=Scene.State.VIDEO, video_status=GenerationStatus.QUEUED, duration=1.0
    )

    tasks.scene_video_animate_task.apply(kwargs={"scene_id": scene.pk})

    made = Scene.objects.get(pk=scene.pk)
    assert made.video_status == GenerationStatus.DONE, made.error_message
    assert (made.turntable_overlay, made.turntable_x, made.turntable_scale) == (True, 0.9, 0.3)
    assert made.video.name.startswith("generated/clips/")
