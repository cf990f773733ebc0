"""Procedural mood-board and scene images with Pillow, composed by the mood's layout.

No network and no model: the same prompt, seed and style always give the same PNG bytes, so
tests and offline demos get stable pictures. Each layout (local_image_layouts) has its own
composition, light and texture, painted only in the mood's palette; the product appears as an
object, the real cutout when the style names one, else a generic shape the prompt suggests
(a shoe for "running shoes", a jar for "night cream", a bottle when nothing fits). No words
are ever drawn: a picture with fake text in it looks broken.
"""

import hashlib
import io
import random
import re

from PIL import Image, UnidentifiedImageError

from media_pipeline import storage
from media_pipeline.backends.local_compositing import cutout
from media_pipeline.backends.local_image_layouts import LAYOUTS, Scene
from media_pipeline.backends.local_image_paint import Colour, grain, luminance, saturation, vignette
from media_pipeline.backends.local_image_products import DEFAULT_SHAPE
from media_pipeline.base import (
    ImageStyle,
    ProviderError,
    StoredMedia,
    is_hex_colour,
    split_camel_case,
)
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
# Film grain makes the pixels incompressible, so zlib's default effort buys ~4% smaller files
# for three times the encoding time (0.6 s at 1080×1920); level 3 keeps the frame under a second.
PNG_COMPRESS_LEVEL = 3
PALETTE_SIZE = 5
GREY_PALETTE = 0.15  # below this saturation no colour counts as the accent
# Phrases in a prompt that ask for a composition; the earliest one in the prompt wins.
LAYOUT_PHRASES = {
    "pedestal": ("pedestal", "plinth", "podium", "display"),
    "flat-lay": ("flat lay", "flat-lay", "flatlay", "top-down", "overhead", "from above"),
    "split": ("split", "side by side"),
    "close-up": ("close-up", "closeup", "macro", "detail", "texture"),
    "horizon": (
        "horizon",
        "landscape",
        "sky",
        "desert",
        "seaside",
        "beach",
        "mountain",
        "wide shot",
    ),
    "grid": ("grid", "panel", "panels", "collage"),
    "spotlight": ("spotlight", "single light", "dark studio"),
    "diagonal": ("diagonal", "dynamic", "motion", "speed", "action"),
}
# Words naming a kind of product, for the silhouette drawn when there is no cutout.
SHAPE_WORDS = {
    name: tuple(words.split())
    for name, words in {
        "shoe": "shoe shoes sneaker sneakers trainer trainers boot boots footwear",
        "device": "phone smartphone app device gadget earbuds headphones watch smartwatch "
        "speaker laptop tablet charger camera console",
        "can": "cans canned soda cola seltzer",
        "tube": "tube toothpaste sunscreen ointment gel",
        "jar": "jar cream balm candle honey jam moisturiser moisturizer butter scrub",
        "box": "box kit package packaging gift subscription cereal tea bars snack chocolate",
        "bottle": "bottle serum perfume fragrance oil dropper wine water juice shampoo spray",
    }.items()
}


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
        image.save(buffer, format="PNG", compress_level=PNG_COMPRESS_LEVEL)
        path = storage.store_bytes(buffer.getvalue(), kind=STORAGE_KIND, extension="png")
        return StoredMedia(
            path, "image/png", len(buffer.getvalue()), width=image.width, height=image.height
        )


def render_image(
    prompt: str, *, width: int, height: int, seed: int, style: ImageStyle | None = None
) -> Image.Image:
    """An RGB image of exactly width×height, fully determined by prompt, seed and style."""
    rng = random.Random(f"{seed}:{prompt}")
    layout = LAYOUTS[choose_layout(prompt, style, seed)]
    tones = sorted((_rgb(colour) for colour in choose_palette(prompt, style)), key=luminance)
    scene = Scene(
        width=width,
        height=height,
        tones=tuple(tones),
        accent=_accent(tones),
        rng=rng,
        shape=choose_shape(prompt),
        cutout=_load_cutout(style.product_cutout) if style and style.product_cutout else None,
        lit_from_left=rng.random() < 0.5,
    )
    image = vignette(layout.draw(scene), tones[0], layout.vignette)
    return grain(image, rng, layout.grain)


def choose_palette(prompt: str, style: ImageStyle | None) -> list[str]:
    """The style's colours (padded to five with lighter tints), else a curated palette."""
    colours = [colour for colour in (style.palette if style else []) if is_hex_colour(colour)]
    if not colours:
        return list(PALETTES[_digest(prompt) % len(PALETTES)])
    while len(colours) < PALETTE_SIZE:
        colours.append(_tint(colours[-1]))
    return colours[:PALETTE_SIZE]


def choose_layout(prompt: str, style: ImageStyle | None, seed: int) -> str:
    """The style's layout, else the one the prompt's words ask for, else one picked by the seed."""
    if style and style.layout in LAYOUTS:
        return style.layout
    return _earliest_match(prompt, LAYOUT_PHRASES) or list(LAYOUTS)[seed % len(LAYOUTS)]


def choose_shape(prompt: str) -> str:
    """The generic product shape the prompt's words suggest; a bottle when none do."""
    return _earliest_match(split_camel_case(prompt), SHAPE_WORDS) or DEFAULT_SHAPE


def _earliest_match(prompt: str, vocabulary: dict[str, tuple[str, ...]]) -> str | None:
    text = prompt.lower()
    found = [
        (match.start(), name)
        for name, phrases in vocabulary.items()
        for phrase in phrases
        if (match := re.search(rf"\b{re.escape(phrase)}\b", text))
    ]
    return min(found)[1] if found else None


def _accent(tones: list[Colour]) -> Colour:
    middle = tones[1:4]
    vivid = max(middle, key=saturation)
    return vivid if saturation(vivid) >= GREY_PALETTE else tones[2]


def _load_cutout(path: str) -> Image.Image:
    try:
        with storage.local_copy(path) as local, Image.open(local) as picture:
            return cutout(picture)
    except (OSError, UnidentifiedImageError) as error:
        raise ProviderError(
            "The product cutout could not be read; upload the product photo again.",
            permanent=True,
        ) from error


def _digest(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest(), 16)


def _tint(colour: str) -> str:
    return "#" + "".join(f"{(channel + 255) // 2:02x}" for channel in _rgb(colour))


def _rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)
