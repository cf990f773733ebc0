"""Text from OpenAI Chat Completions: the brief conversation (streamed) and structured plans.

Plans use strict JSON schemas; an answer is still checked against its schema, then its
values (the brief's rules, palette colours, scene durations) before anyone sees them.
Each call runs under a deadline (`deadline_seconds`, PROVIDER_TIMEOUT_SECONDS by default)
that bounds its requests. A malformed answer (no choices, broken JSON, JSON ignoring the
schema) is asked for again a bounded number of times within the call; other retries are
the task's job, so the client makes none. Every fault becomes a ProviderError.
"""

import json
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from itertools import count
from typing import Any, TypeVar

import openai
from django.conf import settings

from media_pipeline import briefs
from media_pipeline.base import (
    MAX_SCENE_SECONDS,
    MIN_SCENE_SECONDS,
    CameraMove,
    ChatMessage,
    MoodConcept,
    ProviderError,
    ScenePlan,
    is_hex_colour,
)
from media_pipeline.deadlines import Deadline
from media_pipeline.metering import Meter, metered
from media_pipeline.retry import retry_after_seconds

logger = logging.getLogger(__name__)

T = TypeVar("T")

BACKEND = "openai"
PROVIDER = "OpenAI"
ANSWER_ATTEMPTS = 3  # malformed answers asked for again within one call
JSON_TYPES: dict[str, type | tuple[type, ...]] = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "null": type(None),
}
CAPABILITY = "text"
CHAT_TEMPERATURE = 0.7
PLAN_TEMPERATURE = 0.5
MOTIONS = CameraMove.values
MIN_PALETTE_COLOURS = 2
BISECTION_STEPS = 60

REFUSAL_MESSAGE = "The model declined to write this. Rephrase your request and try again."
FILTERED_MESSAGE = (
    "OpenAI's content filter stopped this answer. Rephrase your request and try again."
)
TRUNCATED_MESSAGE = "OpenAI's answer was cut short; trying again."
INCOMPLETE_MESSAGE = "OpenAI's plan was incomplete; trying again."
MALFORMED_MESSAGE = "OpenAI sent an answer that could not be read; trying again."
ENDED_EARLY_MESSAGE = "OpenAI's answer stopped before it was finished; trying again."

CHAT_INSTRUCTIONS = """\
You are Reelsmith's creative strategist. You help a marketer agree the creative brief for a \
short vertical video ad: product, audience, tone, key messages (at most 5), call to action, \
target length (6 to 60 seconds) and aspect ratio (9:16, 4:5 or 1:1).
Ask about one or two open points at a time and offer concrete suggestions. Keep each reply \
under 120 words. When nothing is missing, sum the brief up and say they can go on to the \
mood step."""

EXTRACT_INSTRUCTIONS = """\
Return the creative brief the conversation has established so far. Start from the current \
brief (the user may have edited it), change what the conversation changed, and leave \
anything not yet decided null (an empty list for key messages). Do not invent values. \
target_length is whole seconds from 6 to 60; aspect_ratio is 9:16, 4:5 or 1:1."""

MOODS_INSTRUCTIONS = """\
Propose {count} clearly different visual directions (mood boards) for this ad. For each: a \
short evocative name, one sentence on how it feels, a palette of 3 to 5 colours as #rrggbb, \
and exactly {images} prompts for a text-to-image model: photographic, vertical 9:16 \
composition, no text or logos in the picture."""

AVOID_INSTRUCTIONS = """
These directions were already shown; make every new one clearly different from them and do \
not reuse their names: {names}."""

SCENES_INSTRUCTIONS = """\
Write a storyboard of exactly {count} scenes for a {seconds}-second vertical video ad in the \
chosen mood. For each scene: one short line of on-screen text, a text-to-image prompt in the \
mood's style (no text in the picture), a duration in seconds from 1 to 10 (all scenes \
together {seconds}), and a camera move. Open with a hook and end on the call to action."""

REWRITE_INSTRUCTIONS = """\
Rewrite this one scene of the storyboard, following the user's instruction and staying true \
to the brief and mood. Keep the duration from 1 to 10 seconds."""

SCENE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "text": {"type": "string"},
        "image_prompt": {"type": "string"},
        "duration": {"type": "number"},
        "motion": {"type": "string", "enum": list(MOTIONS)},
    },
    "required": ["text", "image_prompt", "duration", "motion"],
    "additionalProperties": False,
}
MOOD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "feel": {"type": "string"},
        "palette": {"type": "array", "items": {"type": "string"}},
        "image_prompts": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["name", "feel", "palette", "image_prompts"],
    "additionalProperties": False,
}


