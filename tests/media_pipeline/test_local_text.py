import re

import pytest

from media_pipeline import briefs
from media_pipeline.backends.local_text import (
    DIRECTIONS,
    QUESTIONS,
    LocalTextBackend,
    asked_field,
    split_duration,
)
from media_pipeline.backends.local_text.directions import LAYOUT_SHOTS
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
    assert brief["product"] is None  # two hundred words are not a product name


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


def test_moods_are_distinct_with_five_colour_palettes_prompts_and_a_layout(writer):
    moods = writer.plan_moods(brief=COMPLETE_BRIEF, count=4, images_per_mood=3)

    assert len({mood.name for mood in moods}) == 4
    for mood in moods:
        assert len(mood.palette) == 5
        assert all(re.fullmatch(r"#[0-9a-f]{6}", colour) for colour in mood.palette)
        assert len(set(mood.image_prompts)) == 3
        assert all("GlowSerum" in prompt for prompt in mood.image_prompts)
        assert mood.layout in LAYOUT_SHOTS


def test_the_catalogue_has_thirty_directions_with_palettes_darkest_first():
    assert len({direction.name for direction in DIRECTIONS}) >= 30
    for direction in DIRECTIONS:
        lightness = [luminance(colour) for colour in direction.palette]
        assert lightness == sorted(lightness), direction.name


def test_moods_matching_the_tone_come_first(writer):
    moods = writer.plan_moods(
        brief=COMPLETE_BRIEF | {"tone": "playful and fun"}, count=3, images_per_mood=1
    )

    by_name = {direction.name: direction for direction in DIRECTIONS}
    assert all({"playful", "fun"} <= set(by_name[mood.name].tones) for mood in moods)


def test_moods_fit_the_product_category(writer):
    brief = COMPLETE_BRIEF | {"product": "Pawprint dog collar", "tone": None, "key_messages": []}

    moods = writer.plan_moods(brief=brief, count=2, images_per_mood=1)

    assert {mood.name for mood in moods} == {"Forest Trail", "Playground"}


def test_moods_are_deterministic(writer):
    first = writer.plan_moods(brief=COMPLETE_BRIEF, count=3, images_per_mood=2, variation=2)

    assert writer.plan_moods(brief=COMPLETE_BRIEF, count=3, images_per_mood=2, variation=2) == first


def test_five_variations_show_at_least_ten_directions(writer):
    takes = [
        writer.plan_moods(brief=COMPLETE_BRIEF, count=3, images_per_mood=1, variation=variation)
        for variation in range(5)
    ]

    assert len({mood.name for take in takes for mood in take}) >= 10
    assert all(len({mood.name for mood in take}) == 3 for take in takes)


def test_moods_already_shown_are_avoided(writer):
    shown = writer.plan_moods(brief=COMPLETE_BRIEF, count=3, images_per_mood=1)

    again = writer.plan_moods(
        brief=COMPLETE_BRIEF, count=3, images_per_mood=1, avoid=[shown[0].name.upper()]
    )

    assert shown[0].name not in {mood.name for mood in again}


def test_avoiding_all_but_two_leaves_exactly_those_two(writer):
    keep = {"Golden Hour", "Blueprint"}
    avoid = [direction.name for direction in DIRECTIONS if direction.name not in keep]

    moods = writer.plan_moods(brief=COMPLETE_BRIEF, count=2, images_per_mood=1, avoid=avoid)

    assert {mood.name for mood in moods} == keep


def test_more_moods_than_the_writer_has_left_is_refused(writer):
    with pytest.raises(ValueError, match="moods"):
        writer.plan_moods(brief=COMPLETE_BRIEF, count=len(DIRECTIONS) + 1, images_per_mood=1)
    with pytest.raises(ValueError, match="moods"):
        writer.plan_moods(
            brief=COMPLETE_BRIEF, count=len(DIRECTIONS), images_per_mood=1, avoid=["Golden Hour"]
        )


def test_another_storyboard_take_opens_differently_with_the_same_length(writer):
    first = writer.plan_scenes(brief=COMPLETE_BRIEF, mood=MOOD, count=4)
    second = writer.plan_scenes(brief=COMPLETE_BRIEF, mood=MOOD, count=4, variation=1)

    assert first[0].text != second[0].text
    assert [scene.motion for scene in first] != [scene.motion for scene in second]
    assert sum(scene.duration for scene in second) == COMPLETE_BRIEF["target_length"]
    assert "Shop now" in second[-1].text


