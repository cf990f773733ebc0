import socket

import pytest

from media_pipeline import briefs
from media_pipeline.backends.openai_text import (
    ANSWER_ATTEMPTS,
    ENDED_EARLY_MESSAGE,
    FILTERED_MESSAGE,
    MALFORMED_MESSAGE,
    REFUSAL_MESSAGE,
    MalformedAnswer,
    OpenAITextBackend,
    fit_durations,
)
from media_pipeline.base import ChatMessage, ProviderError
from media_pipeline.deadlines import DeadlineExceeded
from media_pipeline.models import ProviderUsage
from media_pipeline.registry import providers
from tests.factories import COMPLETE_BRIEF

pytestmark = pytest.mark.django_db

CONVERSATION = [
    ChatMessage("user", "I want an ad for our Glow serum."),
    ChatMessage("assistant", "Lovely. Who is it for?"),
    ChatMessage("user", "Busy professionals, 15 seconds, vertical."),
]
MOOD = {"name": "Morning light", "feel": "Calm and bright", "palette": ["#1a1a2e", "#f5e6ca"]}


@pytest.fixture
def backend(openai_fake):
    return OpenAITextBackend()


def scene(text="Meet Glow.", duration=5, motion="zoom_in"):
    return {
        "text": text,
        "image_prompt": "a serum bottle at dawn",
        "duration": duration,
        "motion": motion,
    }


def usage_row() -> ProviderUsage:
    return ProviderUsage.objects.get()


def test_chat_reply_streams_the_deltas_and_meters_the_tokens(backend, openai_fake):
    openai_fake.reply(
        "Great! What tone fits?",
        chunks=["Great! ", "What ", "tone fits?"],
        prompt_tokens=42,
        completion_tokens=6,
    )

    pieces = list(backend.chat_reply(messages=CONVERSATION, brief=briefs.empty_brief()))

    assert pieces == ["Great! ", "What ", "tone fits?"]
    (request,) = openai_fake.requests
    assert request.headers["authorization"] == f"Bearer {openai_fake.api_key}"
    assert request.headers["x-stainless-retry-count"] == "0"
    body = request.json
    assert body["model"] == "gpt-4o-mini"
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert body["messages"][0]["role"] == "developer"
    assert "Still missing: Product, Audience" in body["messages"][0]["content"]
    assert body["messages"][1:] == [{"role": m.role, "content": m.content} for m in CONVERSATION]
    row = usage_row()
    assert (row.capability, row.backend, row.model, row.outcome) == (
        "text",
        "openai",
        "gpt-4o-mini",
        "success",
    )
    assert (row.input_tokens, row.output_tokens) == (42, 6)


def test_registry_builds_the_openai_backend_from_settings(settings, openai_fake):
    settings.MEDIA_PIPELINE = {
        "text": {
            "BACKEND": "media_pipeline.backends.openai_text.OpenAITextBackend",
            "OPTIONS": {"model": "gpt-4o"},
        }
    }
    openai_fake.reply("Hello!")

    assert "".join(providers["text"].chat_reply(messages=CONVERSATION, brief={})) == "Hello!"
    assert openai_fake.chat_requests[0]["model"] == "gpt-4o"


def test_extract_brief_sends_a_strict_schema_and_cleans_the_answer(backend, openai_fake):
    openai_fake.reply(
        COMPLETE_BRIEF | {"product": "  Glow   serum ", "key_messages": ["Visible glow", " "]}
    )

    brief = backend.extract_brief(messages=CONVERSATION, brief=briefs.empty_brief())

    assert brief == COMPLETE_BRIEF | {"product": "Glow serum", "key_messages": ["Visible glow"]}
    response_format = openai_fake.chat_requests[0]["response_format"]
    assert response_format == {
        "type": "json_schema",
        "json_schema": {
            "name": "creative_brief",
            "strict": True,
            "schema": briefs.BRIEF_JSON_SCHEMA,
        },
    }
    assert (
        "Busy professionals, 15 seconds" in openai_fake.chat_requests[0]["messages"][1]["content"]
    )


