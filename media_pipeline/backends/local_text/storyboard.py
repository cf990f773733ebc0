"""Storyboards from the brief and one scene rewritten on request, without a language model."""

import re
from typing import Any

from media_pipeline.backends.local_text.questions import DEFAULT_TARGET_SECONDS
from media_pipeline.backends.local_text.wording import digest, sentence_case, sentence_end
from media_pipeline.base import MAX_SCENE_SECONDS, MIN_SCENE_SECONDS, CameraMove, ScenePlan

# Moves alternate in and across, so consecutive scenes do not feel the same.
MOTIONS = (CameraMove.ZOOM_IN, CameraMove.PAN_RIGHT, CameraMove.ZOOM_OUT, CameraMove.PAN_LEFT)
QUOTED_RE = re.compile(r"[\"\u201c](?P<value>[^\"\u201d]+)[\"\u201d]")
SHORTER_RE = re.compile(r"\b(?:shorter|shorten|punchier|concise|tighter|trim)\b", re.IGNORECASE)
LONGER_RE = re.compile(r"\b(?:longer|more detail|expand|elaborate)\b", re.IGNORECASE)
MENTION_RE = re.compile(
    r"\b(?:mention|add|include|talk about|highlight|about|end with)\s+(?P<value>[^.;!?\n]+)",
    re.IGNORECASE,
)
REPLACE_RE = re.compile(
    r"\b(?:replace|change|swap)\s+(?P<old>.+?)\s+(?:with|to|for)\s+(?P<new>[^.;!?\n]+)",
    re.IGNORECASE,
)
REMOVE_RE = re.compile(
    r"\b(?:remove|drop|delete|cut|without)\s+(?:the\s+(?:word|phrase)\s+)?(?P<old>[^.;!?\n]+)",
    re.IGNORECASE,
)
EDIT_PATTERNS = (SHORTER_RE, LONGER_RE, MENTION_RE, REPLACE_RE, REMOVE_RE)
HOOKS = (
    ("{audience}, this one's for you.", "{audience} stopping to look, curious"),
    ("{audience}: stop scrolling.", "{audience} pausing mid-scroll, surprised"),
    ("What if it were easier?", "{audience} facing an everyday problem, candid"),
    ("Meet your new favourite.", "{product} revealed from behind a soft shadow"),
    ("{audience}, you asked. We listened.", "{audience} smiling at a phone screen"),
)
TONE_FLOURISHES = {
    "urgent": ("", "Don't wait."),
    "playful": ("Plot twist:", ""),
    "fun": ("Plot twist:", ""),
    "funny": ("Plot twist:", ""),
    "premium": ("", "Crafted for those who notice."),
    "luxurious": ("", "Crafted for those who notice."),
    "elegant": ("", "Quietly beautiful."),
    "calm": ("Take a breath.", ""),
    "energetic": ("", "Let's go!"),
    "exciting": ("", "Let's go!"),
    "emotional": ("", "Because you matter."),
    "heartfelt": ("", "Because you matter."),
    "confident": ("", "No compromises."),
}


def plan_scenes(
    brief: dict[str, Any], mood: dict[str, Any], *, count: int, variation: int = 0
) -> list[ScenePlan]:
    """Hook first, call to action last, product and benefits between; durations fill the target.

    Each variation opens on another hook and moves the camera in another order.
    """
    if count < 1:
        raise ValueError("A storyboard needs at least one scene.")
    beats = _beats(brief, count, variation)
    durations = split_duration(brief.get("target_length") or DEFAULT_TARGET_SECONDS, count)
    look = _mood_look(mood)
    return [
        ScenePlan(
            text=text,
            image_prompt=f"{subject}, {look}",
            duration=duration,
            motion=MOTIONS[(index + variation) % len(MOTIONS)],
        )
        for index, ((text, subject), duration) in enumerate(zip(beats, durations, strict=True))
    ]


def _beats(brief: dict[str, Any], count: int, variation: int) -> list[tuple[str, str]]:
    """(scene text, image subject) for each scene."""
    product = brief.get("product") or "our product"
    audience = brief.get("audience") or "people like you"
    messages = brief.get("key_messages") or [f"{product} makes every day better"]
    cta = brief.get("call_to_action") or "Learn more"
    hook = HOOKS[variation % len(HOOKS)]
    hook = (
        hook[0].format(audience=sentence_case(audience), product=product),
        hook[1].format(audience=audience, product=product),
    )
    closing = (
        f"{product}. {cta}.",
        f"{product} hero shot with space for the words \u201c{cta}\u201d",
    )
    if count == 1:
        return [(f"Meet {product}. {messages[0]}. {cta}.", f"{product} hero shot")]
    middle = [(f"Meet {product}.", f"{product} revealed in soft light, centre frame")]
    middle += [
        (f"{sentence_case(message)}.", f"close-up of {product}: {message.lower()}")
        for message in messages
    ]
    middle.append((f"Made for {audience}.", f"{audience} enjoying {product}, lifestyle"))
    slots = count - 2
    fill = [middle[index % len(middle)] for index in range(slots)]
    return [hook, *fill, closing]


