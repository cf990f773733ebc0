"""A deterministic writer: the brief chat, mood boards and storyboards without a language model.

It reads the conversation with simple patterns (product names, "for <audience>", tone
adjectives, "15 seconds", "9:16", "shop now"…), asks for whatever the brief still lacks,
and writes moods and scenes from the brief. The same input always gives the same output.
"""

import hashlib
import re
import time
from collections.abc import Iterator
from typing import Any

from media_pipeline import briefs
from media_pipeline.base import ChatMessage, MoodConcept, ScenePlan
from media_pipeline.metering import metered

BACKEND = "local"
MODEL = "local-writer"
DEFAULT_TOKEN_DELAY = 0.02
DEFAULT_TARGET_SECONDS = 15
MIN_SCENE_SECONDS, MAX_SCENE_SECONDS = 1, 10
MAX_ANSWER_WORDS = 14
MAX_PHRASE_WORDS = 20
MIN_CLAIM_WORDS = 3
MAX_TONE_WORDS = 3
MOTIONS = ("zoom_in", "pan_right", "zoom_out", "pan_left")
CLAUSE_END = r"[.;!?\n]"

TONE_WORDS = (
    "playful", "premium", "luxurious", "luxury", "bold", "calm", "energetic", "warm", "friendly",
    "minimal", "minimalist", "elegant", "fun", "witty", "humorous", "funny", "serious", "inspiring",
    "cinematic", "modern", "edgy", "heartfelt", "upbeat", "sophisticated", "professional", "quirky",
    "cozy", "cosy", "confident", "vibrant", "relaxed", "emotional", "dramatic", "youthful", "sleek",
    "nostalgic", "whimsical", "trustworthy", "sincere", "optimistic", "adventurous", "rugged",
    "empowering", "soothing", "urgent",
)  # fmt: skip
CTA_PHRASES = (
    "shop now", "buy now", "order now", "order today", "learn more", "sign up today", "sign up",
    "download the app", "download now", "get yours today", "get yours", "get it now", "try it free",
    "try it today", "start your free trial", "book a demo", "book now", "subscribe", "join today",
    "join now", "visit our website", "pre-order now", "pre-order", "get started", "claim your offer",
    "install now", "find a store near you", "find your shade", "discover more",
)  # fmt: skip
AUDIENCE_NOUNS = (
    "people", "parents", "moms", "mums", "dads", "students", "professionals", "women", "men", "teens",
    "teenagers", "kids", "families", "runners", "athletes", "gamers", "travellers", "travelers",
    "creators", "developers", "owners", "millennials", "gen z", "shoppers", "customers", "buyers",
    "fans", "lovers", "beginners", "seniors", "adults", "couples", "commuters", "workers", "founders",
    "designers", "homeowners", "cooks", "foodies", "drinkers", "enthusiasts", "cyclists", "hikers",
    "readers", "users", "teams", "businesses", "marketers", "nurses", "teachers", "mothers",
    "fathers", "graduates", "freelancers", "anyone", "everyone",
)  # fmt: skip
NUMBER_WORDS = {
    "six": 6, "eight": 8, "ten": 10, "twelve": 12, "fifteen": 15, "twenty": 20, "twenty-five": 25,
    "thirty": 30, "forty-five": 45, "sixty": 60, "half a minute": 30, "a minute": 60, "one minute": 60,
}  # fmt: skip
ASPECT_WORDS = {
    "vertical": "9:16", "portrait": "4:5", "stories": "9:16", "reels": "9:16",
    "reel": "9:16", "tiktok": "9:16", "shorts": "9:16", "square": "1:1",
}  # fmt: skip
PRODUCT_RES = (
    re.compile(
        r"\b(?:product is|product's|product:|it's called|it is called|called|named|brand is)\s+"
        r"(?P<value>[^.,;!?\n]+)",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:selling|launching|promoting|advertising|introducing|ad for|advert for|video for|"
        r"commercial for|campaign for|promo for|reel for)\s+(?P<value>[^.,;!?\n]+)",
        re.IGNORECASE,
    ),
)
PRODUCT_STOP = r" (?:for|to|that|which|who|with|aimed|targeting|in)\b"
AUDIENCE_RE = re.compile(
    r"\b(?:aimed at|targeting|targeted at|target audience is|target audience:|audience is|audience:|"
    r"audience would be|made for|designed for|perfect for)\s+(?P<value>[^.;!?\n]+)",
    re.IGNORECASE,
)
AUDIENCE_FOR_RE = re.compile(
    rf"\bfor (?P<value>[^.;!?\n]{{0,60}}?\b(?:{'|'.join(AUDIENCE_NOUNS)})\b[^.;!?,\n]*)",
    re.IGNORECASE,
)
TONE_RE = re.compile(
    r"\b(?:tone|vibe|feel)\s*(?:is|should be|:|=)\s*(?P<value>[^.;!?\n]+)", re.IGNORECASE
)
KEY_MESSAGES_RE = re.compile(
    r"\b(?:key messages?|main messages?|messages? (?:is|are)|highlight|emphasi[sz]e|mention|focus on|"
    r"talk about|selling points?)\b\s*(?:are|is|should be|would be|:)?\s*(?:that\s+)?(?P<value>[^.!?\n]+)",
    re.IGNORECASE,
)
CTA_RE = re.compile(
    r"\b(?:call to action|cta|end with|ending with|close with|finish with|ends with|end on)\b"
    r"(?:\s*(?:is|should be|would be|:))?\s*[\"\u201c']?(?P<value>[^.!?\n\"\u201d]+)",
    re.IGNORECASE,
)
LENGTH_RE = re.compile(r"\b(\d{1,3})\s*(?:-|\s)?(?:s|sec|secs|second|seconds)\b", re.IGNORECASE)
RATIO_RE = re.compile(r"\b(9|4|1)\s*[:x\u00d7/]\s*(16|5|1)\b")
ANSWER_LEAD_IN_RE = re.compile(
    r"^(?:it's|it is|the product is|we sell|mainly|probably|i think|let's go with|let's say|maybe|"
    r"how about|the audience is|aim at|target|for|our|we're|we are)\s+",
    re.IGNORECASE,
)
# Sentences about the ad itself, not claims about the product.
AD_TALK_RE = re.compile(
    r"\b(?:ad|advert|video|seconds?|audience|tone|aspect|format|vertical|cta|call to action|should|want)\b",
    re.IGNORECASE,
)
DEFERRALS = (
    "you decide", "not sure", "no idea", "dunno", "up to you", "whatever", "don't know",
    "dont know", "surprise me", "no preference", "your call", "you choose",
)  # fmt: skip
GREETING = "Hi! I'll help you shape a creative brief for your video ad."
SMALL_TALK = re.compile(r"(?:hi|hello|hey|thanks|thank you|ok|okay|yes|no|sure|cool|great|good)\W*")
FIELD_DEFAULTS: dict[str, Any] = {
    "audience": "people who care about quality",
    "tone": "warm and confident",
    "key_messages": ["Made to be loved every day"],
    "call_to_action": "Shop now",
    "target_length": DEFAULT_TARGET_SECONDS,
    "aspect_ratio": "9:16",
}
# Which brief field an assistant question asks about, by words in the question.
QUESTION_CUES = (
    ("call_to_action", ("call to action", "viewers to do", "cta", "end on")),
    ("key_messages", ("key message", "points", "highlight", "what should people remember")),
    ("target_length", ("how long", "seconds", "length")),
    ("aspect_ratio", ("aspect", "format", "9:16", "vertical")),
    ("audience", ("who is", "who's", "audience", "who are", "for whom")),
    ("tone", ("tone", "feel", "vibe", "voice")),
    ("product", ("product", "what are we", "what is it", "selling")),
)
QUESTIONS = {
    "product": (
        "What product are we making this ad for? A name and a line on what it does is plenty.",
        "Tell me about the product: what's it called and what does it do?",
    ),
    "audience": (
        "Who is the audience? Who should stop scrolling when they see this?",
        "Who are we talking to: which people do you most want to reach?",
    ),
    "tone": (
        "What tone should it have: playful, premium, calm, energetic… or something else?",
        "How should it feel? Give me two or three words for the tone.",
    ),
    "key_messages": (
        "What are the key messages: the two or three points people should remember?",
        "Which benefits should we highlight? A short list is perfect.",
    ),
    "call_to_action": (
        "What's the call to action: what should viewers do at the end, like \u201cShop now\u201d?",
        "How should it end: which call to action, like \u201cLearn more\u201d or \u201cOrder today\u201d?",
    ),
    "target_length": (
        "How long should the video be, in seconds (between 6 and 60)?",
        "What length are you after: 15 seconds, 30 seconds…?",
    ),
    "aspect_ratio": (
        "Which format: vertical 9:16, portrait 4:5 or square 1:1?",
        "Last thing: what aspect ratio, 9:16, 4:5 or 1:1?",
    ),
}
MOODS = (
    ("Golden Hour", "Warm low sun, honeyed highlights and long soft shadows.",
     ["#2b1d14", "#7a4b2a", "#c98a4b", "#f2c078", "#fbe8c8"], "golden hour sunlight, warm film look",
     ("warm", "cozy", "cosy", "heartfelt", "friendly", "nostalgic", "emotional")),
    ("Midnight Luxe", "Deep shadows, polished surfaces and a single precise spotlight.",
     ["#0b0b12", "#1f1b2e", "#4a3f6b", "#b89b5e", "#efe6d2"], "dark luxury studio, spotlight, gold accents",
     ("premium", "luxurious", "luxury", "elegant", "sophisticated", "dramatic")),
    ("Fresh Morning", "Airy daylight, crisp whites and a breath of green.",
     ["#1f3b2d", "#4f7c5a", "#9cc5a1", "#dcefdc", "#f9fbf7"], "bright airy daylight, botanical, clean white",
     ("calm", "soothing", "relaxed", "minimal", "minimalist", "trustworthy")),
    ("Neon Pulse", "Electric colour, fast light trails and night-city energy.",
     ["#0a0220", "#3a0ca3", "#7209b7", "#f72585", "#4cc9f0"], "neon lights, night city, motion blur",
     ("energetic", "bold", "edgy", "youthful", "upbeat", "urgent")),
    ("Sunlit Pop", "Bright primary colours, hard shadows and playful shapes.",
     ["#1d3557", "#e63946", "#f4a261", "#ffd166", "#fff8e7"], "bold colour blocking, hard sunlight, playful props",
     ("playful", "fun", "funny", "witty", "humorous", "quirky", "whimsical", "vibrant")),
    ("Nordic Calm", "Soft greys, pale wood and quiet negative space.",
     ["#2e3440", "#4c566a", "#8fa1b3", "#d8dee9", "#eceff4"], "scandinavian interior, soft overcast light",
     ("calm", "minimal", "minimalist", "modern", "sleek", "professional")),
    ("Desert Road", "Dusty terracotta, wide horizons and adventurous heat haze.",
     ["#3d1f12", "#8c3b1f", "#c8693a", "#e9b872", "#f6e3c6"], "desert landscape, terracotta, heat haze",
     ("adventurous", "rugged", "bold", "inspiring", "cinematic")),
    ("Ocean Breeze", "Cool blues, sea spray and wide open sky.",
     ["#03045e", "#0077b6", "#00b4d8", "#90e0ef", "#caf0f8"], "seaside, cool blue tones, fresh breeze",
     ("relaxed", "optimistic", "fresh", "calm", "inspiring")),
    ("Studio Mono", "Graphic black and white with one sharp accent colour.",
     ["#111111", "#3a3a3a", "#8a8a8a", "#e63946", "#f5f5f5"], "monochrome studio, graphic shadows, red accent",
     ("modern", "sleek", "confident", "professional", "serious", "edgy")),
    ("Blush Bloom", "Powder pinks, petals and soft-focus glow.",
     ["#3d2333", "#8e4a64", "#d48aa5", "#f3c4d3", "#fdf0f4"], "soft pink florals, dreamy soft focus",
     ("warm", "heartfelt", "elegant", "empowering", "sincere")),
    ("Forest Trail", "Mossy greens, dappled light and earthy texture.",
     ["#1b2a1b", "#34502b", "#6b8f47", "#b5c99a", "#eef2e2"], "forest, dappled sunlight, earthy textures",
     ("adventurous", "rugged", "relaxed", "sincere", "trustworthy")),
    ("Retro Arcade", "Saturated eighties colour, grain and chrome type.",
     ["#1a0933", "#5b1a7a", "#ff6f59", "#ffd23f", "#3bceac"], "80s retro, film grain, chrome, saturated",
     ("nostalgic", "playful", "fun", "quirky", "youthful")),
)  # fmt: skip
MOOD_SHOTS = (
    "{product} hero shot on a pedestal, {keywords}",
    "{product} in use by {audience}, lifestyle, {keywords}",
    "close-up detail of {product}, texture and materials, {keywords}",
    "{product} flat lay with props, {keywords}",
    "{product} in a wide environmental scene, {keywords}",
)
QUOTED_RE = re.compile(r"[\"\u201c](?P<value>[^\"\u201d]+)[\"\u201d]")
SHORTER_RE = re.compile(r"\b(?:shorter|shorten|punchier|concise|tighter|trim)\b", re.IGNORECASE)
LONGER_RE = re.compile(r"\b(?:longer|more detail|expand|elaborate)\b", re.IGNORECASE)
MENTION_RE = re.compile(
    r"\b(?:mention|add|include|talk about|highlight|about|end with)\s+(?P<value>[^.;!?\n]+)",
    re.IGNORECASE,
)
REPLACE_RE = re.compile(
    r"\b(?:replace|change|swap)\s+(?P<old>.+?)\s+(?:with|to|for)\s+(?P<new>[^.;!?\n]+)",
    re.IGNORECASE,
)
REMOVE_RE = re.compile(
    r"\b(?:remove|drop|delete|cut|without)\s+(?:the\s+(?:word|phrase)\s+)?(?P<old>[^.;!?\n]+)",
    re.IGNORECASE,
)
EDIT_PATTERNS = (SHORTER_RE, LONGER_RE, MENTION_RE, REPLACE_RE, REMOVE_RE)
TONE_FLOURISHES = {
    "urgent": ("", "Don't wait."),
    "playful": ("Plot twist:", ""),
    "fun": ("Plot twist:", ""),
    "funny": ("Plot twist:", ""),
    "premium": ("", "Crafted for those who notice."),
    "luxurious": ("", "Crafted for those who notice."),
    "elegant": ("", "Quietly beautiful."),
    "calm": ("Take a breath.", ""),
    "energetic": ("", "Let's go!"),
    "exciting": ("", "Let's go!"),
    "emotional": ("", "Because you matter."),
    "heartfelt": ("", "Because you matter."),
    "confident": ("", "No compromises."),
}


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
        self, *, brief: dict[str, Any], count: int, images_per_mood: int
    ) -> list[MoodConcept]:
        with metered("text", BACKEND, MODEL):
            return plan_moods(brief, count=count, images_per_mood=images_per_mood)

    def plan_scenes(
        self, *, brief: dict[str, Any], mood: dict[str, Any], count: int
    ) -> list[ScenePlan]:
        with metered("text", BACKEND, MODEL):
            return plan_scenes(brief, mood, count=count)

    def rewrite_scene(
        self, *, brief: dict[str, Any], mood: dict[str, Any], text: str, instruction: str
    ) -> ScenePlan:
        with metered("text", BACKEND, MODEL):
            return rewrite_scene(brief, mood, text=text, instruction=instruction)