def _list_of(key: str, item_schema: dict[str, Any]) -> dict[str, Any]:
    """Strict mode wants an object at the top, so lists travel wrapped in one."""
    return {
        "type": "object",
        "properties": {key: {"type": "array", "items": item_schema}},
        "required": [key],
        "additionalProperties": False,
    }


MOODS_SCHEMA = _list_of("moods", MOOD_SCHEMA)
SCENES_SCHEMA = _list_of("scenes", SCENE_SCHEMA)


def build_client() -> openai.OpenAI:
    """The one place the OpenAI credentials are read."""
    return openai.OpenAI(
        api_key=settings.OPENAI_API_KEY,
        base_url=settings.OPENAI_BASE_URL,
        timeout=settings.PROVIDER_TIMEOUT_SECONDS,
        max_retries=0,
    )


class MalformedAnswer(ProviderError):
    """An answer that is not what the API promises; asking again usually gets a good one."""

    def __init__(self, message: str = MALFORMED_MESSAGE) -> None:
        super().__init__(message, permanent=False)


class OpenAITextBackend:
    def __init__(
        self,
        *,
        model: str | None = None,
        temperature: float = CHAT_TEMPERATURE,
        deadline_seconds: float | None = None,
    ) -> None:
        self.model = model or settings.QUALITY_PROFILE["chat_model"]
        self.temperature = temperature
        self.deadline_seconds = deadline_seconds or settings.PROVIDER_TIMEOUT_SECONDS
        self.client = build_client()

    def chat_reply(self, *, messages: list[ChatMessage], brief: dict[str, Any]) -> Iterator[str]:
        conversation = [_brief_context(CHAT_INSTRUCTIONS, brief), *map(_message, messages)]
        deadline = Deadline(self.deadline_seconds, provider=PROVIDER)
        for attempt in count(1):
            sent = False
            try:
                for piece in self._stream_reply(conversation, deadline):
                    sent = True
                    yield piece
                return
            except MalformedAnswer:
                # Text already shown cannot be taken back: only a stream that sent none is retried.
                if sent or attempt >= ANSWER_ATTEMPTS:
                    raise
                logger.warning(
                    "OpenAI stream %d was malformed before any text; asking again.", attempt
                )

    def extract_brief(
        self, *, messages: list[ChatMessage], brief: dict[str, Any]
    ) -> dict[str, Any]:
        transcript = "\n".join(f"{message.role}: {message.content}" for message in messages)
        prompt = [
            _brief_context(EXTRACT_INSTRUCTIONS, brief),
            _user(f"Conversation:\n{transcript}"),
        ]
        return self._structured("creative_brief", briefs.BRIEF_JSON_SCHEMA, prompt, _clean_brief)

    def plan_moods(
        self,
        *,
        brief: dict[str, Any],
        count: int,
        images_per_mood: int,
        variation: int = 0,
        avoid: Sequence[str] = (),
    ) -> list[MoodConcept]:
        instructions = MOODS_INSTRUCTIONS.format(count=count, images=images_per_mood)
        if avoid:
            instructions += AVOID_INSTRUCTIONS.format(names=", ".join(avoid))
        prompt = [_developer(instructions), _user(f"Brief: {json.dumps(brief)}")]
        return self._structured(
            "mood_boards",
            MOODS_SCHEMA,
            prompt,
            lambda data: _moods(data, count, images_per_mood),
            seed=variation,
        )

    def plan_scenes(
        self, *, brief: dict[str, Any], mood: dict[str, Any], count: int, variation: int = 0
    ) -> list[ScenePlan]:
        seconds = brief.get("target_length")
        instructions = SCENES_INSTRUCTIONS.format(count=count, seconds=seconds or "15 to 30")
        prompt = [
            _developer(instructions),
            _user(f"Brief: {json.dumps(brief)}\nMood: {json.dumps(mood)}"),
        ]
        return self._structured(
            "storyboard",
            SCENES_SCHEMA,
            prompt,
            lambda data: _scenes(data, count, seconds),
            seed=variation,
        )

    def rewrite_scene(
        self, *, brief: dict[str, Any], mood: dict[str, Any], text: str, instruction: str
    ) -> ScenePlan:
        prompt = [
            _developer(REWRITE_INSTRUCTIONS),
            _user(
                f"Brief: {json.dumps(brief)}\nMood: {json.dumps(mood)}\n"
                f"Scene: {text}\nInstruction: {instruction}"
            ),
        ]
        return self._structured("scene", SCENE_SCHEMA, prompt, _scene)

    def _stream_reply(
        self, conversation: list[dict[str, str]], deadline: Deadline
    ) -> Iterator[str]:
        """One streamed completion, metered; it must end with a finish_reason to be whole."""
        deadline.check()
        with (
            metered(CAPABILITY, BACKEND, self.model) as meter,
            _provider_errors(self.model, deadline),
        ):
            stream = self.client.chat.completions.create(
                model=self.model,
                messages=conversation,
                temperature=self.temperature,
                stream=True,
                stream_options={"include_usage": True},
                timeout=deadline.timeout(settings.PROVIDER_TIMEOUT_SECONDS),
            )
            finished = False
            with stream:
                for chunk in _chunks(stream):
                    deadline.check()
                    _count_tokens(meter, getattr(chunk, "usage", None))
                    for choice in getattr(chunk, "choices", None) or []:
                        _check_answer(choice.delta.refusal, choice.finish_reason)
                        finished = finished or choice.finish_reason is not None
                        if choice.delta.content:
                            yield choice.delta.content
            if not finished:
                raise MalformedAnswer(ENDED_EARLY_MESSAGE)

    def _structured(
        self,
        name: str,
        schema: dict[str, Any],
        prompt: list[dict[str, str]],
        parse: Callable[[dict[str, Any]], T],
        *,
        seed: int | None = None,
    ) -> T:
        """A strict-schema answer passed through `parse`; a malformed one is asked for again.

        `seed` asks OpenAI for a repeatable sample, so each attempt number gives its own take.
        """
        response_format = {
            "type": "json_schema",
            "json_schema": {"name": name, "strict": True, "schema": schema},
        }
        deadline = Deadline(self.deadline_seconds, provider=PROVIDER)
        for attempt in range(1, ANSWER_ATTEMPTS):
            try:
                return self._complete(response_format, prompt, parse, deadline, seed)
            except MalformedAnswer:
                logger.warning(
                    "OpenAI answer %d for %s was malformed; asking again.", attempt, name
                )
        return self._complete(response_format, prompt, parse, deadline, seed)

    def _complete(
        self,
        response_format: dict[str, Any],
        prompt: list[dict[str, str]],
        parse: Callable[[dict[str, Any]], T],
        deadline: Deadline,
        seed: int | None,
    ) -> T:
        """One strict-schema completion, metered."""
        deadline.check()
        with (
            metered(CAPABILITY, BACKEND, self.model) as meter,
            _provider_errors(self.model, deadline),
        ):
            completion = self.client.chat.completions.create(
                model=self.model,
                messages=prompt,
                temperature=PLAN_TEMPERATURE,
                response_format=response_format,
                timeout=deadline.timeout(settings.PROVIDER_TIMEOUT_SECONDS),
                seed=openai.NOT_GIVEN if seed is None else seed,
            )
            _count_tokens(meter, getattr(completion, "usage", None))
            choice = _first_choice(completion)
            _check_answer(choice.message.refusal, choice.finish_reason)
            if choice.finish_reason == "length":
                raise ProviderError(TRUNCATED_MESSAGE, permanent=False)
            schema = response_format["json_schema"]["schema"]
            return parse(_schema_answer(choice.message.content, schema))


