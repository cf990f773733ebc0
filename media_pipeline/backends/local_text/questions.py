"""What the assistant asks, suggests and falls back to, and how a later turn recognises it.

The reader has no memory besides the transcript, so the assistant's own wording carries the
state: a question names the field it asks about, a suggestion quotes the value it offers.
"""

import re
from typing import Any

DEFAULT_TARGET_SECONDS = 15
FIELD_DEFAULTS: dict[str, Any] = {
    "audience": "people who care about quality",
    "tone": "warm and confident",
    "key_messages": ["Made to be loved every day"],
    "call_to_action": "Shop now",
    "target_length": DEFAULT_TARGET_SECONDS,
    "aspect_ratio": "9:16",
}
# How a field is named inside a sentence ("I'd suggest … for the tone").
FIELD_NAMES = {
    "product": "product",
    "audience": "audience",
    "tone": "tone",
    "key_messages": "key messages",
    "call_to_action": "call to action",
    "target_length": "length",
    "aspect_ratio": "format",
}
# Which brief field a sentence is about, by the words in it; the first match wins.
FIELD_CUES = (
    ("call_to_action", ("call to action", "viewers to do", "cta", "end on")),
    ("key_messages", ("key message", "points", "highlight", "what should people remember")),
    ("target_length", ("how long", "seconds", "length", "duration")),
    ("aspect_ratio", ("aspect", "format", "9:16", "vertical")),
    ("audience", ("who is", "who's", "audience", "who are", "for whom", "target group")),
    ("tone", ("tone", "feel", "vibe", "voice")),
    ("product", ("product", "what are we", "what is it", "selling", "brand")),
)
QUESTIONS = {
    "product": (
        "What product are we making this ad for? A name and a line on what it does is plenty.",
        "Tell me about the product: what's it called and what does it do?",
    ),
    "audience": (
        "Who is the audience? Who should stop scrolling when they see this?",
        "Who are we talking to: which people do you most want to reach?",
    ),
    "tone": (
        "What tone should it have: playful, premium, calm, energetic… or something else?",
        "How should it feel? Give me two or three words for the tone.",
    ),
    "key_messages": (
        "What are the key messages: the two or three points people should remember?",
        "Which benefits should we highlight? A short list is perfect.",
    ),
    "call_to_action": (
        "What's the call to action: what should viewers do at the end, like \u201cShop now\u201d?",
        "How should it end: which call to action, like \u201cLearn more\u201d or \u201cOrder today\u201d?",
    ),
    "target_length": (
        "How long should the video be, in seconds (between 6 and 60)?",
        "What length are you after: 15 seconds, 30 seconds…?",
    ),
    "aspect_ratio": (
        "Which format: vertical 9:16, portrait 4:5 or square 1:1?",
        "Last thing: what aspect ratio, 9:16, 4:5 or 1:1?",
    ),
}
# Length and format are read by pattern, never guessed from free text, so they can share a turn.
LENGTH_AND_FORMAT = (
    "How long should it run (6 to 60 seconds), and in which format: vertical 9:16, "
    "portrait 4:5 or square 1:1?"
)
SUGGESTION_RE = re.compile(
    r"I'd suggest \u201c(?P<value>[^\u201d]+)\u201d for the (?P<name>[a-z ]+?)\b[.:;,]"
)


def fields_named_in(text: str) -> list[str]:
    """The brief fields a sentence talks about, by the words in it, in FIELD_CUES order."""
    lowered = text.lower()
    return [field for field, cues in FIELD_CUES if any(cue in lowered for cue in cues)]


def field_named_in(text: str) -> str | None:
    fields = fields_named_in(text)
    return fields[0] if fields else None


def asked_fields(assistant_text: str) -> list[str]:
    """The fields the assistant's last question asks about: one, or length and format together."""
    for question in reversed(re.findall(r"[^.!?\n]*\?", assistant_text)):
        fields = fields_named_in(question)
        if fields[:2] == ["target_length", "aspect_ratio"]:
            return fields[:2]
        if fields:
            return fields[:1]
    return []


def asked_field(assistant_text: str) -> str | None:
    """The field the assistant's latest question that names one was about."""
    fields = asked_fields(assistant_text)
    return fields[0] if fields else None


def suggestion(field: str) -> str:
    value = FIELD_DEFAULTS[field]
    shown = value[0] if isinstance(value, list) else value
    if field == "target_length":
        shown = f"{value} seconds"
    return f"I'd suggest \u201c{shown}\u201d for the {FIELD_NAMES[field]}."


def suggested(assistant_text: str) -> tuple[str, Any] | None:
    """The (field, value) an assistant turn suggested, read back from its wording."""
    match = SUGGESTION_RE.search(assistant_text)
    if not match:
        return None
    field = next(field for field, name in FIELD_NAMES.items() if name == match["name"])
    return field, FIELD_DEFAULTS[field]


def question(field: str, turn: int) -> str:
    variants = QUESTIONS[field]
    return variants[turn % len(variants)]