# --- Reading the brief from the conversation ----------------------------------------------


def read_brief(messages: list[ChatMessage], brief: dict[str, Any]) -> dict[str, Any]:
    """The known brief plus what the user said; the latest message may overwrite, older ones only fill gaps."""
    working = briefs.empty_brief() | {
        key: value for key, value in brief.items() if key in briefs.BRIEF_FIELDS
    }
    working["key_messages"] = list(working.get("key_messages") or [])
    user_turns = [index for index, message in enumerate(messages) if message.role == "user"]
    for index in user_turns:
        found = read_message(messages[index].content, asked=_asked_before(messages, index))
        _merge(working, found, overwrite=index == user_turns[-1])
    return working


def _asked_before(messages: list[ChatMessage], index: int) -> str | None:
    """The field the assistant asked about just before message `index`."""
    previous = messages[index - 1] if index > 0 else None
    return asked_field(previous.content) if previous and previous.role == "assistant" else None


def read_message(text: str, *, asked: str | None = None) -> dict[str, Any]:
    """The brief fields one user message states, plus its answer to the question just asked."""
    found = {
        "product": _product(text),
        "audience": _audience(text),
        "tone": _tone(text),
        "key_messages": _key_messages(text)
        or ([] if asked == "key_messages" else _product_claims(text)),
        "call_to_action": _call_to_action(text),
        "target_length": _target_length(text),
        "aspect_ratio": _aspect_ratio(text),
    }
    found = {field: value for field, value in found.items() if value}
    if asked and asked not in found:
        answer = _answer(asked, text)
        if answer:
            found[asked] = answer
    return found


