"""The eight compositions a mood can ask for, each with its own light, texture and depth.

pedestal   studio wall with an arched niche, the product on a stone cylinder, a ball prop
flat-lay   seen from above: paper surface, window-light shadow, props, colour chips
split      two fields (fabric and paper) meeting at a seam, a disc and the product across it
close-up   the product huge and cropped, a shallow focus of big bokeh, a blurred foreground
horizon    sky, low sun, hazy ridges and a path; the product small with a long shadow
grid       four panels: the product standing, tilted, cropped in close, and the palette
spotlight  near black, one cone of light, a lit pool on the floor, dust in the beam
diagonal   bold tilted bands, speed streaks, halftone dots, the product tilted along them

Every colour comes from the mood's five tones (darkest first) and its accent, so the palette
owns the picture; nothing writes words.
"""

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageOps

from media_pipeline.backends.local_image_paint import (
    Colour,
    bokeh,
    crisp_mask,
    ellipse_points,
    fade,
    glow,
    gradient,
    luminance,
    mix,
    paint,
    paper,
    rotated_rectangle,
    scaled,
    shifted,
    soft_mask,
    soften,
    stone,
    texture,
    threads,
)
from media_pipeline.backends.local_image_products import (
    Finish,
    fit_cutout,
    product_sprite,
    shape_aspect,
    tilted,
)

GOOD_CONTRAST = 70  # luminance steps between a product and what stands behind it
WIDE_SPREAD = 2.0


@dataclass(frozen=True)
class Scene:
    width: int
    height: int
    tones: tuple[Colour, ...]  # five, darkest first
    accent: Colour  # the most colourful of the middle tones
    rng: random.Random
    shape: str
    cutout: Image.Image | None
    lit_from_left: bool

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height


# A flat prop: ("ellipse", box) or ("polygon", points), and its colour.
Prop = tuple[str, Sequence, Colour]


@dataclass(frozen=True)
class Layout:
    draw: Callable[[Scene], Image.Image]
    vignette: float  # 0–1, how far the edges sink to the darkest tone
    grain: int  # film grain, ± levels


# Products


def product(
    scene: Scene, box: tuple[float, float], backdrop: Colour, *, room: float | None = None
) -> Image.Image:
    """The product (cutout, else a silhouette in colours that stand out from `backdrop`).

    `box` (width, height) suits an upright product; a wide one (a shoe) may spread sideways
    up to `room` pixels (default most of the frame), or it would come out tiny.
    """
    if shape_aspect(scene.shape) > 1:
        box = (min(box[0] * WIDE_SPREAD, room or scene.width * 0.9), box[1])
    if scene.cutout is not None:
        return fit_cutout(scene.cutout, box)
    body = _standout(scene, backdrop)
    label = max(scene.tones, key=lambda tone: abs(luminance(tone) - luminance(body)))
    finish = Finish(body, label, scene.tones[0], scene.tones[4], scene.lit_from_left)
    return product_sprite(scene.shape, box=box, finish=finish)


def _standout(scene: Scene, backdrop: Colour) -> Colour:
    if abs(luminance(scene.accent) - luminance(backdrop)) >= GOOD_CONTRAST:
        return scene.accent
    return max(scene.tones[1:], key=lambda tone: abs(luminance(tone) - luminance(backdrop)))


def stand(
    base: Image.Image, sprite: Image.Image, *, x: float, baseline: float, shadow: Colour
) -> Image.Image:
    """The sprite with its base centred on (x, baseline), over a soft contact shadow."""
    base = contact_shadow(base, x=x, baseline=baseline, width=sprite.width, shadow=shadow)
    base.paste(sprite, (round(x - sprite.width / 2), round(baseline - sprite.height)), sprite)
    return base