def test_a_brief_breaking_the_rules_fails_with_the_rule(backend, openai_fake):
    openai_fake.reply(COMPLETE_BRIEF | {"target_length": 90})

    with pytest.raises(ProviderError) as caught:
        backend.extract_brief(messages=CONVERSATION, brief=briefs.empty_brief())

    assert caught.value.permanent
    assert "Target length must be between 6 and 60 seconds." in caught.value.message
    assert usage_row().outcome == "permanent"


def test_every_plan_schema_is_accepted_by_strict_mode(backend, openai_fake):
    backend.extract_brief(messages=CONVERSATION, brief=briefs.empty_brief())
    openai_fake.reply(
        {
            "moods": [
                {
                    "name": "A",
                    "feel": "B",
                    "palette": ["#000000", "#ffffff"],
                    "image_prompts": ["p"],
                }
            ]
        }
    )
    backend.plan_moods(brief=COMPLETE_BRIEF, count=1, images_per_mood=1)
    openai_fake.reply({"scenes": [scene()]})
    backend.plan_scenes(brief=COMPLETE_BRIEF, mood=MOOD, count=1)
    openai_fake.reply(scene())
    backend.rewrite_scene(brief=COMPLETE_BRIEF, mood=MOOD, text="Meet Glow.", instruction="Shorter")

    names = [
        request["response_format"]["json_schema"]["name"] for request in openai_fake.chat_requests
    ]
    assert names == ["creative_brief", "mood_boards", "storyboard", "scene"]
    assert ProviderUsage.objects.filter(outcome="success").count() == 4


def test_plan_moods_keeps_valid_colours_darkest_first_and_fills_the_prompts(backend, openai_fake):
    openai_fake.reply(
        {
            "moods": [
                {
                    "name": " Dawn ",
                    "feel": "Soft.",
                    "palette": ["#F5E6CA", "teal", "#1A1A2E", "#f5e6ca"],
                    "image_prompts": ["a", "b"],
                },
                {
                    "name": "Neon",
                    "feel": "Loud.",
                    "palette": ["#ff00ff", "#000000"],
                    "image_prompts": ["c", "d", "e", "f"],
                },
            ]
        }
    )

    moods = backend.plan_moods(brief=COMPLETE_BRIEF, count=2, images_per_mood=3)

    assert [mood.name for mood in moods] == ["Dawn", "Neon"]
    assert moods[0].palette == ["#1a1a2e", "#f5e6ca"]
    assert moods[0].image_prompts == ["a", "b", "a"]
    assert moods[1].image_prompts == ["c", "d", "e"]
    assert "exactly 3 prompts" in openai_fake.chat_requests[0]["messages"][0]["content"]


def test_plan_moods_sends_the_attempt_as_seed_and_names_the_directions_to_avoid(
    backend, openai_fake
):
    palette = ["#000000", "#ffffff"]
    openai_fake.reply(
        {"moods": [{"name": "C", "feel": "F", "palette": palette, "image_prompts": ["p"]}]}
    )

    backend.plan_moods(
        brief=COMPLETE_BRIEF, count=1, images_per_mood=1, variation=3, avoid=["Dawn", "Neon"]
    )

    (request,) = openai_fake.chat_requests
    assert request["seed"] == 3
    assert "do not reuse their names: Dawn, Neon." in request["messages"][0]["content"]


def test_a_first_plan_is_seeded_zero_and_avoids_nothing(backend, openai_fake):
    openai_fake.reply({"scenes": [scene()]})

    backend.plan_scenes(brief=COMPLETE_BRIEF, mood=MOOD, count=1)

    (request,) = openai_fake.chat_requests
    assert request["seed"] == 0
    assert "already shown" not in request["messages"][0]["content"]