def asked_field(assistant_text: str) -> str | None:
    """Which field the assistant's latest question that names one was about."""
    for question in reversed(re.findall(r"[^.!?\n]*\?", assistant_text.lower())):
        field = next(
            (field for field, cues in QUESTION_CUES if any(cue in question for cue in cues)), None
        )
        if field:
            return field
    return None


def _merge(working: dict[str, Any], found: dict[str, Any], *, overwrite: bool) -> None:
    for field, value in found.items():
        if field == "key_messages":
            working[field] = _unique([*working[field], *value])[: briefs.MAX_KEY_MESSAGES]
        elif overwrite or working.get(field) in (None, ""):
            working[field] = value


def _product(text: str) -> str | None:
    for pattern in PRODUCT_RES:
        match = pattern.search(text)
        value = match and _trim_phrase(match["value"], stop=PRODUCT_STOP)
        if value and not _target_length(value):
            return _strip_articles(value)
    return None


def _audience(text: str) -> str | None:
    explicit = AUDIENCE_RE.search(text)
    if explicit:
        return _trim_phrase(explicit["value"], stop=r",? (?:and the|with a|in a)\b")
    implicit = AUDIENCE_FOR_RE.search(text)
    return _trim_phrase(implicit["value"], stop=r" (?:to|with a|in a)\b") if implicit else None


