"""Visual directions (mood boards) for the brief, drawn from a catalogue and varied on request.

Each direction has its own feel, a palette of five colours darkest first, image keywords and a
layout: the visual grammar an image backend can compose by (a product on a pedestal, a flat
lay, a split frame…). Directions are ranked by how well their tags fit the brief's tone and
the product's category; `variation` walks further down that ranking (then reshuffles it), so
"Another take" shows new directions, and `avoid` leaves out the ones already on screen.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from media_pipeline.backends.local_text.wording import digest
from media_pipeline.base import MoodConcept, split_camel_case

TONE_WEIGHT = 3
CATEGORY_WEIGHT = 2
# Variations walk through this many of the best-fitting directions before reshuffling.
MIN_POOL = 15

CATEGORY_WORDS = {
    "beauty": "serum skin skincare cream lotion perfume fragrance lipstick makeup soap cosmetic "
    "beauty hair nail spa glow",
    "food": "coffee tea drink juice bar bars snack sauce bakery bread restaurant cafe café "
    "yogurt brew food meal kitchen chocolate wine beer water protein oil flavours",
    "tech": "app software saas platform earbuds headphones watch smartwatch charger monitor "
    "device phone laptop gadget smart ai tool digital invoicing budgeting",
    "outdoor": "shoes trail hiking hike running run gym fitness bike cycling climbing surf "
    "backpack camping camp outdoor sport sports multitool kettlebell",
    "home": "pillow lamp candle socks furniture plant plants bed sofa decor home interior "
    "cleaning mattress blanket",
    "fashion": "fashion wear clothing thrift dress jacket sneakers jewellery jewelry bag "
    "accessories style",
    "family": "baby kids kid toddler toddlers parents family families school children toy",
    "pets": "dog dogs cat cats pet pets collar treats puppy",
    "services": "studio service services finance bank insurance agency consulting demo "
    "photography school lessons",
    "events": "festival tickets event events concert market travel hotel trip tour",
}


@dataclass(frozen=True)
class Direction:
    name: str
    feel: str
    palette: tuple[str, str, str, str, str]  # darkest first
    keywords: str
    layout: str
    tones: tuple[str, ...]
    categories: tuple[str, ...]


LAYOUT_SHOTS = {
    "pedestal": "{product} standing on a sculpted pedestal, centred, {keywords}",
    "flat-lay": "top-down flat lay of {product} arranged with small props, {keywords}",
    "split": "split frame: {product} on one half, {audience} on the other, {keywords}",
    "close-up": "extreme close-up of {product}, texture and fine detail, {keywords}",
    "horizon": "{product} small against a wide open horizon, lots of sky, {keywords}",
    "grid": "four-panel grid of {product} from different angles, {keywords}",
    "spotlight": "{product} under a single hard spotlight, deep shadow around it, {keywords}",
    "diagonal": "{product} on a bold diagonal, low dynamic angle, {keywords}",
}
FOLLOW_SHOTS = (
    "{product} in use by {audience}, candid lifestyle moment, {keywords}",
    "detail of {product}, materials and finish, {keywords}",
    "{product} in its everyday setting, wide shot, {keywords}",
    "{audience} reacting to {product}, natural expression, {keywords}",
)

DIRECTIONS = (
    Direction("Golden Hour", "Warm low sun, honeyed highlights and long soft shadows.",
              ("#2b1d14", "#7a4b2a", "#c98a4b", "#f2c078", "#fbe8c8"),
              "golden hour sunlight, warm film look", "horizon",
              ("warm", "cozy", "cosy", "heartfelt", "friendly", "nostalgic", "emotional", "sunny"),
              ("food", "outdoor", "family", "events")),
    Direction("Midnight Luxe", "Deep shadows, polished surfaces and a single precise spotlight.",
              ("#0b0b12", "#1f1b2e", "#4a3f6b", "#b89b5e", "#efe6d2"),
              "dark luxury studio, spotlight, gold accents", "spotlight",
              ("premium", "luxurious", "luxury", "elegant", "sophisticated", "dramatic", "classy"),
              ("beauty", "fashion")),
    Direction("Fresh Morning", "Airy daylight, crisp whites and a breath of green.",
              ("#1f3b2d", "#4f7c5a", "#9cc5a1", "#dcefdc", "#f9fbf7"),
              "bright airy daylight, botanical, clean white", "flat-lay",
              ("calm", "soothing", "fresh", "natural", "gentle", "honest", "wholesome"),
              ("beauty", "food", "home")),
    Direction("Neon Pulse", "Electric colour, fast light trails and night-city energy.",
              ("#0a0220", "#3a0ca3", "#7209b7", "#f72585", "#4cc9f0"),
              "neon lights, night city, motion blur", "diagonal",
              ("energetic", "bold", "edgy", "youthful", "upbeat", "urgent", "hype", "loud"),
              ("tech", "food", "events")),
    Direction("Sunlit Pop", "Bright primary colours, hard shadows and playful shapes.",
              ("#1d3557", "#e63946", "#f4a261", "#ffd166", "#fff8e7"),
              "bold colour blocking, hard sunlight, playful props", "grid",
              ("playful", "fun", "funny", "witty", "humorous", "quirky", "cheeky", "colourful"),
              ("food", "family", "fashion")),
    Direction("Nordic Calm", "Soft greys, pale wood and quiet negative space.",
              ("#2e3440", "#4c566a", "#8fa1b3", "#d8dee9", "#eceff4"),
              "scandinavian interior, soft overcast light", "pedestal",
              ("calm", "minimal", "minimalist", "modern", "sleek", "clean", "quiet"),
              ("home", "tech")),
    Direction("Desert Road", "Dusty terracotta, wide horizons and adventurous heat haze.",
              ("#3d1f12", "#8c3b1f", "#c8693a", "#e9b872", "#f6e3c6"),
              "desert landscape, terracotta, heat haze", "horizon",
              ("adventurous", "rugged", "bold", "inspiring", "cinematic", "gritty"),
              ("outdoor", "fashion")),
    Direction("Ocean Breeze", "Cool blues, sea spray and wide open sky.",
              ("#03045e", "#0077b6", "#00b4d8", "#90e0ef", "#caf0f8"),
              "seaside, cool blue tones, fresh breeze", "horizon",
              ("relaxed", "optimistic", "fresh", "calm", "laid-back", "sunny", "chill"),
              ("outdoor", "events", "beauty")),
    Direction("Studio Mono", "Graphic black and white with one sharp accent colour.",
              ("#111111", "#3a3a3a", "#e63946", "#8a8a8a", "#f5f5f5"),
              "monochrome studio, graphic shadows, red accent", "spotlight",
              ("modern", "sleek", "confident", "professional", "serious", "edgy", "smart"),
              ("tech", "fashion", "services")),
    Direction("Blush Bloom", "Powder pinks, petals and soft-focus glow.",
              ("#3d2333", "#8e4a64", "#d48aa5", "#f3c4d3", "#fdf0f4"),
              "soft pink florals, dreamy soft focus", "flat-lay",
              ("warm", "heartfelt", "elegant", "empowering", "sincere", "romantic", "sweet"),
              ("beauty", "fashion")),
    Direction("Forest Trail", "Mossy greens, dappled light and earthy texture.",
              ("#1b2a1b", "#34502b", "#6b8f47", "#b5c99a", "#eef2e2"),
              "forest, dappled sunlight, earthy textures", "close-up",
              ("adventurous", "rugged", "relaxed", "sincere", "trustworthy", "natural"),
              ("outdoor", "home", "pets")),
    Direction("Retro Arcade", "Saturated eighties colour, grain and chrome type.",
              ("#1a0933", "#5b1a7a", "#ff6f59", "#3bceac", "#ffd23f"),
              "80s retro, film grain, chrome, saturated", "grid",
              ("nostalgic", "playful", "fun", "quirky", "youthful", "nerdy", "hype"),
              ("tech", "food", "events")),
    Direction("Velvet Noir", "Candle-dark burgundy, velvet folds and slow smoke.",
              ("#140709", "#3b0d16", "#6e1a2b", "#a8475a", "#e8c7b8"),
              "burgundy velvet, candlelight, drifting smoke", "close-up",
              ("moody", "sensual", "romantic", "dramatic", "luxurious", "unhurried", "mysterious"),
              ("beauty", "home", "food")),
    Direction("Concrete Jungle", "Raw concrete, hard noon light and street-level grit.",
              ("#1c1c1c", "#3d3d3b", "#6f6e69", "#a8a59c", "#dedbd2"),
              "urban concrete, street photography, hard light", "diagonal",
              ("urban", "cool", "gritty", "edgy", "raw", "confident", "bold"),
              ("fashion", "outdoor", "tech")),
    Direction("Citrus Splash", "Zesty yellows and greens, droplets and bright splashes.",
              ("#1f4d1a", "#4c9a2a", "#a4d65e", "#ffd60a", "#fff9db"),
              "citrus slices, water splash, high-key light", "diagonal",
              ("energetic", "fresh", "upbeat", "cheerful", "zesty", "lively", "fun"),
              ("food", "beauty")),
    Direction("Paper Craft", "Cut-paper layers, soft shadows and handmade charm.",
              ("#2d3142", "#4f5d75", "#ef8354", "#bfc0c0", "#fdf6ec"),
              "layered cut paper, handmade, soft shadows", "flat-lay",
              ("playful", "whimsical", "quirky", "friendly", "cute", "helpful", "light"),
              ("family", "services", "tech")),
    Direction("Clinical Clean", "Bright white lab light, glass and precise reflections.",
              ("#1b263b", "#415a77", "#778da9", "#e0e1dd", "#ffffff"),
              "clean white lab, glass reflections, precise", "pedestal",
              ("trustworthy", "clear", "professional", "serious", "reassuring", "smart"),
              ("beauty", "tech", "services", "family")),
    Direction("Campfire Stories", "Ember glow, wool textures and faces lit from below.",
              ("#1a0f0a", "#4a2511", "#8c4a20", "#d98c3f", "#f7d9a8"),
              "campfire glow, night, wool and wood textures", "close-up",
              ("warm", "rugged", "friendly", "cozy", "heartfelt", "nostalgic", "homey"),
              ("outdoor", "food", "home")),
    Direction("Pastel Dream", "Sugared pastels, floating objects and gentle gradients.",
              ("#5e548e", "#9f86c0", "#be95c4", "#e0b1cb", "#fdf0f7"),
              "pastel gradient backdrop, floating objects, soft light", "pedestal",
              ("dreamy", "whimsical", "sweet", "soft", "gentle", "cute", "magical"),
              ("beauty", "family", "food")),
    Direction("Night Market", "Lantern light, steam and busy happy crowds after dark.",
              ("#0d0a1f", "#2b1b4a", "#b5179e", "#f9844a", "#ffe5b4"),
              "paper lanterns, evening market, warm bokeh", "split",
              ("lively", "magical", "vibrant", "festive", "energetic", "happy", "colorful"),
              ("events", "food")),
    Direction("Alpine Clear", "Thin cold air, snow light and sharp blue shadows.",
              ("#0b2545", "#13315c", "#5b8db8", "#b8d8f2", "#f4f9fd"),
              "snowy peaks, crisp alpine light, blue shadows", "horizon",
              ("adventurous", "inspiring", "fresh", "confident", "clear", "sporty"),
              ("outdoor", "tech")),
    Direction("Kitchen Table", "Morning kitchen light, linen, crumbs and real hands.",
              ("#3b2f2f", "#7b5e57", "#c19a6b", "#e8d5b7", "#fbf7f0"),
              "home kitchen, morning window light, linen, real hands", "flat-lay",
              ("warm", "homey", "honest", "wholesome", "friendly", "cozy", "natural"),
              ("food", "family", "home")),
    Direction("Chrome Future", "Liquid metal, iridescent reflections and clean sci-fi curves.",
              ("#0d1321", "#1d2d44", "#3e5c76", "#a3bac3", "#f0ebd8"),
              "liquid chrome, iridescent, futuristic studio", "spotlight",
              ("modern", "sleek", "futuristic", "bold", "smart", "cinematic", "premium"),
              ("tech", "fashion")),
    Direction("Garden Party", "Dappled shade, blossom and long tables in summer.",
              ("#283618", "#606c38", "#dda15e", "#fefae0", "#fffdf5"),
              "summer garden, blossom, dappled shade", "split",
              ("cheerful", "friendly", "romantic", "relaxed", "sunny", "happy", "warm"),
              ("food", "events", "family")),
    Direction("Locker Room", "Sweat, chalk dust and hard rim light on moving bodies.",
              ("#0f0f0f", "#2b2d42", "#ef233c", "#8d99ae", "#edf2f4"),
              "gym rim light, chalk dust, motion", "diagonal",
              ("motivating", "energetic", "bold", "gritty", "sporty", "encouraging", "loud"),
              ("outdoor",)),
    Direction("Soft Focus Home", "Linen whites, morning haze and slow, quiet rooms.",
              ("#4a4e4d", "#8a8d8b", "#c7c1b5", "#e9e4da", "#faf8f4"),
              "linen textures, hazy morning light, quiet home", "close-up",
              ("calm", "soothing", "caring", "gentle", "reassuring", "soft", "relaxed"),
              ("home", "family", "beauty")),
    Direction("Comic Burst", "Halftone dots, speech-bubble energy and thick outlines.",
              ("#14213d", "#e63946", "#fca311", "#ffe66d", "#ffffff"),
              "comic halftone, thick outlines, pop art", "grid",
              ("funny", "humorous", "irreverent", "cheeky", "hype", "playful", "witty"),
              ("food", "tech", "family")),
    Direction("Heritage Workshop", "Worn leather, brass tools and a craftsman's patience.",
              ("#1e1510", "#4b3621", "#8b6b4a", "#c9a66b", "#efe3cf"),
              "craft workshop, leather and brass, warm tungsten", "close-up",
              ("authentic", "rugged", "trustworthy", "honest", "timeless", "classy"),
              ("fashion", "outdoor", "food", "services")),
    Direction("Blueprint", "Technical lines, grid paper and precise cool blues.",
              ("#0a1931", "#185adb", "#4f8bc9", "#c5d7f2", "#f6f9ff"),
              "blueprint lines, technical diagram, cool blue", "grid",
              ("clear", "smart", "professional", "trustworthy", "helpful", "nerdy"),
              ("tech", "services")),
    Direction("Tropical Heat", "Saturated leaves, hot pink and long humid afternoons.",
              ("#073b3a", "#0b6e4f", "#f72585", "#08a045", "#ffd6e0"),
              "tropical leaves, hot colour, humid sunlight", "diagonal",
              ("vibrant", "bold", "fun", "sensual", "happy", "colorful", "lively"),
              ("food", "beauty", "events", "fashion")),
    Direction("Gallery White", "A single object on a white plinth, museum-quiet.",
              ("#2f2f2f", "#6b6b6b", "#bdbdbd", "#ececec", "#ffffff"),
              "white gallery plinth, museum lighting, minimal", "pedestal",
              ("minimal", "minimalist", "elegant", "sophisticated", "premium", "clean"),
              ("beauty", "fashion", "home", "tech")),
    Direction("Rainy Window", "Droplets on glass, city lights smeared into soft bokeh.",
              ("#101820", "#22333b", "#5e6472", "#a9b4c2", "#e6ecf1"),
              "rain on glass, city bokeh, cool evening", "close-up",
              ("moody", "calm", "cinematic", "emotional", "nostalgic", "unhurried"),
              ("home", "food", "tech")),
    Direction("Playground", "Primary-colour play equipment, sunshine and motion.",
              ("#023e8a", "#0096c7", "#52b788", "#ffb703", "#fff3b0"),
              "sunny playground, primary colours, kids in motion", "split",
              ("playful", "fun", "cheerful", "encouraging", "youthful", "reassuring"),
              ("family", "pets")),
    Direction("Street Sneaker", "Asphalt, painted lines and hyper-real product pop.",
              ("#161616", "#333533", "#f5cb5c", "#e8eddf", "#ffffff"),
              "asphalt, painted road lines, hyper-real product", "diagonal",
              ("cool", "urban", "hype", "confident", "edgy", "sporty"),
              ("fashion", "outdoor")),
)  # fmt: skip


def plan_moods(
    brief: dict[str, Any],
    *,
    count: int,
    images_per_mood: int,
    variation: int = 0,
    avoid: Sequence[str] = (),
) -> list[MoodConcept]:
    """`count` distinct directions fitting the brief; other variations and `avoid` give others."""
    avoided = {name.strip().lower() for name in avoid}
    allowed = [direction for direction in DIRECTIONS if direction.name.lower() not in avoided]
    if not 1 <= count <= len(allowed):
        raise ValueError(
            f"The local writer has {len(allowed)} moods left to offer; ask for 1 to {len(allowed)}."
        )
    chosen = _pick(_ranked(brief, allowed), count=count, variation=variation)
    return [_concept(direction, brief, images_per_mood) for direction in chosen]


def _ranked(brief: dict[str, Any], directions: list[Direction]) -> list[Direction]:
    tone = (brief.get("tone") or "").lower()
    categories = product_categories(brief)
    product = brief.get("product") or ""

    def rank(direction: Direction) -> tuple[int, str]:
        tones = sum(1 for tag in direction.tones if re.search(rf"\b{re.escape(tag)}\b", tone))
        fits = len(categories.intersection(direction.categories))
        return -(tones * TONE_WEIGHT + fits * CATEGORY_WEIGHT), digest(product, direction.name)

    return sorted(directions, key=rank)


def _pick(ranked: list[Direction], *, count: int, variation: int) -> list[Direction]:
    """Variation n takes the next `count` of the best-fitting pool; past its end, a reshuffle."""
    pool = ranked[: max(MIN_POOL, count)]
    start = variation * count
    lap, offset = divmod(start, len(pool))
    if lap:
        pool = sorted(pool, key=lambda direction: digest(direction.name, str(lap)))
    return [pool[(offset + index) % len(pool)] for index in range(count)]


def product_categories(brief: dict[str, Any]) -> set[str]:
    """The kinds of product the brief talks about, by the words in its product and messages."""
    text = " ".join(
        [brief.get("product") or "", brief.get("audience") or "", *brief.get("key_messages", [])]
    )
    text = split_camel_case(text).lower()
    words = set(re.findall(r"[a-zé]+", text))
    return {
        category
        for category, vocabulary in CATEGORY_WORDS.items()
        if words & set(vocabulary.split())
    }


def _concept(direction: Direction, brief: dict[str, Any], images_per_mood: int) -> MoodConcept:
    values = {
        "product": brief.get("product") or "the product",
        "audience": brief.get("audience") or "people",
        "keywords": direction.keywords,
    }
    shots = [LAYOUT_SHOTS[direction.layout], *FOLLOW_SHOTS]
    prompts = [shots[index % len(shots)].format(**values) for index in range(images_per_mood)]
    prompts = [
        prompt if index < len(shots) else f"{prompt}, variation {index // len(shots) + 1}"
        for index, prompt in enumerate(prompts)
    ]
    return MoodConcept(
        name=direction.name,
        feel=direction.feel,
        palette=list(direction.palette),
        image_prompts=prompts,
        layout=direction.layout,
    )
