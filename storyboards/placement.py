"""Placing the project's product into a scene image, and taking it back out.

The placement is a scene image job (the image artifact goes queued → running → done, so
nothing else of the scene runs meanwhile): the compositing backend puts the product's main
cutout into the image (FLUX Kontext on Replicate, alpha compositing with a shadow offline), then
the fidelity check scores how faithfully the product came out against all its cutouts. The new
image replaces the scene's; the one before is kept, one click brings it back. Imports go one
way: placement (services) → tasks → placement_work (the job).
"""

from django.db import transaction
from django.db.models import F, Q

from media_pipeline.jobs import enqueue_on_commit
from projects.products import product_turntable
from projects.selectors import product_cutouts
from storyboards import tasks
from storyboards.models import IN_FLIGHT, SCENE_IMAGE_STATES, GenerationStatus, Scene
from storyboards.scene_generation import (
    NOTHING_IN_FLIGHT,
    new_seed,
    scene_move,
    scene_push,
    stale_if_made,
)
from storyboards.scene_services import SceneError, scene_refuse

NO_PRODUCT = "Choose the project's product on the Brief page first, with at least one photo."
NO_CUTOUT = "The product's photos are still being cut out; place it once one is ready."
NO_IMAGE = "Make the scene's image first; the product is placed into it."
NOTHING_BEFORE = "There is no earlier image to go back to."
NO_TURNTABLE = "Make a 3D capture of the product first; its turntable then goes over the clip."


@transaction.atomic
def scene_place_product(*, scene: Scene, instruction: str = "") -> None:
    """Queue the placement of the product into the scene's current image (a new seed each time)."""
    product = scene.storyboard.project.product
    if product is None or not product.images.exists():
        raise SceneError(NO_PRODUCT)
    if not product_cutouts(product):
        raise SceneError(NO_CUTOUT)
    image_ready = Q(image_status=GenerationStatus.DONE) & ~Q(image="") & ~Q(state=Scene.State.TEXT)
    moved = scene_move(
        scene,
        SCENE_IMAGE_STATES,
        to=GenerationStatus.QUEUED,
        where=image_ready & NOTHING_IN_FLIGHT,
        placement_instruction=instruction.strip(),
        seed=new_seed(),
    )
    if not moved:
        scene_refuse(scene, NO_IMAGE)
    enqueue_on_commit(tasks.scene_product_place_task, scene_id=scene.pk)


@transaction.atomic
def scene_image_back(*, scene: Scene) -> None:
    """Swap the image with the one before the placement (again to redo), with their scores."""
    rows = Scene.objects.filter(pk=scene.pk).filter(NOTHING_IN_FLIGHT).exclude(previous_image="")
    swapped = rows.update(
        image=F("previous_image"),
        previous_image=F("image"),
        product_match=F("previous_product_match"),
        previous_product_match=F("product_match"),
        video_stale=stale_if_made("video"),
    )
    if not swapped:
        scene_refuse(scene, NOTHING_BEFORE)
    transaction.on_commit(scene_push(scene))


@transaction.atomic
def scene_use_turntable(*, scene: Scene, use: bool, x: float, y: float, scale: float) -> None:
    """Put the product's 3D turntable over the scene's clip (or take it off); a made clip
    becomes stale, and the next clip has it."""
    if use and not product_turntable(scene.storyboard.project.product):
        raise SceneError(NO_TURNTABLE)
    rows = Scene.objects.filter(pk=scene.pk).exclude(video_status__in=IN_FLIGHT)
    if not rows.update(
        turntable_overlay=use,
        turntable_x=x,
        turntable_y=y,
        turntable_scale=scale,
        video_stale=stale_if_made("video"),
    ):
        scene_refuse(scene)
    transaction.on_commit(scene_push(scene))
