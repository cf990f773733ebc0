"""A deterministic writer: the brief chat, mood directions and storyboards without a language model.

- brief_reader: reads every user turn for every field (labels, patterns, answers, corrections);
- assistant: says back what it understood and asks only for what is missing;
- directions: a catalogue of visual directions, picked to fit the brief and varied on request;
- storyboard: scenes from the brief and mood, and one scene rewritten on instruction.

The same input always gives the same output, and nothing here touches the network.
"""

import re
import time
from collections.abc import Iterator, Sequence
from typing import Any

from media_pipeline import briefs
from media_pipeline.backends.local_text.assistant import compose_reply
from media_pipeline.backends.local_text.brief_reader import read_brief
from media_pipeline.backends.local_text.directions import DIRECTIONS, plan_moods
from media_pipeline.backends.local_text.questions import QUESTIONS, asked_field
from media_pipeline.backends.local_text.storyboard import plan_scenes, rewrite_scene, split_duration
from media_pipeline.base import ChatMessage, MoodConcept, ScenePlan
from media_pipeline.metering import metered

__all__ = ["DIRECTIONS", "QUESTIONS", "LocalTextBackend", "asked_field", "split_duration"]

BACKEND = "local"
MODEL = "local-writer"
DEFAULT_TOKEN_DELAY = 0.02


class LocalTextBackend:
    def __init__(self, *, token_delay: float = DEFAULT_TOKEN_DELAY, **options: object) -> None:
        self.token_delay = token_delay

    def chat_reply(self, *, messages: list[ChatMessage], brief: dict[str, Any]) -> Iterator[str]:
        with metered("text", BACKEND, MODEL):
            reply = compose_reply(messages, brief)
        for token in re.findall(r"\S+\s*", reply):
            if self.token_delay:
                time.sleep(self.token_delay)
            yield token

    def extract_brief(
        self, *, messages: list[ChatMessage], brief: dict[str, Any]
    ) -> dict[str, Any]:
        with metered("text", BACKEND, MODEL):
            return briefs.clean_brief(read_brief(messages, brief))

    def plan_moods(
        self,
        *,
        brief: dict[str, Any],
        count: int,
        images_per_mood: int,
        variation: int = 0,
        avoid: Sequence[str] = (),
    ) -> list[MoodConcept]:
        with metered("text", BACKEND, MODEL):
            return plan_moods(
                brief,
                count=count,
                images_per_mood=images_per_mood,
                variation=variation,
                avoid=avoid,
            )

    def plan_scenes(
        self, *, brief: dict[str, Any], mood: dict[str, Any], count: int, variation: int = 0
    ) -> list[ScenePlan]:
        with metered("text", BACKEND, MODEL):
            return plan_scenes(brief, mood, count=count, variation=variation)

    def rewrite_scene(
        self, *, brief: dict[str, Any], mood: dict[str, Any], text: str, instruction: str
    ) -> ScenePlan:
        with metered("text", BACKEND, MODEL):
            return rewrite_scene(brief, mood, text=text, instruction=instruction)
