"""The placement job: composite the product into the scene image, then score its fidelity."""

from media_pipeline import fidelity
from media_pipeline.base import ProviderError
from media_pipeline.registry import providers
from projects.selectors import product_cutouts
from storyboards.models import SCENE_IMAGE_STATES, GenerationStatus
from storyboards.scene_generation import scene_claim, scene_move, stale_if_made, storyboard_usage

NO_CUTOUT = "The product has no cutout to place any more; add a photo of it and try again."


def scene_product_place(*, scene_id: int) -> None:
    scene = scene_claim(scene_id, SCENE_IMAGE_STATES, attempts="image_attempts")
    if scene is None:
        return
    cutouts = product_cutouts(scene.storyboard.project.product)
    if not cutouts or not scene.image:
        raise ProviderError(NO_CUTOUT, permanent=True)
    with storyboard_usage(scene.storyboard):
        media = providers["compositing"].composite(
            scene_image_path=scene.image.name,
            product_image_path=cutouts[0],
            instruction=scene.placement_instruction,
            seed=scene.seed,
        )
    score = fidelity.product_match(scene_path=media.path, cutout_paths=cutouts)
    scene_move(
        scene,
        SCENE_IMAGE_STATES,
        to=GenerationStatus.DONE,
        sources=[GenerationStatus.RUNNING],
        image=media.path,
        previous_image=scene.image.name,
        product_match=score,
        previous_product_match=scene.product_match,
        image_stale=False,
        video_stale=stale_if_made("video"),
    )
