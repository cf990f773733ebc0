"""Synthetic product photos with known ground truth, for cutouts, fidelity and pose recovery.

photo, mask = product_photo((480, 640))        # a bottle on a studio backdrop, its true mask
views = turntable_views(count=12, size=640)     # a textured box seen from known cameras
"""

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

LABEL_COLOURS = [(200, 40, 60), (30, 90, 170), (240, 190, 40), (20, 20, 20), (250, 250, 250)]


def product_photo(
    size: tuple[int, int] = (480, 640), *, seed: int = 1
) -> tuple[Image.Image, np.ndarray]:
    """A bottle with a busy label on a light gradient backdrop with noise and a soft shadow.

    Returns the RGB photo and the product's true mask (bool, True on the product).
    """
    width, height = size
    rng = np.random.default_rng(seed)
    backdrop = _backdrop(width, height, rng)
    mask = bottle_mask(width, height)
    shadow = cv2.GaussianBlur(
        np.roll(mask.astype(np.float32), (height // 40, width // 30), (0, 1)), (0, 0), width / 40
    )
    backdrop = backdrop * (1 - 0.25 * shadow[..., None])
    product = product_texture(width, height, rng)
    photo = np.where(mask[..., None], product, backdrop)
    return Image.fromarray(np.clip(photo, 0, 255).astype(np.uint8)), mask


def bottle_mask(width: int, height: int) -> np.ndarray:
    mask = np.zeros((height, width), np.uint8)
    body = (int(width * 0.3), int(height * 0.3), int(width * 0.7), int(height * 0.88))
    cv2.rectangle(mask, body[:2], body[2:], 1, thickness=cv2.FILLED)
    cv2.ellipse(
        mask,
        (width // 2, body[1]),
        (int(width * 0.2), int(height * 0.05)),
        0,
        0,
        360,
        1,
        cv2.FILLED,
    )
    cv2.rectangle(
        mask, (int(width * 0.44), int(height * 0.14)), (int(width * 0.56), body[1]), 1, cv2.FILLED
    )
    return mask.astype(bool)


def product_texture(width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    """A glass-green body with a label of coloured blocks and strokes: corners for ORB to find."""
    texture = np.empty((height, width, 3), np.uint8)
    texture[:] = (40, 120, 80)
    top, bottom = int(height * 0.45), int(height * 0.8)
    texture[top:bottom] = (245, 240, 225)
    for _ in range(60):
        x, y = int(rng.integers(0, width - 20)), int(rng.integers(top, bottom - 10))
        w, h = int(rng.integers(6, 40)), int(rng.integers(4, 24))
        colour = LABEL_COLOURS[int(rng.integers(0, len(LABEL_COLOURS)))]
        cv2.rectangle(texture, (x, y), (x + w, min(bottom, y + h)), colour, cv2.FILLED)
    cv2.putText(
        texture,
        "GLOW",
        (int(width * 0.33), int(height * 0.62)),
        cv2.FONT_HERSHEY_DUPLEX,
        width / 300,
        (20, 20, 20),
        2,
    )
    return texture.astype(np.float32)


def _backdrop(width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    ramp = np.linspace(0, 1, height, dtype=np.float32)[:, None, None]
    top, bottom = np.array([236, 232, 226], np.float32), np.array([205, 200, 194], np.float32)
    backdrop = top + (bottom - top) * ramp + np.zeros((1, width, 1), np.float32)
    return backdrop + rng.normal(0, 3, (height, width, 3)).astype(np.float32)


# --- a textured object seen from known cameras ----------------------------------------


@dataclass(frozen=True)
class View:
    image: Image.Image
    centre: np.ndarray  # the camera centre in world coordinates
    azimuth: float  # degrees around the object's vertical axis


def turntable_views(*, count: int, size: int = 640, seed: int = 3) -> list[View]:
    """`count` photos of a textured box on a textured floor, from cameras circling it.

    The scene is a dense set of coloured points splatted into each image: enough random texture
    that SIFT matches between neighbouring views, with exact camera centres to compare against.
    """
    rng = np.random.default_rng(seed)
    points, colours = _textured_scene(rng)
    focal = size * 0.9
    views = []
    for index in range(count):
        azimuth = 360.0 * index / count
        rotation, centre = _look_at(azimuth, radius=4.0, height=1.6)
        image = _splat(points, colours, rotation, centre, focal, size)
        views.append(View(Image.fromarray(image), centre, azimuth))
    return views


def _textured_scene(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    faces = []
    for axis in range(3):
        for sign in (-1.0, 1.0):
            grid = rng.uniform(-0.6, 0.6, (9000, 3))
            grid[:, axis] = sign * 0.6
            faces.append(grid + np.array([0, 0, 0.6]))
    floor = rng.uniform(-2.5, 2.5, (30000, 3))
    floor[:, 2] = 0.0
    points = np.concatenate(faces + [floor])
    colours = rng.integers(30, 255, (len(points), 3)).astype(np.uint8)
    return points, colours


def _look_at(azimuth: float, *, radius: float, height: float) -> tuple[np.ndarray, np.ndarray]:
    """World→camera rotation (OpenCV axes: x right, y down, z forward) and the camera centre."""
    angle = np.radians(azimuth)
    centre = np.array([radius * np.cos(angle), radius * np.sin(angle), height])
    forward = np.array([0.0, 0.0, 0.5]) - centre
    forward /= np.linalg.norm(forward)
    right = np.cross(forward, [0.0, 0.0, 1.0])
    right /= np.linalg.norm(right)
    down = np.cross(forward, right)
    return np.stack([right, down, forward]), centre


def _splat(points, colours, rotation, centre, focal, size) -> np.ndarray:
    camera = (points - centre) @ rotation.T
    visible = camera[:, 2] > 0.1
    camera, colours = camera[visible], colours[visible]
    order = np.argsort(-camera[:, 2])  # far first, so near points paint over them
    camera, colours = camera[order], colours[order]
    pixels = focal * camera[:, :2] / camera[:, 2:3] + size / 2
    image = np.full((size, size, 3), 128, np.uint8)
    radius = np.clip((focal * 0.012 / camera[:, 2]).astype(int), 1, 4)
    for (x, y), colour, r in zip(pixels.astype(int), colours, radius, strict=True):
        if 0 <= x < size and 0 <= y < size:
            cv2.circle(image, (int(x), int(y)), int(r), tuple(int(c) for c in colour), cv2.FILLED)
    return image