def contact_shadow(
    base: Image.Image, *, x: float, baseline: float, width: float, shadow: Colour
) -> Image.Image:
    """The dark where an object `width` wide touches the ground at (x, baseline)."""
    half, depth = width * 0.62, max(2, width * 0.09)
    contact = soft_mask(
        base.size,
        lambda draw, k: draw.ellipse(
            scaled((x - half, baseline - depth, x + half, baseline + depth), k), fill=255
        ),
        blur=width * 0.08,
    )
    return paint(base, fade(contact, 0.7), shadow)


def cropped_baseline(sprite: Image.Image, frame_height: float) -> float:
    """Where a close-up stands its product: low enough that the frame crops its base, never so
    low that a short product (a shoe) drops out of the picture."""
    return min(frame_height * 1.1, frame_height * 0.55 + sprite.height * 0.75)


def drop(
    base: Image.Image, sprite: Image.Image, *, corner: tuple[float, float], shadow: Colour
) -> Image.Image:
    """The sprite pasted at `corner` over its own shadow thrown down and right (overhead light)."""
    position = (round(corner[0]), round(corner[1]))
    offset = (round(base.width * 0.018), round(base.width * 0.026))
    silhouette = Image.new("L", base.size, 0)
    silhouette.paste(sprite.getchannel("A"), position)
    cast = soften(shifted(silhouette, offset), base.width * 0.02)
    base = paint(base, fade(cast, 0.45), shadow)
    base.paste(sprite, position, sprite)
    return base


def long_shadow(
    base: Image.Image,
    sprite: Image.Image,
    *,
    x: float,
    baseline: float,
    lean: float,
    shadow: Colour,
) -> Image.Image:
    """The sprite's shadow laid flat on the ground and stretched sideways (a low sun)."""
    length = max(1, round(sprite.height * 0.35))
    flat = sprite.getchannel("A").transpose(Image.FLIP_TOP_BOTTOM).resize((sprite.width, length))
    reach = lean * length
    sheared = flat.transform(
        (sprite.width + round(abs(reach)), length),
        Image.AFFINE,
        (1, -lean, min(0.0, reach), 0, 1, 0),
        resample=Image.BILINEAR,
    )
    mask = Image.new("L", base.size, 0)
    mask.paste(sheared, (round(x - sprite.width / 2 + min(0.0, reach)), round(baseline)))
    return paint(base, fade(soften(mask, sprite.width * 0.05), 0.55), shadow)


# Props


def ball(
    base: Image.Image, centre: tuple[float, float], radius: float, colour: Colour, scene: Scene
) -> Image.Image:
    """A lit sphere: light from the upper side the key light comes from."""
    size = max(2, round(radius * 2))
    shade = Image.radial_gradient("L").resize((size * 2, size * 2), Image.BICUBIC)
    corner = round(size * (0.65 if scene.lit_from_left else 0.35))
    shade = shade.crop((corner, round(size * 0.65), corner + size, round(size * 0.65) + size))
    lit = ImageOps.colorize(
        shade,
        black=mix(colour, scene.tones[4], 0.55),
        white=mix(colour, scene.tones[0], 0.6),
        mid=colour,
    )
    circle = crisp_mask(
        (size, size), lambda draw, k: draw.ellipse((0, 0, size * k - 1, size * k - 1), fill=255)
    )
    left, top = round(centre[0] - radius), round(centre[1] - radius)
    base = contact_shadow(
        base, x=centre[0], baseline=centre[1] + radius, width=size, shadow=scene.tones[0]
    )
    base.paste(lit, (left, top), circle)
    return base


def ridge(
    scene: Scene, *, base_y: float, amplitude: float, colour: Colour, image: Image.Image
) -> Image.Image:
    """A line of hills: a smooth random skyline filled down to the bottom of the frame."""
    width, height = scene.size
    heights = [scene.rng.uniform(-1, 1) for _ in range(7)]
    points = []
    for step in range(65):
        position = step / 64 * (len(heights) - 1)
        index = min(int(position), len(heights) - 2)
        blend = (1 - math.cos((position - index) * math.pi)) / 2
        lift = heights[index] + (heights[index + 1] - heights[index]) * blend
        points.append((width * step / 64, base_y - amplitude * lift))
    outline = [*points, (width, height), (0, height)]
    return paint(
        image,
        crisp_mask(scene.size, lambda draw, k: draw.polygon(scaled_points(outline, k), fill=255)),
        colour,
    )


