"""Painting primitives for the local image backend: colour maths, gradients, masks, textures.

Plain Pillow, no numpy. Soft things (glows, blurred shadows, bokeh) are drawn at a quarter of
the frame size and scaled up: they look the same and a 1080×1920 frame stays well under a
second. Randomness comes only from the `random.Random` passed in, so output is reproducible.
"""

import math
import random
from collections.abc import Callable, Sequence

from PIL import Image, ImageChops, ImageDraw, ImageFilter

Colour = tuple[int, int, int]
Box = tuple[float, float, float, float]
Draw = Callable[[ImageDraw.ImageDraw, float], None]  # draws with coordinates times the scale

SOFT_FACTOR = 4
GRADIENT_STEPS = 256
MIN_DISC_PIXELS = 3  # bokeh discs smaller than this (where drawn) turn into blocky specks
SUPERSAMPLE = 2  # crisp masks are drawn at twice the size and reduced, for smooth edges


def mix(first: Colour, second: Colour, amount: float) -> Colour:
    """`first` moved `amount` (0–1) of the way towards `second`."""
    return tuple(round(a + (b - a) * amount) for a, b in zip(first, second, strict=True))


def luminance(colour: Colour) -> float:
    red, green, blue = colour
    return 0.299 * red + 0.587 * green + 0.114 * blue


def saturation(colour: Colour) -> float:
    return (max(colour) - min(colour)) / 255


def scaled(box: Sequence[float], scale: float) -> list[float]:
    return [value * scale for value in box]


def gradient(
    size: tuple[int, int], stops: Sequence[tuple[float, Colour]], *, vertical: bool = True
) -> Image.Image:
    """An RGB ramp through `stops` (position 0–1, colour) from top to bottom or left to right."""
    line = [_colour_at(stops, step / (GRADIENT_STEPS - 1)) for step in range(GRADIENT_STEPS)]
    strip = Image.new("RGB", (1, GRADIENT_STEPS) if vertical else (GRADIENT_STEPS, 1))
    strip.putdata(line)
    return strip.resize(size, Image.BILINEAR)


def _colour_at(stops: Sequence[tuple[float, Colour]], position: float) -> Colour:
    if position <= stops[0][0]:
        return stops[0][1]
    for (start, low), (end, high) in zip(stops, stops[1:], strict=False):
        if position <= end:
            return mix(low, high, (position - start) / max(end - start, 1e-6))
    return stops[-1][1]


def paint(base: Image.Image, mask: Image.Image, fill: Colour | Image.Image) -> Image.Image:
    """`fill` laid over `base` through `mask` (L, 255 = fully covered)."""
    if not isinstance(fill, Image.Image):
        fill = Image.new("RGB", base.size, fill)
    return Image.composite(fill, base, mask)


def fade(mask: Image.Image, opacity: float) -> Image.Image:
    return mask.point(lambda value: round(value * opacity))


def crisp_mask(size: tuple[int, int], draw: Draw) -> Image.Image:
    """A hard-edged mask, anti-aliased by drawing it at twice the size."""
    large = Image.new("L", (size[0] * SUPERSAMPLE, size[1] * SUPERSAMPLE), 0)
    draw(ImageDraw.Draw(large), SUPERSAMPLE)
    return large.reduce(SUPERSAMPLE)


def soft_mask(size: tuple[int, int], draw: Draw, *, blur: float) -> Image.Image:
    """A blurred mask, drawn and blurred small and scaled up (blur is in full-size pixels)."""
    small = Image.new("L", _small(size), 0)
    draw(ImageDraw.Draw(small), 1 / SOFT_FACTOR)
    if blur > 0:
        small = small.filter(ImageFilter.GaussianBlur(blur / SOFT_FACTOR))
    return small.resize(size, Image.BICUBIC)


def shifted(mask: Image.Image, offset: tuple[int, int]) -> Image.Image:
    """The mask moved by `offset` without wrapping round the edges."""
    moved = Image.new("L", mask.size, 0)
    moved.paste(mask, offset)
    return moved


def glow(
    base: Image.Image, centre: tuple[float, float], radius: float, colour: Colour, strength: float
) -> Image.Image:
    """A round light fading smoothly to nothing at `radius`."""
    small_radius = max(1, round(radius / SOFT_FACTOR))
    falloff = ImageChops.invert(Image.radial_gradient("L"))
    falloff = falloff.point(lambda value: round(255 * (value / 255) ** 2.2 * strength))
    falloff = falloff.resize((small_radius * 2, small_radius * 2), Image.BICUBIC)
    mask = Image.new("L", _small(base.size), 0)
    corner = (
        round(centre[0] / SOFT_FACTOR) - small_radius,
        round(centre[1] / SOFT_FACTOR) - small_radius,
    )
    mask.paste(falloff, corner)
    return paint(base, mask.resize(base.size, Image.BICUBIC), colour)


def vignette(base: Image.Image, colour: Colour, strength: float) -> Image.Image:
    """Edges and corners sink towards `colour`, drawing the eye to the middle."""
    falloff = Image.radial_gradient("L").point(
        lambda value: round(255 * min(1.0, max(0.0, (value - 90) / 150)) ** 1.6 * strength)
    )
    return paint(base, falloff.resize(base.size, Image.BICUBIC), colour)


def noise(size: tuple[int, int], rng: random.Random, *, cell: float) -> Image.Image:
    """Smooth value noise (L) whose blobs are about `cell` pixels across."""
    small = (max(2, math.ceil(size[0] / cell)), max(2, math.ceil(size[1] / cell)))
    field = Image.frombytes("L", small, rng.randbytes(small[0] * small[1]))
    return field.resize(size, Image.BICUBIC)


