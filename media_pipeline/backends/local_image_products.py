"""Generic product objects for the local image backend: shaded silhouettes, or the real cutout.

Each shape is a few parts in a 0–1 box (x across, y down), each part painted in a role colour:
the body, a darker `shade`, the mood's `accent` (cap, label, stripe) and a light `sheen`
(lids, soles, glints). Round things get cylinder shading with a highlight and a rim light,
flat things a top-lit ramp. A sprite is RGBA, cropped to the object, its base on the bottom row.
"""

from dataclasses import dataclass

from PIL import Image

from media_pipeline.backends.local_image_paint import (
    Colour,
    crisp_mask,
    fade,
    gradient,
    mix,
    scaled,
)

ROLE_ORDER = ("body", "shade", "accent", "sheen")
AMBIENT_OCCLUSION = 0.45  # how dark the object gets where it meets the ground


@dataclass(frozen=True)
class Shape:
    aspect: float  # width / height
    round: bool  # cylinder shading across, else lit from the top
    # (role, "rounded" | "ellipse" | "poly", coordinates, corner radius as a share of the width)
    parts: tuple[tuple[str, str, tuple[float, ...], float], ...]


@dataclass(frozen=True)
class Finish:
    body: Colour
    accent: Colour
    dark: Colour
    light: Colour
    lit_from_left: bool = True


SHAPES = {
    "bottle": Shape(0.42, True, (
        ("body", "rounded", (0, 0.36, 1, 1), 0.22),
        ("body", "rounded", (0.34, 0.2, 0.66, 0.42), 0.06),
        ("accent", "rounded", (0, 0.6, 1, 0.82), 0),
        ("shade", "rounded", (0.27, 0.12, 0.73, 0.26), 0.05),
        ("shade", "rounded", (0.37, 0, 0.63, 0.16), 0.12),
    )),
    "jar": Shape(1.1, True, (
        ("body", "rounded", (0.05, 0.32, 0.95, 1), 0.14),
        ("shade", "rounded", (0.05, 0.34, 0.95, 0.42), 0),
        ("accent", "rounded", (0, 0.04, 1, 0.36), 0.07),
    )),
    "box": Shape(0.8, False, (
        ("body", "poly", (0, 0.2, 0.78, 0.2, 0.78, 1, 0, 1), 0),
        ("shade", "poly", (0.78, 0.2, 1, 0.04, 1, 0.86, 0.78, 1), 0),
        ("sheen", "poly", (0, 0.2, 0.22, 0.04, 1, 0.04, 0.78, 0.2), 0),
        ("accent", "poly", (0, 0.52, 0.78, 0.52, 0.78, 0.64, 0, 0.64), 0),
    )),
    "can": Shape(0.52, True, (
        ("body", "rounded", (0, 0.05, 1, 0.95), 0),
        ("body", "ellipse", (0, 0.9, 1, 1), 0),
        ("accent", "rounded", (0, 0.3, 1, 0.66), 0),
        ("sheen", "ellipse", (0, 0, 1, 0.1), 0),
        ("shade", "ellipse", (0.18, 0.02, 0.82, 0.08), 0),
    )),
    "tube": Shape(0.36, True, (
        ("body", "poly", (0, 0.06, 1, 0.06, 0.78, 0.82, 0.22, 0.82), 0),
        ("accent", "poly", (0.07, 0.3, 0.93, 0.3, 0.88, 0.48, 0.12, 0.48), 0),
        ("sheen", "rounded", (0, 0, 1, 0.07), 0.02),
        ("accent", "rounded", (0.22, 0.8, 0.78, 1), 0.08),
    )),
    "device": Shape(0.5, True, (
        ("shade", "rounded", (0, 0, 1, 1), 0.16),
        ("accent", "rounded", (0.06, 0.035, 0.94, 0.965), 0.11),
        ("sheen", "poly", (0.06, 0.42, 0.94, 0.2, 0.94, 0.27, 0.06, 0.49), 0),
    )),
    "shoe": Shape(2.4, False, (
        ("body", "poly", (0.02, 0.8, 0.01, 0.42, 0.05, 0.24, 0.13, 0.22, 0.22, 0.27, 0.3, 0.1,
                          0.38, 0.08, 0.42, 0.2, 0.56, 0.33, 0.72, 0.42, 0.86, 0.48, 0.95, 0.55,
                          1, 0.66, 1, 0.8), 0),
        ("shade", "poly", (0.06, 0.27, 0.13, 0.25, 0.22, 0.3, 0.29, 0.14, 0.34, 0.14, 0.27, 0.36,
                           0.08, 0.36), 0),
        ("accent", "poly", (0.16, 0.72, 0.46, 0.4, 0.62, 0.44, 0.3, 0.72), 0),
        ("accent", "poly", (0.01, 0.42, 0.05, 0.3, 0.1, 0.32, 0.09, 0.78, 0.02, 0.78), 0),
        ("sheen", "poly", (0.44, 0.26, 0.47, 0.24, 0.5, 0.29, 0.53, 0.28, 0.56, 0.33, 0.52,
                           0.35), 0),
        ("sheen", "rounded", (0, 0.74, 1, 0.92), 0.03),
        ("shade", "rounded", (0.01, 0.9, 0.99, 1), 0.03),
    )),
}  # fmt: skip
DEFAULT_SHAPE = "bottle"


