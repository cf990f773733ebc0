"""Caption cards drawn with Pillow, for the composer to overlay on a scene.

Drawing text in Python rather than with FFmpeg's drawtext keeps captions independent of
which FFmpeg build runs (drawtext needs freetype and a font file) and of fontconfig. Pillow
≥ 10.1 ships a real TrueType face behind `ImageFont.load_default(size=...)`.
"""

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

# Short-video apps draw their buttons, handle and description over the bottom fifth
# and the right edge, so captions stay above that zone and inside side margins.
BOTTOM_UI_ZONE = 0.20
SIDE_MARGIN = 0.08
FONT_SCALE = 0.055  # of the frame width: ~60 px on a 1080-wide frame
MIN_FONT_SIZE = 8
MAX_LINES = 4
PADDING = 0.35  # of the font size, around the text inside its card
LINE_SPACING = 1.2
TEXT_COLOUR = (255, 255, 255, 255)
CARD_COLOUR = (0, 0, 0, 150)
ELLIPSIS = "…"


@dataclass(frozen=True)
class CaptionCard:
    path: Path
    x: int
    y: int
    width: int
    height: int


def render_caption(text: str, *, frame_width: int, frame_height: int, path: Path) -> CaptionCard:
    """Draw `text` wrapped on a translucent card, save it as a PNG, and say where it goes."""
    size = max(MIN_FONT_SIZE, round(frame_width * FONT_SCALE))
    pad = max(1, round(size * PADDING))
    text_width = round(frame_width * (1 - 2 * SIDE_MARGIN)) - 2 * pad
    font = ImageFont.load_default(size=size)
    lines = wrap(text, font=font, max_width=text_width)
    line_height = round(size * LINE_SPACING)
    card_width = min(text_width, max(round(font.getlength(line)) for line in lines)) + 2 * pad
    card_height = line_height * len(lines) + 2 * pad
    card = Image.new("RGBA", (card_width, card_height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(card)
    draw.rounded_rectangle((0, 0, card_width - 1, card_height - 1), radius=pad, fill=CARD_COLOUR)
    for number, line in enumerate(lines):
        top = pad + number * line_height + (line_height - size) // 2
        draw.text((card_width // 2, top), line, font=font, fill=TEXT_COLOUR, anchor="mt")
    card.save(path)
    bottom = int(frame_height * (1 - BOTTOM_UI_ZONE))
    return CaptionCard(
        path=path,
        x=(frame_width - card_width) // 2,
        y=max(0, bottom - card_height),
        width=card_width,
        height=card_height,
    )


def wrap(text: str, *, font: ImageFont.FreeTypeFont, max_width: int) -> list[str]:
    """Greedy word wrap to `max_width` pixels, at most MAX_LINES lines, the last one cut short."""
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and font.getlength(candidate) <= max_width:
            lines[-1] = candidate
        elif font.getlength(word) <= max_width:
            lines.append(word)
        else:
            lines.append(_shorten(word, font=font, max_width=max_width))
    if len(lines) > MAX_LINES:
        lines = lines[:MAX_LINES]
        lines[-1] = _shorten(lines[-1], font=font, max_width=max_width)
    return lines or [""]


def _shorten(text: str, *, font: ImageFont.FreeTypeFont, max_width: int) -> str:
    """Cut `text` so that it, followed by an ellipsis, fits in `max_width` pixels."""
    while len(text) > 1 and font.getlength(text + ELLIPSIS) > max_width:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS
