"""The assistant's turn: say back what it understood, then ask only for what is still missing."""

from typing import Any

from media_pipeline import briefs
from media_pipeline.backends.local_text import questions
from media_pipeline.backends.local_text.brief_reader import (
    DELEGATE_RE,
    SMALL_TALK_RE,
    read_brief,
    read_turn,
)
from media_pipeline.backends.local_text.wording import join_words
from media_pipeline.base import ChatMessage

GREETING = "Hi! I'll help you shape a creative brief for your video ad."
NO_PRODUCT_DEFAULT = "I can pick most things for you, but not the product."


def compose_reply(messages: list[ChatMessage], brief: dict[str, Any]) -> str:
    user_turns = [index for index, message in enumerate(messages) if message.role == "user"]
    if not user_turns:
        return f"{GREETING} {questions.question('product', 0)}"
    last = user_turns[-1]
    before = read_brief(messages[:last], brief)
    after = read_brief(messages, brief)
    known = set(briefs.BRIEF_FIELDS) - set(briefs.missing_fields(before))
    reading = read_turn(messages, last, known=known)
    changed = [name for name in briefs.BRIEF_FIELDS if after[name] != before[name]]
    recap = _recap(after, changed, delegated=reading.delegated)
    said = messages[last].content
    asked = questions.asked_fields(messages[last - 1].content if last else "")
    wanted = _suggestion_wanted(said, reading.unsure, asked)
    if wanted:
        lead = "No problem." if reading.unsure else "Sure."
        return f"{recap} {lead} {_suggest(wanted)}".strip()
    opening = recap or _no_change(said)
    return f"{opening} {_next_step(after, turn=len(messages))}".strip()


def _suggestion_wanted(said: str, unsure: str | None, asked: list[str]) -> str | None:
    """The field to propose a default for: one the user is unsure of or asks us to suggest."""
    if unsure:
        return unsure if unsure in questions.FIELD_DEFAULTS else None
    if said.strip().endswith("?") and "suggest" in said.lower():
        field = questions.field_named_in(said) or (asked[0] if asked else None)
        return field if field in questions.FIELD_DEFAULTS else None
    return None


def _suggest(field: str) -> str:
    name = questions.FIELD_NAMES[field]
    return f"{questions.suggestion(field)} Shall I use that, or what {name} would you like?"


def _recap(brief: dict[str, Any], changed: list[str], *, delegated: str | None) -> str:
    """What this turn changed, said back with the way to fix it."""
    if not changed:
        return ""
    recap = join_words([_shown(name, brief[name]) for name in changed])
    picked = " (my pick)" if delegated in changed else ""
    fix = questions.FIELD_NAMES[changed[0]]
    return f"Got it: {recap}{picked}. Say \u201cchange the {fix} to \u2026\u201d to fix anything."


def _no_change(said: str) -> str:
    if DELEGATE_RE.search(said):
        return NO_PRODUCT_DEFAULT
    if SMALL_TALK_RE.fullmatch(said.strip()):
        return GREETING if said.strip().lower().startswith(("hi", "hello", "hey", "hola")) else ""
    return "Thanks."


def _shown(field: str, value: Any) -> str:
    name = questions.FIELD_NAMES[field]
    match field:
        case "key_messages":
            return f"{name} " + ", ".join(f"\u201c{message}\u201d" for message in value)
        case "target_length":
            return f"{value} seconds"
        case "aspect_ratio":
            return f"format {value}"
        case _:
            return f"{name} \u201c{value}\u201d"


def _next_step(brief: dict[str, Any], *, turn: int) -> str:
    missing = briefs.missing_fields(brief)
    if not missing:
        return f"\n\n{summary(brief)}"
    if missing[:2] == ["target_length", "aspect_ratio"]:
        return questions.LENGTH_AND_FORMAT
    return questions.question(missing[0], turn)


def summary(brief: dict[str, Any]) -> str:
    lines = ["Here's the brief:"]
    for field, label in briefs.FIELD_LABELS.items():
        value = brief[field]
        if field == "key_messages":
            value = "; ".join(value)
        elif field == "target_length":
            value = f"{value} seconds"
        lines.append(f"\u2022 {label}: {value}")
    lines.append(
        "If that looks right, continue to Mood, or say \u201cchange the tone to \u2026\u201d "
        "to fix anything."
    )
    return "\n".join(lines)