def scaled_points(points: list[tuple[float, float]], scale: float) -> list[tuple[float, float]]:
    return [(x * scale, y * scale) for x, y in points]


def polygon_mask(size: tuple[int, int], points: list[tuple[float, float]]) -> Image.Image:
    return crisp_mask(size, lambda draw, k: draw.polygon(scaled_points(points, k), fill=255))


def ellipse_mask(size: tuple[int, int], box: tuple[float, float, float, float]) -> Image.Image:
    return crisp_mask(size, lambda draw, k: draw.ellipse(scaled(box, k), fill=255))


# Layouts


def pedestal(scene: Scene) -> Image.Image:
    width, height = scene.size
    t = scene.tones
    floor = height * 0.7
    image = gradient(
        scene.size,
        [
            (0, t[1]),
            (0.699, mix(t[1], t[2], 0.6)),
            (0.7, mix(t[2], t[3], 0.4)),
            (1, mix(t[1], t[0], 0.3)),
        ],
    )
    image = texture(image, stone(scene.size, scene.rng), 0.4)
    top = height * 0.13
    # The arch's round head must fit above the floor in a landscape frame too.
    half = min(width * 0.33, (floor - top) * 0.45)
    left, right = width * 0.5 - half, width * 0.5 + half
    arch = crisp_mask(
        scene.size,
        lambda draw, k: (
            draw.ellipse(scaled((left, top, right, top + 2 * half), k), fill=255),
            draw.rectangle(scaled((left, top + half, right, floor), k), fill=255),
        ),
    )
    niche = gradient(scene.size, [(0, mix(t[2], t[3], 0.7)), (0.7, mix(t[2], t[3], 0.2))])
    niche = glow(niche, (width * 0.5, top + half * 0.75), half * 2.3, t[4], 0.7)
    image = paint(image, arch, niche)
    return _pedestal_stage(scene, image, floor)


def _pedestal_stage(scene: Scene, image: Image.Image, floor: float) -> Image.Image:
    width, height = scene.size
    t = scene.tones
    centre, half = width * 0.5, width * 0.25
    top, bottom = height * 0.6, floor + height * 0.07
    rim = half * 0.3
    image = contact_shadow(image, x=centre, baseline=bottom, width=half * 2.3, shadow=t[0])
    body = crisp_mask(
        scene.size,
        lambda draw, k: (
            draw.rectangle(scaled((centre - half, top, centre + half, bottom), k), fill=255),
            draw.ellipse(
                scaled((centre - half, bottom - rim, centre + half, bottom + rim), k), fill=255
            ),
        ),
    )
    column = gradient(
        scene.size,
        [
            (0, t[2]),
            (0.3, mix(t[3], t[4], 0.5)),
            (0.5, t[3]),
            (0.7, mix(t[2], t[1], 0.5)),
            (1, t[1]),
        ],
        vertical=False,
    )
    image = paint(image, body, texture(column, stone(scene.size, scene.rng), 0.35))
    cap = ellipse_mask(scene.size, (centre - half, top - rim, centre + half, top + rim))
    image = paint(image, cap, mix(t[3], t[4], 0.6))
    image = ball(image, (width * 0.2, floor + height * 0.17), width * 0.08, scene.accent, scene)
    sprite = product(scene, (width * 0.36, height * 0.34), mix(t[2], t[3], 0.5), room=width * 0.6)
    return stand(image, sprite, x=centre, baseline=top + rim * 0.15, shadow=t[0])