def split_duration(total_seconds: int, count: int) -> list[float]:
    """Split `total_seconds` into `count` durations in half seconds, each within 1–10 s.

    Halves add up exactly in floating point. When the bounds make the total impossible
    (say 60 s in three scenes) every scene takes the nearest bound instead.
    """
    halves, scenes = total_seconds * 2, count
    low, high = MIN_SCENE_SECONDS * 2, MAX_SCENE_SECONDS * 2
    base, extra = divmod(halves, scenes)
    units = [base + (1 if index < extra else 0) for index in range(scenes)]
    # The hook is the shortest beat: move half a second from it to the last scene when there is room.
    if scenes > 2 and units[0] > low and units[-1] < high:
        units[0], units[-1] = units[0] - 1, units[-1] + 1
    return [min(max(unit, low), high) / 2 for unit in units]


def _mood_look(mood: dict[str, Any]) -> str:
    parts = [mood.get("name") or "", mood.get("feel") or ""]
    return ", ".join(part.rstrip(".").lower() for part in parts if part) or "clean studio light"


# --- Rewriting one scene -------------------------------------------------------------------


def rewrite_scene(
    brief: dict[str, Any], mood: dict[str, Any], *, text: str, instruction: str
) -> ScenePlan:
    """Apply the instruction's edits (quote, replace, remove, shorter, longer, mention, tone)."""
    new_text = _apply_instruction(brief, text.strip(), instruction)
    product = brief.get("product") or "the product"
    return ScenePlan(
        text=new_text,
        image_prompt=f"{product}, {new_text.rstrip('.!?').lower()}, {_mood_look(mood)}",
        duration=_reading_time(new_text),
        motion=MOTIONS[int(digest(new_text), 16) % len(MOTIONS)],
    )


def _apply_instruction(brief: dict[str, Any], text: str, instruction: str) -> str:
    quoted = QUOTED_RE.search(instruction)
    if quoted:
        return sentence_end(quoted["value"].strip())
    edited = _replace_or_remove(text, instruction)
    if SHORTER_RE.search(instruction):
        edited = _shorten(edited)
    if LONGER_RE.search(instruction):
        edited = _lengthen(edited, brief)
    mention = MENTION_RE.search(instruction)
    if mention and not (REPLACE_RE.search(instruction) or REMOVE_RE.search(instruction)):
        edited = f"{sentence_end(edited)} {sentence_end(sentence_case(mention['value'].strip()))}"
    recognised = any(pattern.search(instruction) for pattern in EDIT_PATTERNS)
    edited = _apply_tone(edited, instruction.lower(), brief, fall_back=not recognised)
    return sentence_end(sentence_case(edited))


def _replace_or_remove(text: str, instruction: str) -> str:
    replace = REPLACE_RE.search(instruction)
    if replace:
        old = _strip_quotes(replace["old"])
        return re.sub(re.escape(old), _strip_quotes(replace["new"]), text, flags=re.IGNORECASE)
    remove = REMOVE_RE.search(instruction)
    if remove:
        old = re.escape(_strip_quotes(remove["old"]))
        cleaned = re.sub(rf"\s*{old}", "", text, flags=re.IGNORECASE)
        return re.sub(r"\s+([,.!?])", r"\1", cleaned).strip()
    return text


def _shorten(text: str) -> str:
    first = re.split(r"(?<=[.!?])\s+|\s+[\u2014-]\s+|,\s+", text, maxsplit=1)[0]
    words = first.split()
    return " ".join(words[:8]).rstrip(",;:")


def _lengthen(text: str, brief: dict[str, Any]) -> str:
    extra = next(
        (
            message
            for message in brief.get("key_messages") or []
            if message.lower() not in text.lower()
        ),
        f"Made for {brief.get('audience') or 'you'}",
    )
    return f"{sentence_end(text)} {sentence_end(sentence_case(extra))}"


def _apply_tone(text: str, instruction: str, brief: dict[str, Any], *, fall_back: bool) -> str:
    """Add the flourish of a tone the instruction names, or of the brief's tone when the
    instruction asked for nothing this writer understands (so the scene still changes)."""
    named = next((word for word in TONE_FLOURISHES if re.search(rf"\b{word}", instruction)), None)
    if named is None and fall_back:
        tone = (brief.get("tone") or "").lower()
        named = next((word for word in TONE_FLOURISHES if word in tone), "confident")
    if named is None:
        return text
    prefix, suffix = TONE_FLOURISHES[named]
    if prefix and not text.startswith(prefix):
        text = f"{prefix} {text}"
    if suffix and suffix not in text:
        text = f"{sentence_end(text)} {suffix}"
    return text


def _reading_time(text: str) -> float:
    """About 2.5 words a second plus a beat, in half seconds, kept within 2–8 s."""
    seconds = len(text.split()) / 2.5 + 1
    return min(max(round(seconds * 2) / 2, 2.0), 8.0)


def _strip_quotes(value: str) -> str:
    return value.strip().strip("\"'\u201c\u201d\u2018\u2019")
