"""Procedural images with Pillow: a gradient, soft light, a few shapes, a vignette and a title.

No network and no model: the same prompt and seed always give the same PNG bytes, so
tests and offline demos get stable, good-looking placeholders in the mood's colours.
"""

import hashlib
import io
import random
import re

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont, ImageOps

from media_pipeline import storage
from media_pipeline.base import ImageStyle, StoredMedia, is_hex_colour
from media_pipeline.metering import metered

BACKEND = "local"
MODEL = "procedural"
STORAGE_KIND = "images"

# Five colours each, darkest first, like a mood's palette.
PALETTES = (
    ("#1b1f3b", "#53354a", "#a64942", "#ff7844", "#ffd6a5"),
    ("#0b2027", "#40798c", "#70a9a1", "#cfd7c7", "#f6f1d1"),
    ("#231942", "#5e548e", "#9f86c0", "#be95c4", "#e0b1cb"),
    ("#1a1a1a", "#3d3d3d", "#8c7851", "#d8c3a5", "#f4ede4"),
    ("#0d1b2a", "#1b263b", "#415a77", "#778da9", "#e0e1dd"),
    ("#2b2d42", "#8d99ae", "#ef233c", "#d90429", "#edf2f4"),
    ("#283618", "#606c38", "#bc6c25", "#dda15e", "#fefae0"),
    ("#03045e", "#0077b6", "#00b4d8", "#90e0ef", "#caf0f8"),
)
STOPWORDS = frozenset((
    "a", "an", "and", "the", "of", "for", "with", "in", "on", "at", "to", "by", "from", "into",
    "over", "under", "its", "it", "is", "are", "our", "your", "this", "that", "shot", "photo",
    "image", "picture", "scene", "style", "background", "close", "up", "closeup", "hero",
    "lifestyle", "product", "vertical", "frame", "ad", "mood", "cinematic", "lighting", "soft",
    "studio", "detail", "flat", "lay", "high", "quality", "their", "his", "her", "them", "they",
    "we", "you", "who", "use", "showing", "stopping", "look", "curious", "space", "words",
    "enjoying", "revealed", "centre", "center", "light",
))  # fmt: skip
PALETTE_SIZE = 5
TITLE_WORDS = 3
BOKEH_COUNT = 14
SHAPE_COUNT = 3
VIGNETTE_STRENGTH = 150


class LocalImageBackend:
    def __init__(self, **options: object) -> None:
        """No options are needed; any given (e.g. a real backend's) are ignored."""

    def generate(
        self,
        *,
        prompt: str,
        negative_prompt: str = "",
        width: int,
        height: int,
        seed: int,
        style: ImageStyle | None = None,
        count: int = 1,
    ) -> list[StoredMedia]:
        with metered("image", BACKEND, MODEL):
            return [
                self._store(
                    render_image(prompt, width=width, height=height, seed=seed + index, style=style)
                )
                for index in range(count)
            ]

    def _store(self, image: Image.Image) -> StoredMedia:
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        path = storage.store_bytes(buffer.getvalue(), kind=STORAGE_KIND, extension="png")
        return StoredMedia(
            path, "image/png", len(buffer.getvalue()), width=image.width, height=image.height
        )


def render_image(
    prompt: str, *, width: int, height: int, seed: int, style: ImageStyle | None = None
) -> Image.Image:
    """An RGB image of exactly width×height, fully determined by prompt, seed and style."""
    rng = random.Random(f"{seed}:{prompt}")
    palette = [_rgb(colour) for colour in choose_palette(prompt, style)]
    image = _gradient(width, height, palette, rng)
    image = Image.alpha_composite(image, _glow(width, height, palette, rng))
    image = Image.alpha_composite(image, _bokeh(width, height, palette, rng))
    image = Image.alpha_composite(image, _shapes(width, height, palette, rng))
    image = _vignette(image)
    _draw_title(image, title_from_prompt(prompt), palette)
    return image.convert("RGB")


def choose_palette(prompt: str, style: ImageStyle | None) -> list[str]:
    """The style's colours (padded to five with lighter tints), else a curated palette."""
    colours = [colour for colour in (style.palette if style else []) if is_hex_colour(colour)]
    if not colours:
        digest = int(hashlib.sha256(prompt.encode()).hexdigest(), 16)
        return list(PALETTES[digest % len(PALETTES)])
    while len(colours) < PALETTE_SIZE:
        colours.append(_tint(colours[-1]))
    return colours[:PALETTE_SIZE]


def title_from_prompt(prompt: str) -> str:
    """The first few meaningful words of the prompt, title-cased: "Glow Serum Bottle"."""
    words = re.findall(r"[A-Za-z][A-Za-z'-]*", prompt.split(",")[0])
    meaningful = [word for word in words if word.lower() not in STOPWORDS]
    return " ".join(word[:1].upper() + word[1:] for word in meaningful[:TITLE_WORDS])