def _tone(text: str) -> str | None:
    explicit = TONE_RE.search(text)
    if explicit:
        return _trim_phrase(explicit["value"], stop=r" (?:for|with|but)\b")
    matches = [match for match in (_word_search(word, text) for word in TONE_WORDS) if match]
    words = [match[0].lower() for match in sorted(matches, key=lambda match: match.start())]
    return _join_words(words[:MAX_TONE_WORDS]) if words else None


def _key_messages(text: str) -> list[str]:
    explicit = KEY_MESSAGES_RE.search(text)
    return [_claim(item) for item in _split_list(explicit["value"])] if explicit else []


def _product_claims(text: str) -> list[str]:
    return [_claim(sentence) for sentence in _sentences(text) if _is_product_claim(sentence)]


def _call_to_action(text: str) -> str | None:
    explicit = CTA_RE.search(text)
    if explicit and explicit["value"].strip():
        return _sentence_case(
            _trim_phrase(explicit["value"], stop=r"['\u2019]? (?:and|with|but)\b")
        )
    phrase = next((phrase for phrase in CTA_PHRASES if _word_search(phrase, text)), None)
    return _sentence_case(phrase) if phrase else None


def _target_length(text: str) -> int | None:
    match = LENGTH_RE.search(text)
    if match:
        return _clamp_length(int(match[1]))
    if not re.search(r"second|minute", text, re.IGNORECASE):
        return None
    # Longest first, so "twenty-five" is not read as "twenty".
    words = next(
        (
            words
            for words in sorted(NUMBER_WORDS, key=len, reverse=True)
            if _word_search(words, text)
        ),
        None,
    )
    return _clamp_length(NUMBER_WORDS[words]) if words else None


