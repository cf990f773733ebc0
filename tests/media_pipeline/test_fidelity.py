"""The product fidelity check: the local compositor's placement scores high; a scene without the
product and a recoloured product score low."""

import cv2
import numpy as np
import pytest
from PIL import Image

from media_pipeline.backends.local_compositing import place_product
from media_pipeline.backends.local_cutout import cut_out
from media_pipeline.fidelity import match_score
from tests.fakes.products import product_photo

HIGH = 0.8
LOW = 0.2


@pytest.fixture(scope="module")
def cutout() -> Image.Image:
    return cut_out(product_photo((480, 640))[0])


@pytest.fixture(scope="module")
def scene() -> Image.Image:
    """A 720×1280 gradient with coloured discs: texture of its own for ORB to find."""
    rng = np.random.default_rng(5)
    ramp = np.linspace(60, 200, 1280, dtype=np.uint8)[:, None, None]
    pixels = np.zeros((1280, 720, 3), np.uint8) + ramp
    for _ in range(80):
        centre = (int(rng.integers(0, 720)), int(rng.integers(0, 1280)))
        colour = tuple(int(value) for value in rng.integers(0, 255, 3))
        cv2.circle(pixels, centre, int(rng.integers(5, 40)), colour, cv2.FILLED)
    return Image.fromarray(pixels)


def recoloured(cutout: Image.Image, hue_shift: int) -> Image.Image:
    hsv = np.asarray(cutout.convert("RGB").convert("HSV")).copy()
    hsv[..., 0] = (hsv[..., 0].astype(int) + hue_shift) % 256
    image = Image.fromarray(hsv, "HSV").convert("RGBA")
    image.putalpha(cutout.getchannel("A"))
    return image


def score(scene: Image.Image, cutout: Image.Image) -> float:
    return match_score(np.asarray(scene.convert("RGB")), np.asarray(cutout))


def test_the_local_compositors_placement_scores_high(scene, cutout):
    placed = place_product(scene.convert("RGBA"), cutout)

    assert score(placed, cutout) >= HIGH


def test_a_scene_without_the_product_scores_low(scene, cutout):
    assert score(scene, cutout) <= LOW


def test_a_recoloured_product_scores_low_though_its_shape_matches(scene, cutout):
    placed = place_product(scene.convert("RGBA"), recoloured(cutout, 100))

    assert score(placed, cutout) <= LOW