def test_plan_scenes_sends_the_attempt_as_seed(backend, openai_fake):
    openai_fake.reply({"scenes": [scene()]})

    backend.plan_scenes(brief=COMPLETE_BRIEF, mood=MOOD, count=1, variation=2)

    assert openai_fake.chat_requests[0]["seed"] == 2


def test_too_few_moods_is_retryable(backend, openai_fake):
    openai_fake.reply({"moods": []})

    with pytest.raises(ProviderError) as caught:
        backend.plan_moods(brief=COMPLETE_BRIEF, count=3, images_per_mood=1)

    assert not caught.value.permanent


def test_plan_scenes_fits_durations_to_the_target_length(backend, openai_fake):
    openai_fake.reply(
        {"scenes": [scene(duration=2), scene(duration=30, motion="pan_left"), scene(duration=4)]}
    )

    scenes = backend.plan_scenes(brief=COMPLETE_BRIEF, mood=MOOD, count=3)

    assert sum(s.duration for s in scenes) == pytest.approx(COMPLETE_BRIEF["target_length"])
    assert all(1 <= s.duration <= 10 for s in scenes)
    assert scenes[1].motion == "pan_left"
    assert "15-second" in openai_fake.chat_requests[0]["messages"][0]["content"]


def test_rewrite_scene_clamps_the_duration(backend, openai_fake):
    openai_fake.reply(scene(text="  Glow,   daily. ", duration=25))

    plan = backend.rewrite_scene(
        brief=COMPLETE_BRIEF, mood=MOOD, text="Meet Glow.", instruction="punchier"
    )

    assert (plan.text, plan.duration) == ("Glow, daily.", 10)
    assert "Instruction: punchier" in openai_fake.chat_requests[0]["messages"][1]["content"]


@pytest.mark.parametrize(
    ("durations", "total", "expected"),
    [
        ([2, 30, 4], 15, [1.7, 10.0, 3.3]),
        ([1, 1, 100], 21, [5.5, 5.5, 10.0]),
        ([3, 3, 3], 15, [5.0, 5.0, 5.0]),
        ([2, 8], None, [2.0, 8.0]),
        ([10, 10], 100, [10.0, 10.0]),
    ],
)
def test_fit_durations(durations, total, expected):
    assert fit_durations(durations, total) == expected


def test_a_refusal_is_permanent(backend, openai_fake):
    openai_fake.refuse()

    with pytest.raises(ProviderError) as caught:
        backend.plan_moods(brief=COMPLETE_BRIEF, count=1, images_per_mood=1)

    assert (caught.value.permanent, caught.value.message) == (True, REFUSAL_MESSAGE)
    assert usage_row().outcome == "permanent"


def test_a_refusal_in_a_stream_is_permanent(backend, openai_fake):
    openai_fake.refuse()

    with pytest.raises(ProviderError) as caught:
        list(backend.chat_reply(messages=CONVERSATION, brief={}))

    assert (caught.value.permanent, caught.value.message) == (True, REFUSAL_MESSAGE)


def test_the_content_filter_is_permanent(backend, openai_fake):
    openai_fake.filter_content()

    with pytest.raises(ProviderError) as caught:
        backend.rewrite_scene(brief=COMPLETE_BRIEF, mood=MOOD, text="x", instruction="y")

    assert (caught.value.permanent, caught.value.message) == (True, FILTERED_MESSAGE)


@pytest.mark.parametrize(
    ("headers", "retry_after"),
    [({"retry_after_ms": 1500}, 1.5), ({"retry_after": "7"}, 7.0), ({}, None)],
)
def test_a_rate_limit_is_retryable_after_the_servers_delay(
    backend, openai_fake, headers, retry_after
):
    openai_fake.rate_limit(**headers)

    with pytest.raises(ProviderError) as caught:
        backend.extract_brief(messages=CONVERSATION, brief={})

    assert not caught.value.permanent
    assert caught.value.retry_after == retry_after
    assert len(openai_fake.requests) == 1  # the SDK does not retry: the task does
    assert usage_row().outcome == "retryable"