def _aspect_ratio(text: str) -> str | None:
    match = RATIO_RE.search(text)
    if match and f"{match[1]}:{match[2]}" in briefs.ASPECT_RATIOS:
        return f"{match[1]}:{match[2]}"
    return next((ratio for word, ratio in ASPECT_WORDS.items() if _word_search(word, text)), None)


def _word_search(phrase: str, text: str) -> re.Match | None:
    return re.search(rf"\b{re.escape(phrase)}\b", text, re.IGNORECASE)


def _answer(field: str, text: str) -> Any:
    """The whole message taken as the answer to the question just asked, when it is short."""
    lowered = text.lower().strip()
    if any(deferral in lowered for deferral in DEFERRALS):
        return FIELD_DEFAULTS.get(field)
    if lowered.endswith("?") or SMALL_TALK.fullmatch(lowered):
        return None
    if field == "key_messages":
        return [_claim(item) for item in _split_list(text)]
    if field == "target_length":
        number = re.search(r"\b\d{1,3}\b", lowered)
        return _clamp_length(int(number[0])) if number else None
    if field == "aspect_ratio":
        return None
    answer = _trim_phrase(ANSWER_LEAD_IN_RE.sub("", text.strip()), stop=CLAUSE_END)
    if not answer or len(answer.split()) > MAX_ANSWER_WORDS:
        return None
    return _sentence_case(answer) if field == "call_to_action" else answer