# --- prompts ---------------------------------------------------------------------------


def _developer(content: str) -> dict[str, str]:
    return {"role": "developer", "content": content}


def _user(content: str) -> dict[str, str]:
    return {"role": "user", "content": content}


def _message(message: ChatMessage) -> dict[str, str]:
    return {"role": message.role, "content": message.content}


def _brief_context(instructions: str, brief: dict[str, Any]) -> dict[str, str]:
    missing = (
        ", ".join(briefs.FIELD_LABELS[field] for field in briefs.missing_fields(brief)) or "nothing"
    )
    return _developer(
        f"{instructions}\n\nCurrent brief: {json.dumps(brief)}\nStill missing: {missing}."
    )


# --- answers ---------------------------------------------------------------------------


def _check_answer(refusal: str | None, finish_reason: str | None) -> None:
    if refusal:
        raise ProviderError(REFUSAL_MESSAGE, permanent=True)
    if finish_reason == "content_filter":
        raise ProviderError(FILTERED_MESSAGE, permanent=True)


def _count_tokens(meter: Meter, usage: Any) -> None:
    if usage is not None:
        meter.input_tokens = usage.prompt_tokens
        meter.output_tokens = usage.completion_tokens


def _chunks(stream: Any) -> Iterator[Any]:
    """The stream's chunks; the SDK raises ValueError on one whose JSON is broken."""
    iterator = iter(stream)
    while True:
        try:
            yield next(iterator)
        except StopIteration:
            return
        except ValueError as error:
            raise MalformedAnswer() from error


