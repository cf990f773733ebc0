import re

import pytest

from media_pipeline import briefs
from media_pipeline.backends.local_text import (
    MOODS,
    QUESTIONS,
    LocalTextBackend,
    asked_field,
    split_duration,
)
from media_pipeline.base import ChatMessage
from media_pipeline.models import ProviderUsage
from tests.factories import COMPLETE_BRIEF

pytestmark = pytest.mark.django_db

RICH_MESSAGE = (
    "I need a 30 second vertical ad for our new trail running shoes called Cloudstride X, aimed at "
    "weekend hikers. Make it energetic and bold. It grips wet rock. They weigh only 240 grams. "
    "End with 'Find your trail'."
)
MOOD = {"name": "Golden Hour", "feel": "Warm low sun.", "palette": ["#000000"], "image_prompts": []}


@pytest.fixture
def writer():
    return LocalTextBackend(token_delay=0)


def user(text: str) -> ChatMessage:
    return ChatMessage("user", text)


def converse(writer, answers: list[str]) -> tuple[list[ChatMessage], dict]:
    """Play a conversation: the writer replies after every answer and the brief is re-read."""
    messages, brief = [], briefs.empty_brief()
    messages.append(ChatMessage("assistant", "".join(writer.chat_reply(messages=[], brief=brief))))
    for answer in answers:
        messages.append(user(answer))
        messages.append(
            ChatMessage("assistant", "".join(writer.chat_reply(messages=messages, brief=brief)))
        )
        brief = writer.extract_brief(messages=messages, brief=brief)
    return messages, brief


def test_question_by_question_conversation_completes_the_brief(writer):
    messages, brief = converse(
        writer,
        [
            "We're launching GlowSerum, a vitamin C serum for busy professionals in their thirties.",
            "Warm and confident",
            "Visible glow in 7 days, clean ingredients",
            "Shop now",
            "15",
            "vertical please",
        ],
    )

    assert brief == COMPLETE_BRIEF
    assert "continue to Mood" in messages[-1].content
    assert "\u2022 Product: GlowSerum" in messages[-1].content


def test_one_rich_message_fills_every_field(writer):
    brief = writer.extract_brief(messages=[user(RICH_MESSAGE)], brief={})

    assert brief == {
        "product": "Cloudstride X",
        "audience": "weekend hikers",
        "tone": "energetic and bold",
        "key_messages": ["Grips wet rock", "Weigh only 240 grams"],
        "call_to_action": "Find your trail",
        "target_length": 30,
        "aspect_ratio": "9:16",
    }


def test_extracted_brief_always_passes_validation(writer):
    rambling = (
        "We are selling " + "very " * 200 + "nice soap for " + "really " * 200 + "busy people"
    )
    odd = [user(f"Make it 300 seconds long, 16:9. {rambling}. Key messages: {'so ' * 300}good")]

    brief = writer.extract_brief(messages=odd, brief={})

    assert briefs.clean_brief(brief) == brief
    assert brief["target_length"] == briefs.MAX_TARGET_SECONDS
    assert brief["aspect_ratio"] is None
    assert 0 < len(brief["product"]) <= briefs.MAX_TEXT_LENGTH


def test_known_fields_survive_messages_that_do_not_mention_them(writer):
    brief = writer.extract_brief(messages=[user("Tone: playful")], brief=COMPLETE_BRIEF)

    assert brief == COMPLETE_BRIEF | {"tone": "playful"}


def test_latest_message_overrides_and_older_ones_only_fill_gaps(writer):
    messages = [user("A 15 second ad, playful tone please"), user("Actually make it 30 seconds")]

    brief = writer.extract_brief(messages=messages, brief={"tone": "calm"})

    assert brief["target_length"] == 30
    assert brief["tone"] == "calm"


