"""The moderation check every user input and generation prompt passes before a provider call.

    moderation.check(text, user_id=user.pk, what="chat message", subject=f"project:{pk}")

Flagged text raises `ContentRefused` (a polite message for the user) and sends the
`content_flagged` signal, from which the operations app files a Flag for staff review. The
check is a backend chosen by settings.MODERATION_BACKEND: `openai` (OpenAI's moderation
endpoint, free of charge), `local` (the word list settings.MODERATION_WORDS), `auto` (OpenAI
when a key is set) or a dotted path. Built once, reset when the settings change.
"""

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, wraps
from typing import Any, Protocol, TypeVar

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import Signal
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)
T = TypeVar("T")

REFUSED_MESSAGE = (
    "We can't send this to our generators: part of it looks like content we don't allow. "
    "Please rephrase it and try again. If you think this is a mistake, contact us."
)
EXCERPT_LENGTH = 500
BACKENDS = {
    "openai": "media_pipeline.moderation.OpenAIModeration",
    "local": "media_pipeline.moderation.WordListModeration",
}

# Sent with: user_id, what, subject, excerpt, reasons (list[str]), backend (str).
content_flagged = Signal()


@dataclass(frozen=True)
class Verdict:
    flagged: bool
    reasons: list[str] = field(default_factory=list)


class ModerationBackend(Protocol):
    name: str

    def review(self, text: str) -> Verdict: ...


class ContentRefused(Exception):
    """The text was flagged and was not sent to any provider; the message is for the user."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons
        super().__init__(REFUSED_MESSAGE)


class WordListModeration:
    """Flags text containing a listed word or phrase (whole words, any case)."""

    name = "local"

    def __init__(self, words: list[str] | None = None) -> None:
        words = settings.MODERATION_WORDS if words is None else words
        alternatives = "|".join(re.escape(word.strip()) for word in words if word.strip())
        self.pattern = re.compile(rf"\b({alternatives})\b", re.IGNORECASE) if alternatives else None

    def review(self, text: str) -> Verdict:
        found = (
            sorted({match.lower() for match in self.pattern.findall(text)}) if self.pattern else []
        )
        return Verdict(flagged=bool(found), reasons=[f"listed word: {word}" for word in found])


class OpenAIModeration:
    """OpenAI's moderation endpoint (model omni-moderation-latest); categories become reasons."""

    name = "openai"
    model = "omni-moderation-latest"

    def __init__(self) -> None:
        from openai import OpenAI

        self.client = OpenAI(
            api_key=settings.OPENAI_API_KEY,
            base_url=settings.OPENAI_BASE_URL,
            timeout=settings.PROVIDER_TIMEOUT_SECONDS,
            max_retries=2,
        )

    def review(self, text: str) -> Verdict:
        result = self.client.moderations.create(model=self.model, input=text).results[0]
        categories = result.categories.model_dump(by_alias=True)
        reasons = sorted(name for name, hit in categories.items() if hit)
        return Verdict(flagged=result.flagged, reasons=reasons)


@cache
def backend() -> ModerationBackend:
    chosen = settings.MODERATION_BACKEND
    if chosen in ("", "auto"):
        chosen = "openai" if settings.OPENAI_API_KEY else "local"
    return import_string(BACKENDS.get(chosen, chosen))()


def check(text: str, *, user_id: int | None, what: str, subject: str = "") -> None:
    """Raise ContentRefused (and send content_flagged) when `text` may not go to a provider."""
    if not text or not text.strip():
        return
    moderator = backend()
    verdict = moderator.review(text)
    if not verdict.flagged:
        return
    logger.info("Refused a %s of user %s (%s): %s", what, user_id, subject, verdict.reasons)
    content_flagged.send(
        sender=ContentRefused,
        user_id=user_id,
        what=what,
        subject=subject,
        excerpt=text[:EXCERPT_LENGTH],
        reasons=verdict.reasons,
        backend=moderator.name,
    )
    raise ContentRefused(verdict.reasons)


def moderated(
    argument: str, *, what: str, owner: Callable[..., tuple[int | None, str]]
) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Check the service's keyword `argument` before the service (and its transaction) runs.

    Outside the service's transaction, so the flag filed from `content_flagged` is kept while
    the refused change is not. `owner(**kwargs)` gives the user id and usage subject.
    """

    def decorator(service: Callable[..., T]) -> Callable[..., T]:
        @wraps(service)
        def checked(**kwargs: Any) -> T:
            user_id, subject = owner(**kwargs)
            check(kwargs.get(argument) or "", user_id=user_id, what=what, subject=subject)
            return service(**kwargs)

        return checked

    return decorator


def _reset_on_settings_change(*, setting: str, **kwargs: Any) -> None:
    if setting in ("MODERATION_BACKEND", "MODERATION_WORDS", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
        backend.cache_clear()


setting_changed.connect(_reset_on_settings_change)