def test_an_exhausted_quota_is_permanent(backend, openai_fake):
    openai_fake.quota_exceeded()

    with pytest.raises(ProviderError) as caught:
        backend.extract_brief(messages=CONVERSATION, brief={})

    assert caught.value.permanent
    assert "out of credit" in caught.value.message


@pytest.mark.parametrize("status", [500, 503])
def test_a_server_error_is_retryable(backend, openai_fake, status):
    openai_fake.server_error(status)

    with pytest.raises(ProviderError) as caught:
        list(backend.chat_reply(messages=CONVERSATION, brief={}))

    assert not caught.value.permanent


def test_a_rejected_key_is_permanent(settings, openai_fake):
    settings.OPENAI_API_KEY = "sk-wrong"

    with pytest.raises(ProviderError) as caught:
        OpenAITextBackend().extract_brief(messages=CONVERSATION, brief={})

    assert caught.value.permanent
    assert caught.value.message == "The OpenAI key was rejected; check OPENAI_API_KEY."


def test_a_bad_request_is_permanent_with_openais_reason(backend, openai_fake):
    openai_fake.fail(400, "Invalid value for 'temperature'.", param="temperature")

    with pytest.raises(ProviderError) as caught:
        backend.extract_brief(messages=CONVERSATION, brief={})

    assert caught.value.permanent
    assert caught.value.message == "OpenAI rejected the request: Invalid value for 'temperature'."


def test_an_overlong_conversation_says_to_shorten_it(backend, openai_fake):
    openai_fake.fail(
        400, "This model's maximum context length is 128000 tokens.", code="context_length_exceeded"
    )

    with pytest.raises(ProviderError) as caught:
        list(backend.chat_reply(messages=CONVERSATION, brief={}))

    assert caught.value.permanent
    assert "too long" in caught.value.message


def test_a_timeout_is_retryable(settings, openai_fake):
    settings.PROVIDER_TIMEOUT_SECONDS = 0.2
    openai_fake.stall(1.0)

    with pytest.raises(ProviderError) as caught:
        OpenAITextBackend(deadline_seconds=5).extract_brief(messages=CONVERSATION, brief={})

    assert (caught.value.permanent, caught.value.message) == (
        False,
        "OpenAI did not answer in time; try again.",
    )


def test_the_calls_deadline_cuts_a_slow_answer(openai_fake):
    openai_fake.stall(2.0)

    with pytest.raises(DeadlineExceeded) as caught:
        OpenAITextBackend(deadline_seconds=0.3).extract_brief(messages=CONVERSATION, brief={})

    assert (caught.value.permanent, caught.value.message) == (
        False,
        "OpenAI did not finish within 0.3 s; trying again.",
    )
    assert usage_row().outcome == "retryable"


def test_the_default_deadline_is_the_provider_timeout(settings, openai_fake):
    settings.PROVIDER_TIMEOUT_SECONDS = 42

    assert OpenAITextBackend().deadline_seconds == 42


def test_an_unreachable_server_is_retryable(settings, openai_fake):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        settings.OPENAI_BASE_URL = f"http://127.0.0.1:{closed.getsockname()[1]}/v1"

    with pytest.raises(ProviderError) as caught:
        OpenAITextBackend().extract_brief(messages=CONVERSATION, brief={})

    assert not caught.value.permanent
    assert "Could not reach OpenAI" in caught.value.message


def test_an_error_event_mid_stream_is_retryable(backend, openai_fake):
    openai_fake.reply(
        "Half an ans", stream_error="The server had an error while processing your request."
    )

    received = []
    with pytest.raises(ProviderError) as caught:
        for piece in backend.chat_reply(messages=CONVERSATION, brief={}):
            received.append(piece)

    assert received == ["Half ", "an ", "ans"]
    assert not caught.value.permanent
    assert usage_row().outcome == "retryable"