def test_short_reply_answers_the_question_just_asked(writer):
    messages = [
        ChatMessage("assistant", "Who is the audience? Who should stop scrolling?"),
        user("Young parents"),
    ]

    assert writer.extract_brief(messages=messages, brief={})["audience"] == "Young parents"


def test_deferring_to_the_writer_fills_a_sensible_default(writer):
    messages = [ChatMessage("assistant", "What tone should it have?"), user("Not sure, you decide")]

    assert writer.extract_brief(messages=messages, brief={})["tone"] == "warm and confident"


def test_greeting_is_not_taken_as_the_product(writer):
    messages = [ChatMessage("assistant", QUESTIONS["product"][0]), user("hello!")]

    assert writer.extract_brief(messages=messages, brief={})["product"] is None


def test_key_messages_accumulate_up_to_the_limit(writer):
    existing = {"key_messages": ["One", "Two", "Three", "Four"]}
    messages = [user("Key messages: vegan formula, refillable bottle")]

    brief = writer.extract_brief(messages=messages, brief=existing)

    assert brief["key_messages"] == ["One", "Two", "Three", "Four", "Vegan formula"]


@pytest.mark.parametrize(
    ("said", "ratio"),
    [("make it 4:5", "4:5"), ("square please", "1:1"), ("9x16", "9:16"), ("for TikTok", "9:16")],
)
def test_aspect_ratio_from_numbers_or_words(writer, said, ratio):
    assert writer.extract_brief(messages=[user(said)], brief={})["aspect_ratio"] == ratio


@pytest.mark.parametrize(
    ("said", "seconds"), [("a 20s spot", 20), ("fifteen seconds", 15), ("half a minute", 30)]
)
def test_length_from_digits_or_words(writer, said, seconds):
    assert writer.extract_brief(messages=[user(said)], brief={})["target_length"] == seconds


@pytest.mark.parametrize(("field", "variants"), QUESTIONS.items())
def test_every_question_is_recognised_as_asking_its_field(field, variants):
    for question in variants:
        assert asked_field(f"Got it: noted. {question}") == field


def test_reply_streams_word_by_word_and_asks_for_the_next_missing_field(writer):
    messages = [user("We're launching GlowSerum for busy professionals.")]

    tokens = list(writer.chat_reply(messages=messages, brief={}))

    assert len(tokens) > 10
    assert all(len(token.split()) == 1 for token in tokens)
    reply = "".join(tokens)
    assert "GlowSerum" in reply and "busy professionals" in reply
    assert asked_field(reply) == "tone"


def test_first_reply_greets_and_asks_for_the_product(writer):
    reply = "".join(writer.chat_reply(messages=[], brief={}))

    assert reply.startswith("Hi!")
    assert asked_field(reply) == "product"


def test_reply_is_delayed_per_token_by_default():
    assert LocalTextBackend().token_delay == pytest.approx(0.02)


def test_same_conversation_gives_the_same_reply(writer):
    messages = [user(RICH_MESSAGE)]

    first = "".join(writer.chat_reply(messages=messages, brief={}))
    second = "".join(LocalTextBackend(token_delay=0).chat_reply(messages=messages, brief={}))

    assert first == second


def test_moods_are_distinct_with_five_colour_palettes_and_prompts(writer):
    moods = writer.plan_moods(brief=COMPLETE_BRIEF, count=4, images_per_mood=3)

    assert len({mood.name for mood in moods}) == 4
    for mood in moods:
        assert len(mood.palette) == 5
        assert all(re.fullmatch(r"#[0-9a-f]{6}", colour) for colour in mood.palette)
        assert len(set(mood.image_prompts)) == 3
        assert all("GlowSerum" in prompt for prompt in mood.image_prompts)


def test_moods_matching_the_tone_come_first(writer):
    moods = writer.plan_moods(
        brief=COMPLETE_BRIEF | {"tone": "playful and fun"}, count=2, images_per_mood=1
    )

    assert {mood.name for mood in moods} <= {"Sunlit Pop", "Retro Arcade"}


