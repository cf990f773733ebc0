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

    Each face is a textured image warped onto the view by the plane's homography, far faces
    first: enough texture at several scales that SIFT matches neighbouring views, with exact
    camera centres to compare the recovered ones against.
    """
    rng = np.random.default_rng(seed)
    faces = [(corners, _texture(rng)) for corners in _box_faces()]
    focal = size * 0.9
    views = []
    for index in range(count):
        azimuth = 360.0 * index / count
        rotation, centre = _look_at(azimuth, radius=4.5, height=2.4)
        image = _render(faces, rotation, centre, focal, size)
        views.append(View(Image.fromarray(image), centre, azimuth))
    return views


def _box_faces() -> list[np.ndarray]:
    """The floor, then the box's four sides and top (corners counter-clockwise from outside)."""
    floor = np.array([[-2.5, -2.5, 0], [2.5, -2.5, 0], [2.5, 2.5, 0], [-2.5, 2.5, 0]], float)
    low, high, top = -1.0, 1.0, 1.6
    sides = [
        [[high, low, 0], [high, high, 0], [high, high, top], [high, low, top]],
        [[high, high, 0], [low, high, 0], [low, high, top], [high, high, top]],
        [[low, high, 0], [low, low, 0], [low, low, top], [low, high, top]],
        [[low, low, 0], [high, low, 0], [high, low, top], [low, low, top]],
        [[low, low, top], [high, low, top], [high, high, top], [low, high, top]],
    ]
    return [floor] + [np.array(face, float) for face in sides]


def _texture(rng: np.random.Generator, size: int = 512) -> np.ndarray:
    texture = np.full((size, size, 3), rng.integers(60, 200, 3), np.uint8)
    for _ in range(400):
        centre = (int(rng.integers(0, size)), int(rng.integers(0, size)))
        colour = tuple(int(value) for value in rng.integers(0, 255, 3))
        if rng.random() < 0.5:
            cv2.circle(texture, centre, int(rng.integers(3, 30)), colour, cv2.FILLED)
        else:
            corner = (centre[0] + int(rng.integers(4, 40)), centre[1] + int(rng.integers(4, 40)))
            cv2.rectangle(texture, centre, corner, colour, cv2.FILLED)
    return texture


def _look_at(azimuth: float, *, radius: float, height: float) -> tuple[np.ndarray, np.ndarray]:
    """World→camera rotation (OpenCV axes: x right, y down, z forward) and the camera centre."""
    angle = np.radians(azimuth)
    centre = np.array([radius * np.cos(angle), radius * np.sin(angle), height])
    forward = np.array([0.0, 0.0, 0.6]) - centre
    forward /= np.linalg.norm(forward)
    right = np.cross(forward, [0.0, 0.0, 1.0])
    right /= np.linalg.norm(right)
    down = np.cross(forward, right)
    return np.stack([right, down, forward]), centre


def _render(faces, rotation, centre, focal, size) -> np.ndarray:
    image = np.full((size, size, 3), 128, np.uint8)
    visible = []
    for index, (corners, texture) in enumerate(faces):
        camera = (corners - centre) @ rotation.T
        normal = np.cross(corners[1] - corners[0], corners[2] - corners[0])
        facing = np.dot(normal, centre - corners[0]) > 0
        if (camera[:, 2] > 0.05).all() and (facing or index == 0):
            visible.append((index > 0, -camera[:, 2].mean(), camera, texture))
    for _, _, camera, texture in sorted(visible, key=lambda face: (face[0], face[1])):
        pixels = (focal * camera[:, :2] / camera[:, 2:3] + size / 2).astype(np.float32)
        side = texture.shape[0]
        source = np.float32([[0, 0], [side, 0], [side, side], [0, side]])
        homography = cv2.getPerspectiveTransform(source, pixels)
        warped = cv2.warpPerspective(texture, homography, (size, size))
        mask = cv2.warpPerspective(np.full((side, side), 255, np.uint8), homography, (size, size))
        image[mask > 0] = warped[mask > 0]
    return image