def test_a_stream_that_goes_silent_is_retryable(settings, openai_fake):
    settings.PROVIDER_TIMEOUT_SECONDS = 0.2
    openai_fake.reply("Half an answer", stream_stall=1.0)

    received = []
    with pytest.raises(ProviderError) as caught:
        backend = OpenAITextBackend(deadline_seconds=5)
        for piece in backend.chat_reply(messages=CONVERSATION, brief={}):
            received.append(piece)

    assert received == ["Half ", "an ", "answer"]
    # The SDK turns a read timeout inside the stream into APITimeoutError too.
    assert (caught.value.permanent, caught.value.message) == (
        False,
        "OpenAI did not answer in time; try again.",
    )


@pytest.mark.parametrize("kind", ["no_choices", "not_json", "off_schema"])
def test_a_malformed_answer_is_asked_for_again_within_the_call(backend, openai_fake, kind):
    openai_fake.malformed(kind)
    openai_fake.reply(COMPLETE_BRIEF)

    brief = backend.extract_brief(messages=CONVERSATION, brief=briefs.empty_brief())

    assert brief == COMPLETE_BRIEF
    assert len(openai_fake.chat_requests) == 2
    outcomes = list(ProviderUsage.objects.order_by("id").values_list("outcome", "error"))
    assert outcomes == [("retryable", MALFORMED_MESSAGE), ("success", "")]


def test_answers_that_stay_malformed_are_retryable_after_a_bounded_number(backend, openai_fake):
    for kind in ("off_schema", "no_choices", "not_json", "off_schema"):
        openai_fake.malformed(kind)

    with pytest.raises(MalformedAnswer) as caught:
        backend.rewrite_scene(brief=COMPLETE_BRIEF, mood=MOOD, text="x", instruction="y")

    assert (caught.value.permanent, caught.value.message) == (False, MALFORMED_MESSAGE)
    assert len(openai_fake.chat_requests) == ANSWER_ATTEMPTS


def test_a_value_of_the_wrong_type_is_off_schema(backend, openai_fake):
    openai_fake.reply(scene() | {"duration": "five"})
    openai_fake.reply(scene() | {"motion": "spin"})
    openai_fake.reply(scene() | {"extra": True})

    with pytest.raises(MalformedAnswer):
        backend.rewrite_scene(brief=COMPLETE_BRIEF, mood=MOOD, text="x", instruction="y")


def test_a_stream_broken_before_any_text_is_asked_for_again(backend, openai_fake):
    openai_fake.reply("Never seen", broken_chunk_at=0)
    openai_fake.reply("Which tone fits?")

    pieces = list(backend.chat_reply(messages=CONVERSATION, brief={}))

    assert "".join(pieces) == "Which tone fits?"
    assert len(openai_fake.chat_requests) == 2


def test_a_stream_broken_after_some_text_is_retryable(backend, openai_fake):
    openai_fake.reply("Half an answer", broken_chunk_at=2)

    received = []
    with pytest.raises(MalformedAnswer) as caught:
        for piece in backend.chat_reply(messages=CONVERSATION, brief={}):
            received.append(piece)

    assert received == ["Half ", "an "]
    assert (caught.value.permanent, caught.value.message) == (False, MALFORMED_MESSAGE)
    assert len(openai_fake.chat_requests) == 1  # what was shown cannot be taken back
    assert usage_row().outcome == "retryable"


def test_a_stream_that_ends_without_a_finish_reason_is_not_a_whole_reply(backend, openai_fake):
    openai_fake.reply("Half an answer", ends_early=True)

    received = []
    with pytest.raises(MalformedAnswer) as caught:
        for piece in backend.chat_reply(messages=CONVERSATION, brief={}):
            received.append(piece)

    assert received == ["Half ", "an ", "answer"]
    assert (caught.value.permanent, caught.value.message) == (False, ENDED_EARLY_MESSAGE)
    assert usage_row().outcome == "retryable"