def flat_lay(scene: Scene) -> Image.Image:
    width, height = scene.size
    t = scene.tones
    image = gradient(scene.size, [(0, t[4]), (1, mix(t[3], t[4], 0.5))])
    image = texture(image, paper(scene.size, scene.rng), 0.5)
    image = glow(image, (0, 0), width * 1.2, t[4], 0.6)
    window = soft_mask(
        scene.size,
        lambda draw, k: draw.polygon(
            scaled_points(
                rotated_rectangle(
                    (width * 0.7, height * 0.45),
                    length=height * 1.6,
                    thickness=width * 0.22,
                    degrees=55,
                ),
                k,
            ),
            fill=255,
        ),
        blur=width * 0.05,
    )
    image = paint(image, fade(window, 0.16), t[1])
    return _flat_lay_props(scene, image)


def _flat_lay_props(scene: Scene, image: Image.Image) -> Image.Image:
    width, height = scene.size
    t, rng = scene.tones, scene.rng
    plate = (width * 0.08, height * 0.1, width * 0.52, height * 0.1 + width * 0.44)
    rim = width * 0.05
    props: list[Prop] = [
        ("ellipse", plate, t[3]),
        (
            "ellipse",
            (plate[0] + rim, plate[1] + rim, plate[2] - rim, plate[3] - rim),
            mix(t[3], t[4], 0.4),
        ),
        (
            "polygon",
            rotated_rectangle(
                (width * 0.7, height * 0.74),
                length=width * 0.44,
                thickness=width * 0.3,
                degrees=rng.uniform(8, 16),
            ),
            t[2],
        ),
    ]
    stem, reach = (width * 0.86, height * 0.18), width * 0.13
    for index in range(5):
        angle = math.radians(200 + index * 28 + rng.uniform(-6, 6))
        centre = (stem[0] + reach * math.cos(angle), stem[1] - reach * math.sin(angle))
        leaf = ellipse_points(centre, (reach, reach * 0.32), -math.degrees(angle))
        props.append(("polygon", leaf, mix(t[1], t[0], index * 0.12)))
    chip, top = width * 0.09, height * 0.86
    for index, tone in enumerate((t[0], t[1], scene.accent, t[3])):
        left = width * (0.1 + index * 0.11)
        props.append(
            (
                "polygon",
                [(left, top), (left + chip, top), (left + chip, top + chip), (left, top + chip)],
                tone,
            )
        )
    for _ in range(9):
        x, y = width * rng.uniform(0.1, 0.4), height * rng.uniform(0.66, 0.8)
        radius = width * rng.uniform(0.01, 0.02)
        props.append(("ellipse", (x - radius, y - radius, x + radius, y + radius), scene.accent))
    if rng.random() < 0.5:
        props = [_mirrored(prop, width) for prop in props]
    image = lay_out(image, props, shadow=t[0])
    sprite = tilted(product(scene, (width * 0.34, height * 0.4), t[4]), rng.uniform(-38, -24))
    corner = (width * 0.5 - sprite.width / 2, height * 0.5 - sprite.height / 2)
    return drop(image, sprite, corner=corner, shadow=t[0])


def _mirrored(prop: Prop, width: float) -> Prop:
    kind, points, colour = prop
    if kind == "ellipse":
        left, top, right, bottom = points
        return kind, (width - right, top, width - left, bottom), colour
    return kind, [(width - x, y) for x, y in points], colour


