"""Small text helpers the reader, the assistant and the storyboard share."""

import hashlib


def sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def sentence_end(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?" else f"{text}."


def join_words(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def unique(items: list[str]) -> list[str]:
    """Drop repeats, ignoring case, keeping the first of each."""
    kept: dict[str, str] = {}
    for item in items:
        kept.setdefault(item.lower(), item)
    return list(kept.values())


def digest(*parts: str) -> str:
    """A stable hash: Python's hash() changes between processes."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