def _first_choice(completion: Any) -> Any:
    choices = getattr(completion, "choices", None)
    if not choices:
        raise MalformedAnswer()
    return choices[0]


def _schema_answer(content: str | None, schema: dict[str, Any]) -> dict[str, Any]:
    """The answer's JSON, which must have the shape the strict schema asked for."""
    try:
        data = json.loads(content or "")
    except (ValueError, RecursionError):
        raise MalformedAnswer() from None
    if not isinstance(data, dict) or not _fits(schema, data):
        raise MalformedAnswer()
    return data


def _fits(schema: dict[str, Any], value: Any) -> bool:
    """Whether `value` matches `schema`, for the keywords strict mode allows and ours use."""
    declared = schema.get("type", [])
    types = [declared] if isinstance(declared, str) else declared
    if types and not any(_is_type(value, name) for name in types):
        return False
    if "enum" in schema and value not in schema["enum"]:
        return False
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        # Strict mode requires every property and allows no others.
        return set(value) == set(properties) and all(
            _fits(properties[key], item) for key, item in value.items()
        )
    if isinstance(value, list):
        return all(_fits(schema.get("items", {}), item) for item in value)
    return True


def _is_type(value: Any, name: str) -> bool:
    if isinstance(value, bool):  # a bool is an int to isinstance, not to JSON Schema
        return name == "boolean"
    return isinstance(value, JSON_TYPES[name])


def _clean_brief(data: dict[str, Any]) -> dict[str, Any]:
    try:
        return briefs.clean_brief(data)
    except briefs.BriefError as error:
        raise ProviderError(f"{error} Say it differently in the chat.", permanent=True) from None


def _moods(data: dict[str, Any], count: int, images_per_mood: int) -> list[MoodConcept]:
    moods = [_mood(item, images_per_mood) for item in data["moods"][:count]]
    if len(moods) < count:
        raise ProviderError(INCOMPLETE_MESSAGE, permanent=False)
    return moods


def _mood(data: dict[str, Any], images_per_mood: int) -> MoodConcept:
    colours = list(dict.fromkeys(colour.strip().lower() for colour in data["palette"]))
    palette = sorted(filter(is_hex_colour, colours), key=_luminance)
    prompts = [_tidy(prompt) for prompt in data["image_prompts"] if prompt.strip()]
    if len(palette) < MIN_PALETTE_COLOURS or not prompts:
        raise ProviderError(INCOMPLETE_MESSAGE, permanent=False)
    # Fewer prompts than images: reuse them; the image seeds still differ.
    prompts = [prompts[index % len(prompts)] for index in range(images_per_mood)]
    return MoodConcept(
        name=_tidy(data["name"]), feel=_tidy(data["feel"]), palette=palette, image_prompts=prompts
    )