def lay_out(image: Image.Image, props: list[Prop], *, shadow: Colour) -> Image.Image:
    """Flat props laid on a surface under overhead light, painted in one pass with one shadow.

    Colours are drawn at full size with a pixel of outline so the anti-aliased mask edge never
    picks up the surface colour; the mask itself is supersampled.
    """
    colours = image.copy()
    draw = ImageDraw.Draw(colours)
    for kind, points, colour in props:
        if kind == "ellipse":
            draw.ellipse(points, fill=colour, outline=colour, width=2)
        else:
            draw.polygon(points, fill=colour, outline=colour, width=2)

    def shapes(canvas: ImageDraw.ImageDraw, k: float) -> None:
        for kind, points, _ in props:
            if kind == "ellipse":
                canvas.ellipse(scaled(points, k), fill=255)
            else:
                canvas.polygon(scaled_points(points, k), fill=255)

    mask = crisp_mask(image.size, shapes)
    offset = (round(image.width * 0.012), round(image.width * 0.018))
    image = paint(image, fade(soften(shifted(mask, offset), image.width * 0.015), 0.4), shadow)
    return paint(image, mask, colours)


def split(scene: Scene) -> Image.Image:
    width, height = scene.size
    t = scene.tones
    seam, shelf = width * 0.5, height * 0.76
    dark = texture(
        gradient(scene.size, [(0, t[1]), (1, t[0])]),
        threads(scene.size, scene.rng, pitch=max(2, width / 160)),
        0.45,
    )
    light = texture(
        gradient(scene.size, [(0, t[3]), (1, mix(t[3], t[4], 0.6))]),
        paper(scene.size, scene.rng),
        0.4,
    )
    light = glow(light, (width, 0), width * 1.1, t[4], 0.8)
    light = bokeh(
        light,
        scene.rng,
        count=10,
        colours=(t[4], scene.accent),
        radius=(width * 0.02, width * 0.06),
        area=(seam, 0, width, shelf),
        blur=width * 0.01,
    )
    right_half = crisp_mask(
        scene.size, lambda draw, k: draw.rectangle(scaled((seam, 0, width, height), k), fill=255)
    )
    image = paint(dark, right_half, light)
    radius = width * 0.34
    disc = ellipse_mask(
        scene.size, (seam - radius, height * 0.42 - radius, seam + radius, height * 0.42 + radius)
    )
    image = paint(image, disc, scene.accent)
    image = paint(
        image,
        Image.composite(disc, Image.new("L", scene.size, 0), right_half),
        mix(scene.accent, t[4], 0.35),
    )
    floor = crisp_mask(
        scene.size, lambda draw, k: draw.rectangle(scaled((0, shelf, width, height), k), fill=255)
    )
    image = paint(image, floor, gradient(scene.size, [(0.76, t[2]), (1, t[1])]))
    edge = crisp_mask(
        scene.size,
        lambda draw, k: draw.rectangle(
            scaled((0, shelf, width, shelf + height * 0.006), k), fill=255
        ),
    )
    image = paint(image, edge, t[4])
    sprite = product(scene, (width * 0.4, height * 0.44), scene.accent)
    return stand(image, sprite, x=seam, baseline=shelf + height * 0.03, shadow=t[0])


def close_up(scene: Scene) -> Image.Image:
    width, height = scene.size
    t = scene.tones
    image = gradient(scene.size, [(0, mix(t[1], t[2], 0.4)), (1, t[0])])
    image = bokeh(
        image,
        scene.rng,
        count=16,
        colours=(t[2], t[3], t[4], scene.accent),
        radius=(width * 0.05, width * 0.16),
        area=(0, 0, width, height),
        blur=width * 0.03,
        opacity=(40, 120),
    )
    image = bokeh(
        image,
        scene.rng,
        count=14,
        colours=(t[3], t[4]),
        radius=(width * 0.015, width * 0.04),
        area=(0, 0, width, height * 0.6),
        blur=width * 0.006,
        opacity=(70, 170),
    )
    image = glow(image, (width * 0.6, height * 0.45), width * 0.9, t[3], 0.55)
    sprite = product(scene, (width * 1.05, height * 1.2), t[1])
    image = stand(
        image, sprite, x=width * 0.6, baseline=cropped_baseline(sprite, height), shadow=t[0]
    )
    foreground = soft_mask(
        scene.size,
        lambda draw, k: draw.ellipse(
            scaled((-width * 0.4, height * 0.78, width * 0.5, height * 1.25), k), fill=255
        ),
        blur=width * 0.08,
    )
    image = paint(image, fade(foreground, 0.85), t[0])
    return texture(image, stone(scene.size, scene.rng), 0.15)