def _is_product_claim(sentence: str) -> bool:
    """A sentence that states something about the product rather than about the ad."""
    if not re.match(r"(?:it|it's|its|they|they're)\b", sentence, re.IGNORECASE):
        return False
    return not AD_TALK_RE.search(sentence) and len(sentence.split()) >= MIN_CLAIM_WORDS


def _claim(sentence: str) -> str:
    """A claim in ad style: 'It keeps coffee hot' becomes 'Keeps coffee hot'."""
    claim = re.sub(
        r"^(?:it's|it is|they're|they are|it|they)\s+", "", sentence.strip(), flags=re.IGNORECASE
    )
    return _sentence_case(claim.rstrip(".!"))


def _split_list(text: str) -> list[str]:
    items = re.split(r"\s*(?:[,;\n]|\band\b|\u2022|^-\s)\s*", text.strip())
    items = [
        _sentence_case(" ".join(item.split()[:MAX_PHRASE_WORDS]).strip(" -.\u2022"))
        for item in items
    ]
    return _unique([item for item in items if len(item) > 2])[: briefs.MAX_KEY_MESSAGES]


def _trim_phrase(value: str, *, stop: str) -> str:
    """The phrase up to the first `stop`, unquoted, and never longer than a brief field allows."""
    value = re.split(stop, value, maxsplit=1, flags=re.IGNORECASE)[0]
    return " ".join(value.split()[:MAX_PHRASE_WORDS]).strip(" \t,:;-\"'\u201c\u201d")


def _strip_articles(value: str) -> str:
    return re.sub(r"^(?:a|an|the|our|my|their)\s+", "", value, flags=re.IGNORECASE).strip()


