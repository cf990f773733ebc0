"""A text backend whose answers each test scripts, for the Brief step's tests."""

import time
from collections.abc import Iterator
from typing import Any, ClassVar

from media_pipeline.base import ProviderError


class ScriptedTextBackend:
    reply_tokens: ClassVar[list[str]] = ["Lovely", " —", " who", " is", " it", " for?"]
    extracted: ClassVar[dict[str, Any]] = {"product": "Glow serum"}
    errors: ClassVar[list[ProviderError]] = []  # raised, one per call, before answering
    calls: ClassVar[list[dict[str, Any]]] = []
    token_delay: ClassVar[float] = 0.0

    def __init__(self, **options: Any) -> None:
        pass

    @classmethod
    def reset(cls) -> None:
        cls.reply_tokens = ["Lovely", " —", " who", " is", " it", " for?"]
        cls.extracted = {"product": "Glow serum"}
        cls.errors = []
        cls.calls = []
        cls.token_delay = 0.0

    def chat_reply(self, *, messages: list, brief: dict) -> Iterator[str]:
        self.calls.append({"call": "chat_reply", "messages": messages, "brief": brief})
        if self.errors:
            raise self.errors.pop(0)
        for token in self.reply_tokens:
            time.sleep(self.token_delay)
            yield token

    def extract_brief(self, *, messages: list, brief: dict) -> dict:
        self.calls.append({"call": "extract_brief", "messages": messages, "brief": brief})
        return {**brief, **self.extracted}