def horizon(scene: Scene) -> Image.Image:
    width, height = scene.size
    t, rng = scene.tones, scene.rng
    line = height * 0.58
    image = gradient(
        scene.size,
        [(0, mix(t[1], t[2], 0.5)), (0.3, t[2]), (0.56, mix(t[3], t[4], 0.6)), (1, t[4])],
    )
    sun_x = width * rng.choice((0.28, 0.72))
    image = glow(image, (sun_x, line - height * 0.07), width * 1.3, t[3], 0.8)
    image = glow(image, (sun_x, line - height * 0.07), width * 0.5, t[4], 1.0)
    image = paint(
        image,
        ellipse_mask(
            scene.size,
            (
                sun_x - width * 0.08,
                line - height * 0.115,
                sun_x + width * 0.08,
                line - height * 0.115 + width * 0.16,
            ),
        ),
        t[4],
    )
    image = ridge(
        scene,
        base_y=line - height * 0.03,
        amplitude=height * 0.045,
        colour=mix(t[2], t[3], 0.5),
        image=image,
    )
    image = ridge(
        scene, base_y=line, amplitude=height * 0.02, colour=mix(t[1], t[2], 0.6), image=image
    )
    haze = soft_mask(
        scene.size,
        lambda draw, k: draw.rectangle(
            scaled((0, line - height * 0.02, width, line + height * 0.02), k), fill=255
        ),
        blur=height * 0.02,
    )
    image = paint(image, fade(haze, 0.45), t[4])
    ground = crisp_mask(
        scene.size,
        lambda draw, k: draw.rectangle(
            scaled((0, line + height * 0.012, width, height), k), fill=255
        ),
    )
    image = paint(
        image,
        ground,
        texture(
            gradient(scene.size, [(0.58, mix(t[1], t[2], 0.5)), (1, t[0])]),
            stone(scene.size, rng),
            0.35,
        ),
    )
    path = polygon_mask(
        scene.size,
        [
            (width * 0.49, line + height * 0.012),
            (width * 0.51, line + height * 0.012),
            (width * 0.7, height),
            (width * 0.3, height),
        ],
    )
    image = paint(image, fade(path, 0.35), mix(t[2], t[3], 0.4))
    sprite = product(scene, (width * 0.3, height * 0.2), mix(t[1], t[2], 0.5))
    lean = 2.2 if sun_x < width / 2 else -2.2
    image = long_shadow(
        image, sprite, x=width * 0.5, baseline=height * 0.82, lean=lean, shadow=t[0]
    )
    return stand(image, sprite, x=width * 0.5, baseline=height * 0.82, shadow=t[0])