def test_moods_are_deterministic(writer):
    first = writer.plan_moods(brief=COMPLETE_BRIEF, count=3, images_per_mood=2)

    assert writer.plan_moods(brief=COMPLETE_BRIEF, count=3, images_per_mood=2) == first


def test_more_moods_than_the_writer_knows_is_refused(writer):
    with pytest.raises(ValueError, match="moods"):
        writer.plan_moods(brief=COMPLETE_BRIEF, count=len(MOODS) + 1, images_per_mood=1)


@pytest.mark.parametrize(("count", "target"), [(1, 6), (3, 15), (4, 15), (5, 30), (6, 60), (7, 11)])
def test_scene_durations_fill_the_target_within_bounds(writer, count, target):
    scenes = writer.plan_scenes(
        brief=COMPLETE_BRIEF | {"target_length": target}, mood=MOOD, count=count
    )

    assert len(scenes) == count
    assert sum(scene.duration for scene in scenes) == target
    assert all(1 <= scene.duration <= 10 for scene in scenes)


def test_impossible_target_keeps_every_scene_within_bounds():
    assert split_duration(60, 3) == [10, 10, 10]
    assert split_duration(6, 8) == [1] * 8


def test_storyboard_opens_with_a_hook_and_ends_on_the_call_to_action(writer):
    scenes = writer.plan_scenes(brief=COMPLETE_BRIEF, mood=MOOD, count=5)

    assert "busy professionals" in scenes[0].text.lower()
    assert "Shop now" in scenes[-1].text
    assert any("Visible glow in 7 days" in scene.text for scene in scenes[1:-1])
    assert all("golden hour" in scene.image_prompt for scene in scenes)
    assert {scene.motion for scene in scenes} <= {"zoom_in", "zoom_out", "pan_left", "pan_right"}
    assert writer.plan_scenes(brief=COMPLETE_BRIEF, mood=MOOD, count=5) == scenes


TEXT = "Busy professionals in their thirties, this one's for you."


@pytest.mark.parametrize(
    ("instruction", "expected"),
    [
        ('Say "Glow like you mean it"', "Glow like you mean it."),
        ("make it shorter", "Busy professionals in their thirties."),
        ("remove busy", "Professionals in their thirties, this one's for you."),
        (
            "replace thirties with forties",
            "Busy professionals in their forties, this one's for you.",
        ),
        ("more urgent", "Busy professionals in their thirties, this one's for you. Don't wait."),
        (
            "mention free shipping",
            "Busy professionals in their thirties, this one's for you. Free shipping.",
        ),
        (
            "make it longer",
            "Busy professionals in their thirties, this one's for you. Visible glow in 7 days.",
        ),
    ],
)
def test_rewrite_follows_the_instruction(writer, instruction, expected):
    scene = writer.rewrite_scene(
        brief=COMPLETE_BRIEF, mood=MOOD, text=TEXT, instruction=instruction
    )

    assert scene.text == expected
    assert 2 <= scene.duration <= 8
    assert "golden hour" in scene.image_prompt


def test_rewrite_with_an_instruction_it_cannot_parse_still_changes_the_scene(writer):
    scene = writer.rewrite_scene(
        brief=COMPLETE_BRIEF, mood=MOOD, text=TEXT, instruction="make it better"
    )

    assert scene.text != TEXT
    assert scene.text.startswith(TEXT.rstrip("."))


def test_every_call_is_metered_as_local_text(writer):
    writer.extract_brief(messages=[user("hi")], brief={})
    writer.plan_moods(brief=COMPLETE_BRIEF, count=1, images_per_mood=1)
    list(writer.chat_reply(messages=[], brief={}))

    rows = ProviderUsage.objects.all()
    assert len(rows) == 3
    assert {(row.capability, row.backend, row.outcome) for row in rows} == {
        ("text", "local", "success")
    }
