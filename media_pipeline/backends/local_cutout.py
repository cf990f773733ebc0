"""Product cutouts offline with OpenCV's GrabCut (`opencv-python-headless`).

GrabCut models the product and the backdrop as two colour mixtures and cuts between them along
the image's edges. It starts from a mask, not a box: the photo's border is certain backdrop,
pixels near the border's colour probably backdrop, the rest probably product. That keeps light
areas inside a product (a white label) opaque, which keying by colour alone would lose. The cut
runs on a copy at most WORK_SIZE px wide; the mask is scaled back and feathered by a pixel.

A photo that already has transparency is kept as it is, cropped to its outline.
"""

import io

import cv2
import numpy as np
from PIL import Image, ImageOps

from media_pipeline import storage
from media_pipeline.base import ProviderError, StoredMedia
from media_pipeline.metering import metered

BACKEND = "local"
MODEL = "grabcut"
STORAGE_KIND = "cutouts"
WORK_SIZE = 512
BORDER_SHARE = 0.02  # the band along the edges taken as certain backdrop
BACKDROP_DISTANCE = 38.0  # Lab distance under which a pixel probably is the backdrop
ITERATIONS = 5
OPAQUE_ENOUGH = 250
MIN_SUBJECT_SHARE = 0.01
NOTHING_FOUND = (
    "No product could be told apart from the background in this photo. "
    "Shoot it against a plain backdrop that differs from the product."
)


class LocalCutoutBackend:
    runs_locally = True

    def __init__(self, **options: object) -> None:
        """No options are needed; any given (e.g. a real backend's) are ignored."""

    def cutout(self, *, image_path: str) -> StoredMedia:
        with metered("cutout", BACKEND, MODEL):
            with storage.local_copy(image_path) as local, Image.open(local) as photo:
                rgba = cut_out(ImageOps.exif_transpose(photo))
            return store_rgba(rgba)


def cut_out(photo: Image.Image) -> Image.Image:
    """The subject on a transparent background, cropped to its outline."""
    if _has_transparency(photo):
        rgba = photo.convert("RGBA")
    else:
        rgb = photo.convert("RGB")
        rgba = rgb.copy()
        rgba.putalpha(Image.fromarray(subject_mask(np.asarray(rgb))))
    box = rgba.getchannel("A").getbbox()
    if box is None or (box[2] - box[0]) * (box[3] - box[1]) < MIN_SUBJECT_SHARE * _area(rgba):
        raise ProviderError(NOTHING_FOUND, permanent=True)
    return rgba.crop(box)


def subject_mask(rgb: np.ndarray) -> np.ndarray:
    """An 8-bit alpha mask (255 subject, 0 backdrop) of an RGB photo, at the photo's size."""
    height, width = rgb.shape[:2]
    scale = min(1.0, WORK_SIZE / max(height, width))
    small = cv2.resize(rgb, (round(width * scale), round(height * scale)), cv2.INTER_AREA)
    mask = _initial_mask(small)
    if not np.any(mask == cv2.GC_PR_FGD):
        return np.zeros((height, width), np.uint8)
    background, foreground = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    bgr = cv2.cvtColor(small, cv2.COLOR_RGB2BGR)
    cv2.grabCut(bgr, mask, None, background, foreground, ITERATIONS, cv2.GC_INIT_WITH_MASK)
    subject = np.where((mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD), 255, 0).astype(np.uint8)
    subject = _largest_region(subject)
    full = cv2.resize(subject, (width, height), interpolation=cv2.INTER_LINEAR)
    # A one-pixel feather: hard steps show as jaggies once the product is scaled into a scene.
    return cv2.GaussianBlur(full, (3, 3), 0)


def store_rgba(image: Image.Image) -> StoredMedia:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    data = buffer.getvalue()
    path = storage.store_bytes(data, kind=STORAGE_KIND, extension="png")
    return StoredMedia(path, "image/png", len(data), width=image.width, height=image.height)


def _initial_mask(rgb: np.ndarray) -> np.ndarray:
    """Border: backdrop. Inside the hull of what clearly is not backdrop: probably product (a
    white label between coloured parts stays in). Elsewhere, by colour."""
    height, width = rgb.shape[:2]
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    band = max(1, round(min(height, width) * BORDER_SHARE))
    border = np.concatenate(
        [lab[:band].reshape(-1, 3), lab[-band:].reshape(-1, 3)]
        + [lab[:, :band].reshape(-1, 3), lab[:, -band:].reshape(-1, 3)]
    )
    distance = np.linalg.norm(lab - np.median(border, axis=0), axis=2)
    distinct = _largest_region(np.where(distance >= BACKDROP_DISTANCE, 255, 0).astype(np.uint8))
    mask = np.where(distinct > 0, cv2.GC_PR_FGD, cv2.GC_PR_BGD).astype(np.uint8)
    contours, _ = cv2.findContours(distinct, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if contours:
        hull = cv2.convexHull(np.concatenate(contours))
        cv2.drawContours(mask, [hull], -1, int(cv2.GC_PR_FGD), thickness=cv2.FILLED)
    mask[:band], mask[-band:], mask[:, :band], mask[:, -band:] = (cv2.GC_BGD,) * 4
    return mask


def _largest_region(mask: np.ndarray) -> np.ndarray:
    """Only the biggest connected subject, holes filled: specks of backdrop are not the product."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count <= 1:
        return mask
    largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    region = np.where(labels == largest, 255, 0).astype(np.uint8)
    contours, _ = cv2.findContours(region, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    filled = np.zeros_like(region)
    cv2.drawContours(filled, contours, -1, 255, thickness=cv2.FILLED)
    return filled


def _has_transparency(image: Image.Image) -> bool:
    if image.mode not in ("RGBA", "LA", "PA") and "transparency" not in image.info:
        return False
    return image.convert("RGBA").getchannel("A").getextrema()[0] < OPAQUE_ENOUGH


def _area(image: Image.Image) -> int:
    return image.width * image.height