def grid(scene: Scene) -> Image.Image:
    width, height = scene.size
    t = scene.tones
    image = texture(Image.new("RGB", scene.size, t[4]), paper(scene.size, scene.rng), 0.4)
    margin, gutter = width * 0.05, width * 0.03
    cell = ((width - 2 * margin - gutter) / 2, (height - 2 * margin - gutter) / 2)
    panels = [_panel_standing, _panel_tilted, _panel_palette, _panel_close]
    backs = [t[0], scene.accent, t[1], mix(t[2], t[3], 0.5)]
    scene.rng.shuffle(backs)
    size = (round(cell[0]), round(cell[1]))
    corners = crisp_mask(
        size,
        lambda draw, k: draw.rounded_rectangle(
            scaled((0, 0, *size), k), radius=width * 0.015 * k, fill=255
        ),
    )
    for index, panel in enumerate(panels):
        left = margin + (index % 2) * (cell[0] + gutter)
        top = margin + (index // 2) * (cell[1] + gutter)
        image.paste(panel(scene, size, backs[index]), (round(left), round(top)), corners)
    return image


def _panel_backdrop(scene: Scene, size: tuple[int, int], colour: Colour) -> Image.Image:
    back = gradient(
        size, [(0, mix(colour, scene.tones[4], 0.2)), (1, mix(colour, scene.tones[0], 0.3))]
    )
    return glow(back, (size[0] * 0.5, size[1] * 0.35), size[0] * 0.9, scene.tones[4], 0.35)


def _panel_standing(scene: Scene, size: tuple[int, int], colour: Colour) -> Image.Image:
    tile = _panel_backdrop(scene, size, colour)
    sprite = product(scene, (size[0] * 0.6, size[1] * 0.62), colour, room=size[0] * 0.9)
    return stand(tile, sprite, x=size[0] * 0.5, baseline=size[1] * 0.84, shadow=scene.tones[0])


def _panel_tilted(scene: Scene, size: tuple[int, int], colour: Colour) -> Image.Image:
    tile = _panel_backdrop(scene, size, colour)
    sprite = tilted(
        product(scene, (size[0] * 0.55, size[1] * 0.58), colour, room=size[0] * 0.8), 28
    )
    return drop(
        tile,
        sprite,
        corner=(size[0] * 0.5 - sprite.width / 2, size[1] * 0.5 - sprite.height / 2),
        shadow=scene.tones[0],
    )


def _panel_close(scene: Scene, size: tuple[int, int], colour: Colour) -> Image.Image:
    tile = _panel_backdrop(scene, size, colour)
    sprite = product(scene, (size[0] * 1.4, size[1] * 1.5), colour, room=size[0] * 1.3)
    baseline = cropped_baseline(sprite, size[1])
    return stand(tile, sprite, x=size[0] * 0.55, baseline=baseline, shadow=scene.tones[0])


def _panel_palette(scene: Scene, size: tuple[int, int], colour: Colour) -> Image.Image:
    tile = Image.new("RGB", size, scene.tones[4])
    band = size[1] / 5
    draw = ImageDraw.Draw(tile)
    for index, tone in enumerate(reversed(scene.tones)):
        draw.rectangle((0, round(index * band), size[0], round((index + 1) * band)), fill=tone)
    return tile


def spotlight(scene: Scene) -> Image.Image:
    width, height = scene.size
    t = scene.tones
    floor = height * 0.74
    image = gradient(scene.size, [(0, t[0]), (0.74, mix(t[0], t[1], 0.6)), (1, t[0])])
    image = texture(image, stone(scene.size, scene.rng), 0.2)
    beam = [
        (width * 0.42, -height * 0.05),
        (width * 0.58, -height * 0.05),
        (width * 0.86, floor),
        (width * 0.14, floor),
    ]
    image = paint(
        image,
        fade(
            soft_mask(
                scene.size,
                lambda draw, k: draw.polygon(scaled_points(beam, k), fill=255),
                blur=width * 0.06,
            ),
            0.3,
        ),
        t[3],
    )
    core = [
        (width * 0.47, -height * 0.05),
        (width * 0.53, -height * 0.05),
        (width * 0.7, floor),
        (width * 0.3, floor),
    ]
    image = paint(
        image,
        fade(
            soft_mask(
                scene.size,
                lambda draw, k: draw.polygon(scaled_points(core, k), fill=255),
                blur=width * 0.05,
            ),
            0.18,
        ),
        t[4],
    )
    pool = soft_mask(
        scene.size,
        lambda draw, k: draw.ellipse(
            scaled((width * 0.14, floor - height * 0.04, width * 0.86, floor + height * 0.06), k),
            fill=255,
        ),
        blur=width * 0.05,
    )
    image = paint(image, fade(pool, 0.6), mix(t[3], t[4], 0.4))
    image = bokeh(
        image,
        scene.rng,
        count=45,
        colours=(t[4],),
        radius=(width * 0.002, width * 0.006),
        area=(width * 0.25, 0, width * 0.75, floor),
        blur=width * 0.002,
        opacity=(60, 200),
    )
    sprite = product(scene, (width * 0.36, height * 0.36), t[0])
    return stand(image, sprite, x=width * 0.5, baseline=floor + height * 0.01, shadow=t[0])


def diagonal(scene: Scene) -> Image.Image:
    width, height = scene.size
    t, rng = scene.tones, scene.rng
    degrees = rng.uniform(18, 26) * (1 if scene.lit_from_left else -1)
    reach = math.hypot(width, height) * 1.2
    image = texture(gradient(scene.size, [(0, t[1]), (1, t[0])]), stone(scene.size, rng), 0.25)
    image = _halftone(scene, image)
    centre = (width * 0.5, height * rng.uniform(0.48, 0.62))
    thickness = width * rng.uniform(0.32, 0.48)
    band = rotated_rectangle(centre, length=reach, thickness=thickness, degrees=degrees)
    image = paint(
        image,
        polygon_mask(scene.size, band),
        gradient(scene.size, [(0, t[3]), (1, mix(t[2], t[3], 0.5))], vertical=False),
    )
    side = rng.choice((-1, 1))  # the accent stripe runs above or below the band
    stripe_centre = (centre[0], centre[1] + side * (thickness * 0.5 + width * 0.1))
    stripe = rotated_rectangle(stripe_centre, length=reach, thickness=width * 0.07, degrees=degrees)
    image = paint(image, polygon_mask(scene.size, stripe), scene.accent)
    image = _streaks(scene, image, degrees)
    sprite = tilted(product(scene, (width * 0.42, height * 0.4), t[3]), degrees)
    corner = (centre[0] - sprite.width / 2, centre[1] - sprite.height * 0.62)
    return drop(image, sprite, corner=corner, shadow=t[0])


def _halftone(scene: Scene, image: Image.Image) -> Image.Image:
    """A corner of dots shrinking away from it: print-like energy."""
    width, height = scene.size
    step = width / 28
    corner_x = 0 if scene.lit_from_left else width
    mask = Image.new("L", scene.size, 0)
    draw = ImageDraw.Draw(mask)
    for row in range(int(height * 0.35 / step)):
        for column in range(int(width * 0.55 / step)):
            x = abs(corner_x - column * step - step / 2)
            y = row * step + step / 2
            radius = step * 0.42 * (1 - math.hypot(column / 15, row / 20))
            if radius > 0.6:
                draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=255)
    return paint(image, fade(mask, 0.7), scene.tones[2])