def luminance(colour: str) -> float:
    red, green, blue = (int(colour[index : index + 2], 16) for index in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


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


def assistant(text: str) -> ChatMessage:
    return ChatMessage("assistant", text)


@pytest.mark.parametrize(
    ("said", "field", "value"),
    [
        ("CTA: Shop now at lumenglow.com.", "call_to_action", "Shop now at lumenglow.com"),
        (
            "cta - Download at https://tidy.app/get",
            "call_to_action",
            "Download at https://tidy.app/get",
        ),
        (
            "Email hello@lightbox.studio to book",
            "call_to_action",
            "Email hello@lightbox.studio to book",
        ),
        ("I want a video for Instagram Reels", "product", None),
        ("we need an ad for LinkedIn", "product", None),
        ("it's an energy drink called VOLT", "product", "VOLT"),
        ('We\'re promoting "Sunny Side Up Café" - a brunch place', "product", "Sunny Side Up Café"),
        ("mostly people in their 20s and 30s", "target_length", None),
        ("only 25 dollars a month", "target_length", None),
        ("tone: loud, fast, hype", "tone", "loud, fast, hype"),
        ("tone: loud, fast, hype", "product", None),
    ],
)
def test_one_turn_is_read_for_every_field(writer, said, field, value):
    messages = [assistant(QUESTIONS["product"][0]), user(said)]

    assert writer.extract_brief(messages=messages, brief={})[field] == value


def test_an_answer_keeps_every_word_of_a_multi_word_tone(writer):
    messages = [assistant(QUESTIONS["tone"][0]), user("rugged but friendly")]

    assert writer.extract_brief(messages=messages, brief={})["tone"] == "rugged but friendly"


def test_a_labelled_turn_does_not_answer_the_question_just_asked(writer):
    messages = [assistant(QUESTIONS["key_messages"][0]), user("actually, make it 30 seconds")]

    brief = writer.extract_brief(messages=messages, brief={"target_length": 15})

    assert (brief["target_length"], brief["key_messages"]) == (30, [])


@pytest.mark.parametrize(
    ("said", "field", "value"),
    [
        ("sorry, the product is called CloudNest, not Nimbus Pillow", "product", "CloudNest"),
        ("change the CTA to Order at fitfuel.shop", "call_to_action", "Order at fitfuel.shop"),
        ("no wait, the audience is teachers, not parents", "audience", "teachers"),
        ("not Shop now, use Book your first lesson", "call_to_action", "Book your first lesson"),
    ],
)
def test_corrections_replace_what_was_set(writer, said, field, value):
    assert writer.extract_brief(messages=[user(said)], brief=COMPLETE_BRIEF)[field] == value


def test_not_knowing_leaves_the_field_and_the_assistant_suggests_a_default(writer):
    messages = [assistant(QUESTIONS["tone"][0]), user("I don't know")]

    reply = "".join(writer.chat_reply(messages=messages, brief={"product": "Glow"}))
    brief = writer.extract_brief(messages=[*messages, assistant(reply)], brief={"product": "Glow"})

    assert brief["tone"] is None
    assert "I'd suggest \u201cwarm and confident\u201d for the tone" in reply
    assert asked_field(reply) == "tone"


def test_still_not_knowing_after_a_suggestion_takes_it(writer):
    suggestion = "No problem. I'd suggest \u201cwarm and confident\u201d for the tone. Shall I?"
    messages = [assistant(suggestion), user("not sure really")]

    assert writer.extract_brief(messages=messages, brief={})["tone"] == "warm and confident"


def test_agreeing_to_a_suggestion_fills_it(writer):
    suggestion = "No problem. I'd suggest \u201c15 seconds\u201d for the length. Shall I use that?"
    messages = [assistant(suggestion), user("ok sounds good")]

    assert writer.extract_brief(messages=messages, brief={})["target_length"] == 15


def test_the_reply_says_back_what_it_understood_and_how_to_fix_it(writer):
    messages = [assistant(QUESTIONS["product"][0]), user("Tone: calm, minimal. CTA: Learn more")]

    reply = "".join(writer.chat_reply(messages=messages, brief={}))

    assert "tone \u201ccalm, minimal\u201d" in reply
    assert "call to action \u201cLearn more\u201d" in reply
    assert "Say \u201cchange the tone to \u2026\u201d to fix anything." in reply
    assert asked_field(reply) == "product"


def test_length_and_format_are_asked_together_once_the_rest_is_known(writer):
    brief = COMPLETE_BRIEF | {"target_length": None, "aspect_ratio": None}

    reply = "".join(writer.chat_reply(messages=[user("Shop now")], brief=brief))
    answered = [assistant(reply), user("20, square")]

    assert writer.extract_brief(messages=answered, brief=brief) == COMPLETE_BRIEF | {
        "target_length": 20,
        "aspect_ratio": "1:1",
    }
