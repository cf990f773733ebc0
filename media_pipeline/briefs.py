"""The creative brief: its fields, JSON schema (for structured output) and validation.

The engine owns this shape because the text providers produce it; the projects app
stores it on the Project and validates edits with the same function.
"""

from typing import Any

ASPECT_RATIOS = ("9:16", "4:5", "1:1")
MIN_TARGET_SECONDS = 6
MAX_TARGET_SECONDS = 60
MAX_KEY_MESSAGES = 5
MAX_TEXT_LENGTH = 500

TEXT_FIELDS = ("product", "audience", "tone", "call_to_action")
FIELD_LABELS = {
    "product": "Product",
    "audience": "Audience",
    "tone": "Tone",
    "key_messages": "Key messages",
    "call_to_action": "Call to action",
    "target_length": "Target length",
    "aspect_ratio": "Aspect ratio",
}
BRIEF_FIELDS = tuple(FIELD_LABELS)

BRIEF_JSON_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "product": {"type": ["string", "null"]},
        "audience": {"type": ["string", "null"]},
        "tone": {"type": ["string", "null"]},
        "key_messages": {"type": "array", "items": {"type": "string"}},
        "call_to_action": {"type": ["string", "null"]},
        "target_length": {"type": ["integer", "null"]},
        "aspect_ratio": {"type": ["string", "null"], "enum": [*ASPECT_RATIOS, None]},
    },
    "required": list(BRIEF_FIELDS),
    "additionalProperties": False,
}


class BriefError(ValueError):
    """A brief that does not fit the schema; the message says which field and why."""


def empty_brief() -> dict[str, Any]:
    return {field: None for field in BRIEF_FIELDS} | {"key_messages": []}


def missing_fields(brief: dict[str, Any]) -> list[str]:
    return [field for field in BRIEF_FIELDS if brief.get(field) in (None, "", [])]


def is_complete(brief: dict[str, Any]) -> bool:
    return not missing_fields(brief)


def clean_brief(data: dict[str, Any]) -> dict[str, Any]:
    """Return a brief with every field present and valid, or raise BriefError."""
    unknown = set(data) - set(BRIEF_FIELDS)
    if unknown:
        raise BriefError(f"Unknown brief fields: {', '.join(sorted(unknown))}.")
    brief = empty_brief()
    for field in TEXT_FIELDS:
        brief[field] = _clean_text(field, data.get(field))
    brief["key_messages"] = _clean_messages(data.get("key_messages") or [])
    brief["target_length"] = _clean_length(data.get("target_length"))
    brief["aspect_ratio"] = _clean_ratio(data.get("aspect_ratio"))
    return brief


def _clean_text(field: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise BriefError(f"{FIELD_LABELS[field]} must be text.")
    value = " ".join(value.split())
    if len(value) > MAX_TEXT_LENGTH:
        raise BriefError(
            f"{FIELD_LABELS[field]} is too long: keep it under {MAX_TEXT_LENGTH} characters."
        )
    return value or None


def _clean_messages(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list):
        raise BriefError("Key messages must be a list of short sentences.")
    messages = [_clean_text("key_messages", item) for item in value]
    messages = [message for message in messages if message]
    if len(messages) > MAX_KEY_MESSAGES:
        raise BriefError(f"Keep to at most {MAX_KEY_MESSAGES} key messages.")
    return messages


def _clean_length(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        raise BriefError("Target length must be a whole number of seconds.") from None
    if not MIN_TARGET_SECONDS <= seconds <= MAX_TARGET_SECONDS:
        raise BriefError(
            f"Target length must be between {MIN_TARGET_SECONDS} and {MAX_TARGET_SECONDS} seconds."
        )
    return seconds


def _clean_ratio(value: Any) -> str | None:
    if value in (None, ""):
        return None
    if value not in ASPECT_RATIOS:
        raise BriefError(f"Aspect ratio must be one of {', '.join(ASPECT_RATIOS)}.")
    return value