def _luminance(colour: str) -> float:
    red, green, blue = (int(colour[index : index + 2], 16) for index in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def _scenes(data: dict[str, Any], count: int, target_seconds: int | None) -> list[ScenePlan]:
    scenes = [_scene(item) for item in data["scenes"][:count]]
    if len(scenes) < count:
        raise ProviderError(INCOMPLETE_MESSAGE, permanent=False)
    durations = fit_durations([scene.duration for scene in scenes], target_seconds)
    return [
        _with_duration(scene, duration) for scene, duration in zip(scenes, durations, strict=True)
    ]


def _scene(data: dict[str, Any]) -> ScenePlan:
    text, image_prompt = _tidy(data["text"]), _tidy(data["image_prompt"])
    if not text or not image_prompt:
        raise ProviderError(INCOMPLETE_MESSAGE, permanent=False)
    motion = data["motion"] if data["motion"] in MOTIONS else MOTIONS[0]
    duration = min(max(float(data["duration"]), MIN_SCENE_SECONDS), MAX_SCENE_SECONDS)
    return ScenePlan(
        text=text, image_prompt=image_prompt, duration=round(duration, 1), motion=motion
    )


def _with_duration(scene: ScenePlan, duration: float) -> ScenePlan:
    return ScenePlan(
        text=scene.text, image_prompt=scene.image_prompt, duration=duration, motion=scene.motion
    )


def _tidy(text: str) -> str:
    return " ".join(text.split())


def fit_durations(durations: list[float], total: float | None) -> list[float]:
    """Scale durations to add up to `total`, keeping each within 1..10 s (tenths of a second).

    Without a total the durations keep their own sum. The common scale factor is found by
    bisection: the clamped sum only grows with it, so this also works when some scenes sit
    at a bound and the rest share what remains.
    """
    count = len(durations)
    total = sum(durations) if total is None else total
    total = min(max(total, MIN_SCENE_SECONDS * count), MAX_SCENE_SECONDS * count)
    low, high = 0.0, MAX_SCENE_SECONDS / min(durations)
    for _ in range(BISECTION_STEPS):
        scale = (low + high) / 2
        if sum(_bound(duration * scale) for duration in durations) < total:
            low = scale
        else:
            high = scale
    return _round_keeping_sum([_bound(duration * high) for duration in durations], total)


def _bound(seconds: float) -> float:
    return min(max(seconds, MIN_SCENE_SECONDS), MAX_SCENE_SECONDS)


def _round_keeping_sum(values: list[float], total: float) -> list[float]:
    rounded = [round(value, 1) for value in values]
    residue = round(total - sum(rounded), 1)
    if residue:
        index = next(
            index
            for index in sorted(range(len(rounded)), key=lambda index: -rounded[index])
            if MIN_SCENE_SECONDS <= rounded[index] + residue <= MAX_SCENE_SECONDS
        )
        rounded[index] = round(rounded[index] + residue, 1)
    return rounded


# --- errors ----------------------------------------------------------------------------


@contextmanager
def _provider_errors(model: str, deadline: Deadline) -> Iterator[None]:
    """Turn the SDK's exceptions into ProviderErrors that say what to do next."""
    try:
        yield
    except openai.APITimeoutError as error:
        if deadline.remaining() <= 0:
            raise deadline.exceeded() from error
        raise _provider_error(error, model) from error
    except openai.APIError as error:
        raise _provider_error(error, model) from error


def _provider_error(error: openai.APIError, model: str) -> ProviderError:
    if isinstance(error, openai.APITimeoutError):
        return ProviderError("OpenAI did not answer in time; try again.", permanent=False)
    if isinstance(error, openai.APIConnectionError):
        return ProviderError("Could not reach OpenAI; try again shortly.", permanent=False)
    if not isinstance(error, openai.APIStatusError):
        return ProviderError(
            f"OpenAI stopped mid-answer ({error.message}); try again.", permanent=False
        )
    retry_after = retry_after_seconds(error.response.headers)
    status = error.status_code
    if status == 429 and error.code == "insufficient_quota":
        return ProviderError(
            "The OpenAI account is out of credit; check its plan and billing.", permanent=True
        )
    if status in (408, 409, 429) or status >= 500:
        return ProviderError(
            "OpenAI is busy right now; trying again shortly.",
            permanent=False,
            retry_after=retry_after,
        )
    return ProviderError(_rejection_message(error, model), permanent=True)


def _rejection_message(error: openai.APIStatusError, model: str) -> str:
    if error.status_code == 401:
        return "The OpenAI key was rejected; check OPENAI_API_KEY."
    if error.status_code == 403:
        return (
            "This OpenAI key may not use this model or region; check the key's project permissions."
        )
    if error.status_code == 404:
        return f"OpenAI has no model {model!r} for this key; check the chat_model quality setting."
    if error.code == "context_length_exceeded":
        return "The conversation is too long for the model; shorten it or start a new brief."
    return f"OpenAI rejected the request: {_api_message(error)}"


def _api_message(error: openai.APIError) -> str:
    """OpenAI's own words; `error.message` prefixes them with "Error code: 400 - "."""
    if isinstance(error.body, dict) and isinstance(error.body.get("message"), str):
        return error.body["message"]
    return error.message