def _streaks(scene: Scene, image: Image.Image, degrees: float) -> Image.Image:
    width, height = scene.size
    rng = scene.rng
    lines = []
    for _ in range(12):
        centre = (width * rng.uniform(0, 1), height * rng.uniform(0.1, 0.95))
        lines.append(
            rotated_rectangle(
                centre,
                length=width * rng.uniform(0.2, 0.6),
                thickness=max(1.5, width * rng.uniform(0.002, 0.006)),
                degrees=degrees,
            )
        )
    mask = crisp_mask(
        scene.size,
        lambda draw, k: [draw.polygon(scaled_points(points, k), fill=255) for points in lines],
    )
    return paint(image, fade(mask, 0.55), scene.tones[4])


LAYOUTS = {
    "pedestal": Layout(pedestal, vignette=0.4, grain=4),
    "flat-lay": Layout(flat_lay, vignette=0.12, grain=3),
    "split": Layout(split, vignette=0.25, grain=4),
    "close-up": Layout(close_up, vignette=0.5, grain=5),
    "horizon": Layout(horizon, vignette=0.3, grain=4),
    "grid": Layout(grid, vignette=0.0, grain=3),
    "spotlight": Layout(spotlight, vignette=0.7, grain=5),
    "diagonal": Layout(diagonal, vignette=0.35, grain=4),
}
