"""How faithfully a product appears in a scene image, against the product's own cutouts.

Two questions, both of which must pass:

- **Shape**: ORB features of the cutout (inside its alpha only) matched into the scene, with
  Lowe's ratio test, then a RANSAC homography. Enough inliers means the same printed
  surface is there, whatever its size or place (ORB is scale- and rotation-invariant).
  `shape = min(1, inliers / FULL_INLIERS)`.
- **Colour**: ORB works on grey, so a recoloured product still matches by shape. The cutout's
  hue-saturation histogram is compared (correlation) with that of the scene pixels the
  homography maps the cutout onto. `colour = max(0, correlation)`.

The score is `shape × colour` for the best-matching cutout, in [0, 1]. A scene without the
product has no consistent homography (shape ≈ 0); a recoloured product has one but its colours
differ (colour ≈ 0). Plain values in, a float out: the engine knows nothing of scenes.
"""

from collections.abc import Sequence

import cv2
import numpy as np
from PIL import Image

from media_pipeline import storage

FEATURES = 2000
RATIO = 0.75  # Lowe's ratio test: the best match clearly better than the second best
MIN_INLIERS = 8  # fewer cannot fix a homography with any confidence
FULL_INLIERS = 30
RANSAC_PIXELS = 5.0
HISTOGRAM_BINS = [30, 32]  # hue (0-180 in OpenCV), saturation
HISTOGRAM_RANGES = [0, 180, 0, 256]
ALPHA_OPAQUE = 128
WORK_SIZE = 1024  # larger images are scaled down first; ORB needs no more


def product_match(*, scene_path: str, cutout_paths: Sequence[str]) -> float:
    """The best score over the product's cutouts (storage paths of RGBA PNGs); 0 if none."""
    scene = _load(scene_path, "RGB")
    scores = [match_score(scene, _load(path, "RGBA")) for path in cutout_paths]
    return max(scores, default=0.0)


def match_score(scene: np.ndarray, cutout: np.ndarray) -> float:
    """`scene` RGB and `cutout` RGBA arrays; see the module docstring."""
    rgb, alpha = cutout[..., :3], cutout[..., 3]
    mask = np.where(alpha >= ALPHA_OPAQUE, 255, 0).astype(np.uint8)
    homography, inliers = _homography(rgb, mask, scene)
    if homography is None:
        return 0.0
    shape = min(1.0, inliers / FULL_INLIERS)
    return round(shape * _colour_similarity(rgb, mask, scene, homography), 3)


def _homography(rgb: np.ndarray, mask: np.ndarray, scene: np.ndarray):
    orb = cv2.ORB_create(nfeatures=FEATURES)
    keys_product, product_descriptors = orb.detectAndCompute(_grey(rgb), mask)
    keys_scene, scene_descriptors = orb.detectAndCompute(_grey(scene), None)
    if product_descriptors is None or scene_descriptors is None or len(keys_scene) < 2:
        return None, 0
    pairs = cv2.BFMatcher(cv2.NORM_HAMMING).knnMatch(product_descriptors, scene_descriptors, k=2)
    good = [pair[0] for pair in pairs if len(pair) == 2 and _distinct(*pair)]
    if len(good) < MIN_INLIERS:
        return None, 0
    source = np.float32([keys_product[match.queryIdx].pt for match in good]).reshape(-1, 1, 2)
    target = np.float32([keys_scene[match.trainIdx].pt for match in good]).reshape(-1, 1, 2)
    homography, kept = cv2.findHomography(source, target, cv2.RANSAC, RANSAC_PIXELS)
    inliers = int(kept.sum()) if kept is not None else 0
    if homography is None or inliers < MIN_INLIERS:
        return None, 0
    return homography, inliers


def _distinct(best: cv2.DMatch, second: cv2.DMatch) -> bool:
    return best.distance < RATIO * second.distance


def _colour_similarity(rgb, mask, scene, homography) -> float:
    height, width = scene.shape[:2]
    region = cv2.warpPerspective(mask, homography, (width, height), flags=cv2.INTER_NEAREST)
    if not region.any():
        return 0.0
    product = _hue_saturation(rgb, mask)
    placed = _hue_saturation(scene, region)
    return max(0.0, float(cv2.compareHist(product, placed, cv2.HISTCMP_CORREL)))


def _hue_saturation(rgb: np.ndarray, mask: np.ndarray) -> np.ndarray:
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    histogram = cv2.calcHist([hsv], [0, 1], mask, HISTOGRAM_BINS, HISTOGRAM_RANGES)
    return cv2.normalize(histogram, histogram).flatten()


def _grey(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)


def _load(path: str, mode: str) -> np.ndarray:
    with storage.local_copy(path) as local, Image.open(local) as image:
        image.thumbnail((WORK_SIZE, WORK_SIZE))
        return np.asarray(image.convert(mode))