def _gradient(width: int, height: int, palette: list[tuple], rng: random.Random) -> Image.Image:
    """A tilted two-colour gradient; the tilt is cut from the middle so no corner is left unfilled."""
    ramp = Image.linear_gradient("L").resize((512, 512), Image.BICUBIC)
    ramp = ramp.rotate(rng.uniform(-25, 25), resample=Image.BICUBIC).crop((128, 128, 384, 384))
    mask = ImageOps.autocontrast(ramp).resize((width, height), Image.BICUBIC)
    top = Image.new("RGBA", (width, height), palette[1])
    bottom = Image.new("RGBA", (width, height), palette[0])
    return Image.composite(bottom, top, mask)


def _glow(width: int, height: int, palette: list[tuple], rng: random.Random) -> Image.Image:
    """A large soft light in a bright palette colour, off-centre like a window or a lamp."""
    size = int(max(width, height) * rng.uniform(0.9, 1.4))
    falloff = ImageChops.invert(Image.radial_gradient("L")).resize((size, size), Image.BICUBIC)
    light = Image.new("RGBA", (size, size), palette[3])
    # The radial gradient is square; starting the ramp at 80 fades it to nothing before its edges.
    light.putalpha(falloff.point(lambda value: max(0, value - 80) * 0.7))
    layer = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    centre_x, centre_y = int(width * rng.uniform(0.2, 0.8)), int(height * rng.uniform(0.15, 0.5))
    layer.paste(light, (centre_x - size // 2, centre_y - size // 2))
    return layer


def _bokeh(width: int, height: int, palette: list[tuple], rng: random.Random) -> Image.Image:
    layer = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for _ in range(BOKEH_COUNT):
        radius = max(1, int(width * rng.uniform(0.02, 0.11)))
        x, y = rng.uniform(0, width), rng.uniform(0, height)
        colour = (*rng.choice(palette[2:]), rng.randint(40, 120))
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=colour)
    return layer.filter(ImageFilter.GaussianBlur(max(1, width / 70)))


def _shapes(width: int, height: int, palette: list[tuple], rng: random.Random) -> Image.Image:
    """A pedestal in the lower third (where a product would stand) and a few thin geometric accents."""
    layer = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    top = height * rng.uniform(0.66, 0.74)
    half = width * rng.uniform(0.26, 0.36)
    pedestal = (width / 2 - half, top, width / 2 + half, height * 1.05)
    draw.rounded_rectangle(pedestal, radius=half * 0.25, fill=(*palette[1], 150))
    draw.ellipse(
        (pedestal[0], top - half * 0.12, pedestal[2], top + half * 0.12), fill=(*palette[2], 210)
    )
    line = max(1, width // 160)
    for _ in range(SHAPE_COUNT):
        radius = width * rng.uniform(0.15, 0.45)
        x, y = width * rng.uniform(0, 1), height * rng.uniform(0.05, 0.6)
        draw.ellipse(
            (x - radius, y - radius, x + radius, y + radius), outline=(*palette[4], 70), width=line
        )
    return layer


def _vignette(image: Image.Image) -> Image.Image:
    falloff = Image.radial_gradient("L").resize(image.size, Image.BICUBIC)
    shade = Image.new("RGBA", image.size, (0, 0, 0, 0))
    shade.putalpha(falloff.point(lambda value: max(0, value - 110) * VIGNETTE_STRENGTH // 145))
    return Image.alpha_composite(image, shade)


def _draw_title(image: Image.Image, title: str, palette: list[tuple]) -> None:
    if not title:
        return
    width, height = image.size
    font = _fitting_font(title, max_width=width * 0.8, size=max(8, width // 10))
    draw = ImageDraw.Draw(image)
    position = (width / 2, height * 0.16)
    shadow_offset = max(1, width // 200)
    draw.text(
        (position[0] + shadow_offset, position[1] + shadow_offset),
        title,
        font=font,
        anchor="mm",
        fill=(0, 0, 0, 140),
    )
    draw.text(position, title, font=font, anchor="mm", fill=(*palette[4], 255))
    rule_y = draw.textbbox(position, title, font=font, anchor="mm")[3] + max(2, height // 60)
    draw.line(
        (width * 0.42, rule_y, width * 0.58, rule_y),
        fill=(*palette[3], 220),
        width=max(1, width // 200),
    )


def _fitting_font(
    text: str, *, max_width: float, size: int
) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's bundled TrueType font, shrunk until the text fits (stable across machines)."""
    font = ImageFont.load_default(size=size)
    while size > 6 and font.getlength(text) > max_width:
        size -= max(1, size // 10)
        font = ImageFont.load_default(size=size)
    return font


def _tint(colour: str) -> str:
    return "#" + "".join(f"{(channel + 255) // 2:02x}" for channel in _rgb(colour))


def _rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)