def threads(size: tuple[int, int], rng: random.Random, *, pitch: float) -> Image.Image:
    """A woven look (L): random warp and weft threads `pitch` pixels wide crossing each other."""
    columns = max(2, round(size[0] / pitch))
    rows = max(2, round(size[1] / pitch))
    warp = Image.frombytes("L", (columns, 1), rng.randbytes(columns)).resize(size, Image.NEAREST)
    weft = Image.frombytes("L", (1, rows), rng.randbytes(rows)).resize(size, Image.NEAREST)
    return Image.blend(warp, weft, 0.5)


def texture(base: Image.Image, pattern: Image.Image, amount: float) -> Image.Image:
    """Light and shade of a grey `pattern` worked into `base` (soft light), `amount` 0–1."""
    grey = Image.merge("RGB", (pattern, pattern, pattern))
    return Image.blend(base, ImageChops.soft_light(base, grey), amount)


def stone(size: tuple[int, int], rng: random.Random) -> Image.Image:
    """Mottled stone or plaster: broad clouds with fine speckle."""
    broad = noise(size, rng, cell=max(size) / 6)
    middle = noise(size, rng, cell=max(2, max(size) / 90))
    fine = noise(size, rng, cell=max(1.5, max(size) / 500))
    # Three octaves: a single interpolated one shows its grid as soft squares.
    return Image.blend(Image.blend(broad, middle, 0.3), fine, 0.3)


def paper(size: tuple[int, int], rng: random.Random) -> Image.Image:
    """Paper or plaster fibre: fine speckle over a faint large mottle."""
    fine = noise(size, rng, cell=max(1.5, max(size) / 500))
    broad = noise(size, rng, cell=max(size) / 4)
    return Image.blend(fine, broad, 0.4)


def grain(base: Image.Image, rng: random.Random, amount: int) -> Image.Image:
    """Monochrome film grain of ±`amount` levels: it takes the digital flatness off gradients."""
    if amount <= 0:
        return base
    field = Image.frombytes("L", base.size, rng.randbytes(base.width * base.height))
    field = field.point(lambda value: value * 2 * amount // 255)
    grey = Image.merge("RGB", (field, field, field))
    return ImageChops.add(base, grey, offset=-amount)


def bokeh(
    base: Image.Image,
    rng: random.Random,
    *,
    count: int,
    colours: Sequence[Colour],
    radius: tuple[float, float],
    area: Box,
    blur: float,
    opacity: tuple[int, int] = (50, 140),
) -> Image.Image:
    """Out-of-focus discs of light scattered over `area` (x0, y0, x1, y1 in pixels).

    Drawn as small as the smallest disc allows: a speck of dust needs full size, a big blur
    does not.
    """
    factor = max(1, min(SOFT_FACTOR, int(radius[0] // MIN_DISC_PIXELS)))
    layer = Image.new("RGBA", _small(base.size, factor), (*colours[0], 0))
    draw = ImageDraw.Draw(layer)
    for _ in range(count):
        size = rng.uniform(*radius) / factor
        x = rng.uniform(area[0], area[2]) / factor
        y = rng.uniform(area[1], area[3]) / factor
        fill = (*rng.choice(colours), rng.randint(*opacity))
        draw.ellipse((x - size, y - size, x + size, y + size), fill=fill)
    layer = layer.filter(ImageFilter.GaussianBlur(blur / factor))
    if factor > 1:
        layer = layer.resize(base.size, Image.BICUBIC)
    return Image.alpha_composite(base.convert("RGBA"), layer).convert("RGB")


def _small(size: tuple[int, int], factor: int = SOFT_FACTOR) -> tuple[int, int]:
    return max(1, size[0] // factor), max(1, size[1] // factor)


def soften(mask: Image.Image, blur: float) -> Image.Image:
    """A full-size mask blurred by `blur` pixels, cheaply (blurred small, scaled back up)."""
    small = mask.resize(_small(mask.size), Image.BILINEAR)
    small = small.filter(ImageFilter.GaussianBlur(max(0.5, blur / SOFT_FACTOR)))
    return small.resize(mask.size, Image.BICUBIC)


def rotated_rectangle(
    centre: tuple[float, float], *, length: float, thickness: float, degrees: float
) -> list[tuple[float, float]]:
    """The corners of a `length`×`thickness` bar through `centre`, turned `degrees` anticlockwise."""
    angle = math.radians(degrees)
    along = (math.cos(angle) * length / 2, -math.sin(angle) * length / 2)
    across = (math.sin(angle) * thickness / 2, math.cos(angle) * thickness / 2)
    x, y = centre
    return [
        (x - along[0] - across[0], y - along[1] - across[1]),
        (x + along[0] - across[0], y + along[1] - across[1]),
        (x + along[0] + across[0], y + along[1] + across[1]),
        (x - along[0] + across[0], y - along[1] + across[1]),
    ]


def ellipse_points(
    centre: tuple[float, float], radii: tuple[float, float], degrees: float, steps: int = 36
) -> list[tuple[float, float]]:
    """An ellipse as a polygon, so it can be turned (leaves, petals, pebbles)."""
    angle = math.radians(degrees)
    points = []
    for step in range(steps):
        theta = 2 * math.pi * step / steps
        x, y = radii[0] * math.cos(theta), radii[1] * math.sin(theta)
        points.append(
            (
                centre[0] + x * math.cos(angle) - y * math.sin(angle),
                centre[1] + x * math.sin(angle) + y * math.cos(angle),
            )
        )
    return points