def _sentences(text: str) -> list[str]:
    return [
        sentence.strip() for sentence in re.split(r"(?<=[.!?])\s+|\n+", text) if sentence.strip()
    ]


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _join_words(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _unique(items: list[str]) -> list[str]:
    """Drop repeats, ignoring case, keeping the first of each."""
    kept: dict[str, str] = {}
    for item in items:
        kept.setdefault(item.lower(), item)
    return list(kept.values())


def _clamp_length(seconds: int) -> int:
    return min(max(seconds, briefs.MIN_TARGET_SECONDS), briefs.MAX_TARGET_SECONDS)


# --- The assistant's reply ------------------------------------------------------------------


def compose_reply(messages: list[ChatMessage], brief: dict[str, Any]) -> str:
    """React to the user's last message, then ask for the next missing field or sum up."""
    user_turns = [index for index, message in enumerate(messages) if message.role == "user"]
    if not user_turns:
        return f"{GREETING} {_question('product', 0)}"
    last = messages[user_turns[-1]].content
    heard = read_message(last, asked=_asked_before(messages, user_turns[-1]))
    updated = read_brief(messages, brief)
    missing = briefs.missing_fields(updated)
    opening = _acknowledge(heard, last, still_missing=missing[:1])
    if missing:
        return f"{opening} {_question(missing[0], len(messages))}"
    return f"{opening}\n\n{_summary(updated)}"


def _acknowledge(heard: dict[str, Any], said: str, *, still_missing: list[str]) -> str:
    if heard:
        return (
            "Got it: " + _join_words([_note(field, value) for field, value in heard.items()]) + "."
        )
    if SMALL_TALK.fullmatch(said.lower().strip()):
        return GREETING
    if still_missing == ["product"]:
        return "I can pick most things for you, but not the product."
    return "Thanks, that helps."


def _note(field: str, value: Any) -> str:
    match field:
        case "product":
            return f"we're featuring {value}"
        case "audience":
            return f"we're speaking to {value}"
        case "tone":
            return f"the tone is {value}"
        case "key_messages":
            return f"{len(value)} key message{'s' if len(value) != 1 else ''} noted"
        case "call_to_action":
            return f"it ends on \u201c{value}\u201d"
        case "target_length":
            return f"it runs {value} seconds"
        case _:
            return f"the format is {value}"


def _question(field: str, turn: int) -> str:
    variants = QUESTIONS[field]
    return variants[turn % len(variants)]


def _summary(brief: dict[str, Any]) -> str:
    lines = ["Here's the brief:"]
    for field, label in briefs.FIELD_LABELS.items():
        value = brief[field]
        if field == "key_messages":
            value = "; ".join(value)
        elif field == "target_length":
            value = f"{value} seconds"
        lines.append(f"\u2022 {label}: {value}")
    lines.append("If that looks right, continue to Mood, or tell me what to change.")
    return "\n".join(lines)


# --- Moods and scenes -------------------------------------------------------------------------


def plan_moods(brief: dict[str, Any], *, count: int, images_per_mood: int) -> list[MoodConcept]:
    """`count` distinct moods, those matching the brief's tone first, in an order fixed by the brief."""
    if not 1 <= count <= len(MOODS):
        raise ValueError(f"The local writer has {len(MOODS)} moods; ask for 1 to {len(MOODS)}.")
    tone = (brief.get("tone") or "").lower()
    product = brief.get("product") or ""

    def rank(mood: tuple) -> tuple[int, str]:
        matches = sum(1 for tag in mood[4] if re.search(rf"\b{tag}\b", tone))
        return -matches, _digest(product, mood[0])

    chosen = sorted(MOODS, key=rank)[:count]
    return [_mood_concept(mood, brief, images_per_mood) for mood in chosen]


def _mood_concept(mood: tuple, brief: dict[str, Any], images_per_mood: int) -> MoodConcept:
    name, feel, palette, keywords, _tags = mood
    values = {
        "product": brief.get("product") or "the product",
        "audience": brief.get("audience") or "people",
        "keywords": keywords,
    }
    prompts = [
        MOOD_SHOTS[index % len(MOOD_SHOTS)].format(**values) for index in range(images_per_mood)
    ]
    prompts = [
        prompt if index < len(MOOD_SHOTS) else f"{prompt}, variation {index // len(MOOD_SHOTS) + 1}"
        for index, prompt in enumerate(prompts)
    ]
    return MoodConcept(name=name, feel=feel, palette=list(palette), image_prompts=prompts)


def plan_scenes(brief: dict[str, Any], mood: dict[str, Any], *, count: int) -> list[ScenePlan]:
    """Hook first, call to action last, product and benefits between; durations fill the target."""
    if count < 1:
        raise ValueError("A storyboard needs at least one scene.")
    beats = _beats(brief, count)
    durations = split_duration(brief.get("target_length") or DEFAULT_TARGET_SECONDS, count)
    look = _mood_look(mood)
    return [
        ScenePlan(
            text=text,
            image_prompt=f"{subject}, {look}",
            duration=duration,
            motion=MOTIONS[index % len(MOTIONS)],
        )
        for index, ((text, subject), duration) in enumerate(zip(beats, durations, strict=True))
    ]


def _beats(brief: dict[str, Any], count: int) -> list[tuple[str, str]]:
    """(scene text, image subject) for each scene."""
    product = brief.get("product") or "our product"
    audience = brief.get("audience") or "people like you"
    messages = brief.get("key_messages") or [f"{product} makes every day better"]
    cta = brief.get("call_to_action") or "Learn more"
    hook = (
        f"{_sentence_case(audience)}, this one's for you.",
        f"{audience} stopping to look, curious",
    )
    closing = (
        f"{product}. {cta}.",
        f"{product} hero shot with space for the words \u201c{cta}\u201d",
    )
    if count == 1:
        return [(f"Meet {product}. {messages[0]}. {cta}.", f"{product} hero shot")]
    middle = [(f"Meet {product}.", f"{product} revealed in soft light, centre frame")]
    middle += [
        (f"{_sentence_case(message)}.", f"close-up of {product}: {message.lower()}")
        for message in messages
    ]
    middle.append((f"Made for {audience}.", f"{audience} enjoying {product}, lifestyle"))
    slots = count - 2
    fill = [middle[index % len(middle)] for index in range(slots)]
    return [hook, *fill, closing]


def split_duration(total_seconds: int, count: int) -> list[float]:
    """Split `total_seconds` into `count` durations in half seconds, each within 1–10 s.

    Halves add up exactly in floating point. When the bounds make the total impossible
    (say 60 s in three scenes) every scene takes the nearest bound instead.
    """
    halves, scenes = total_seconds * 2, count
    low, high = MIN_SCENE_SECONDS * 2, MAX_SCENE_SECONDS * 2
    base, extra = divmod(halves, scenes)
    units = [base + (1 if index < extra else 0) for index in range(scenes)]
    # The hook is the shortest beat: move half a second from it to the last scene when there is room.
    if scenes > 2 and units[0] > low and units[-1] < high:
        units[0], units[-1] = units[0] - 1, units[-1] + 1
    return [min(max(unit, low), high) / 2 for unit in units]


def _mood_look(mood: dict[str, Any]) -> str:
    parts = [mood.get("name") or "", mood.get("feel") or ""]
    return ", ".join(part.rstrip(".").lower() for part in parts if part) or "clean studio light"


# --- Rewriting one scene -------------------------------------------------------------------


def rewrite_scene(
    brief: dict[str, Any], mood: dict[str, Any], *, text: str, instruction: str
) -> ScenePlan:
    """Apply the instruction's edits (quote, replace, remove, shorter, longer, mention, tone)."""
    new_text = _apply_instruction(brief, text.strip(), instruction)
    product = brief.get("product") or "the product"
    return ScenePlan(
        text=new_text,
        image_prompt=f"{product}, {new_text.rstrip('.!?').lower()}, {_mood_look(mood)}",
        duration=_reading_time(new_text),
        motion=MOTIONS[int(_digest(new_text), 16) % len(MOTIONS)],
    )


def _apply_instruction(brief: dict[str, Any], text: str, instruction: str) -> str:
    quoted = QUOTED_RE.search(instruction)
    if quoted:
        return _sentence_end(quoted["value"].strip())
    edited = _replace_or_remove(text, instruction)
    if SHORTER_RE.search(instruction):
        edited = _shorten(edited)
    if LONGER_RE.search(instruction):
        edited = _lengthen(edited, brief)
    mention = MENTION_RE.search(instruction)
    if mention and not (REPLACE_RE.search(instruction) or REMOVE_RE.search(instruction)):
        edited = (
            f"{_sentence_end(edited)} {_sentence_end(_sentence_case(mention['value'].strip()))}"
        )
    recognised = any(pattern.search(instruction) for pattern in EDIT_PATTERNS)
    edited = _apply_tone(edited, instruction.lower(), brief, fall_back=not recognised)
    return _sentence_end(_sentence_case(edited))


def _replace_or_remove(text: str, instruction: str) -> str:
    replace = REPLACE_RE.search(instruction)
    if replace:
        old = _strip_quotes(replace["old"])
        return re.sub(re.escape(old), _strip_quotes(replace["new"]), text, flags=re.IGNORECASE)
    remove = REMOVE_RE.search(instruction)
    if remove:
        old = re.escape(_strip_quotes(remove["old"]))
        cleaned = re.sub(rf"\s*{old}", "", text, flags=re.IGNORECASE)
        return re.sub(r"\s+([,.!?])", r"\1", cleaned).strip()
    return text


def _shorten(text: str) -> str:
    first = re.split(r"(?<=[.!?])\s+|\s+[\u2014-]\s+|,\s+", text, maxsplit=1)[0]
    words = first.split()
    return " ".join(words[:8]).rstrip(",;:")


def _lengthen(text: str, brief: dict[str, Any]) -> str:
    extra = next(
        (
            message
            for message in brief.get("key_messages") or []
            if message.lower() not in text.lower()
        ),
        f"Made for {brief.get('audience') or 'you'}",
    )
    return f"{_sentence_end(text)} {_sentence_end(_sentence_case(extra))}"


def _apply_tone(text: str, instruction: str, brief: dict[str, Any], *, fall_back: bool) -> str:
    """Add the flourish of a tone the instruction names, or of the brief's tone when the
    instruction asked for nothing this writer understands (so the scene still changes)."""
    named = next((word for word in TONE_FLOURISHES if re.search(rf"\b{word}", instruction)), None)
    if named is None and fall_back:
        tone = (brief.get("tone") or "").lower()
        named = next((word for word in TONE_FLOURISHES if word in tone), "confident")
    if named is None:
        return text
    prefix, suffix = TONE_FLOURISHES[named]
    if prefix and not text.startswith(prefix):
        text = f"{prefix} {text}"
    if suffix and suffix not in text:
        text = f"{_sentence_end(text)} {suffix}"
    return text


def _reading_time(text: str) -> float:
    """About 2.5 words a second plus a beat, in half seconds, kept within 2–8 s."""
    seconds = len(text.split()) / 2.5 + 1
    return min(max(round(seconds * 2) / 2, 2.0), 8.0)


def _strip_quotes(value: str) -> str:
    return value.strip().strip("\"'\u201c\u201d\u2018\u2019")


def _sentence_end(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?" else f"{text}."


def _digest(*parts: str) -> str:
    """A stable hash: Python's hash() changes between processes."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