def product_sprite(shape_name: str, *, box: tuple[float, float], finish: Finish) -> Image.Image:
    """The shape as large as fits in `box` (width, height), shaded in the finish's colours."""
    shape = SHAPES[shape_name]
    height = max(4, round(min(box[1], box[0] / shape.aspect)))
    size = (max(4, round(height * shape.aspect)), height)
    sprite = Image.new("RGBA", size, (0, 0, 0, 0))
    for role in ROLE_ORDER:
        parts = [part for part in shape.parts if part[0] == role]
        if parts:
            fill = _shading(size, _role_colour(role, finish), finish, round_=shape.round)
            sprite.paste(fill, (0, 0), _parts_mask(size, parts))
    return _grounded(sprite, finish.dark)


def fit_cutout(cutout: Image.Image, box: tuple[float, float]) -> Image.Image:
    """A real product cutout scaled to fit `box` (width, height), keeping its proportions."""
    scale = min(box[0] / cutout.width, box[1] / cutout.height)
    size = (max(1, round(cutout.width * scale)), max(1, round(cutout.height * scale)))
    return cutout.resize(size, Image.LANCZOS)


def shape_aspect(shape_name: str) -> float:
    return SHAPES[shape_name].aspect


def tilted(sprite: Image.Image, degrees: float) -> Image.Image:
    return sprite.rotate(degrees, resample=Image.BICUBIC, expand=True)


def _role_colour(role: str, finish: Finish) -> Colour:
    return {
        "body": finish.body,
        "shade": mix(finish.body, finish.dark, 0.6),
        "accent": finish.accent,
        "sheen": mix(finish.body, finish.light, 0.7),
    }[role]


def _shading(size: tuple[int, int], colour: Colour, finish: Finish, *, round_: bool) -> Image.Image:
    dark, light = finish.dark, finish.light
    if not round_:
        stops = [(0, mix(colour, light, 0.3)), (0.5, colour), (1, mix(colour, dark, 0.35))]
        return gradient(size, stops)
    stops = [
        (0, mix(colour, light, 0.2)),
        (0.07, mix(colour, dark, 0.1)),
        (0.2, mix(colour, light, 0.6)),
        (0.32, colour),
        (0.7, mix(colour, dark, 0.3)),
        (0.88, mix(colour, dark, 0.45)),
        (0.97, mix(colour, light, 0.35)),
        (1, mix(colour, dark, 0.2)),
    ]
    if not finish.lit_from_left:
        stops = [(1 - position, stop) for position, stop in reversed(stops)]
    return gradient(size, stops, vertical=False)


def _parts_mask(size: tuple[int, int], parts) -> Image.Image:
    width, height = size

    def draw(canvas, scale: float) -> None:
        for _, kind, coordinates, radius in parts:
            points = [
                value * (width if index % 2 == 0 else height)
                for index, value in enumerate(coordinates)
            ]
            points = scaled(points, scale)
            if kind == "rounded":
                canvas.rounded_rectangle(points, radius=radius * width * scale, fill=255)
            elif kind == "ellipse":
                canvas.ellipse(points, fill=255)
            else:
                canvas.polygon(points, fill=255)

    return crisp_mask(size, draw)


def _grounded(sprite: Image.Image, dark: Colour) -> Image.Image:
    """Darken the last tenth towards the ground, as light does where an object meets a surface."""
    ramp = gradient(sprite.size, [(0, (0, 0, 0)), (0.88, (0, 0, 0)), (1, (255, 255, 255))])
    shade = fade(ramp.convert("L"), AMBIENT_OCCLUSION)
    alpha = sprite.getchannel("A")
    darker = Image.composite(Image.new("RGBA", sprite.size, (*dark, 255)), sprite, shade)
    darker.putalpha(alpha)
    return darker
