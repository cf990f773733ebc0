"""Reading the brief out of the conversation, the way a careful assistant would.

Every user turn is read for every field: labels first ("tone: …", "CTA - …", "the product is
…"), then patterns ("called X", "aimed at Y", "30 seconds", "9:16"), then — only when the turn
states nothing else — as the answer to what the assistant just asked. What a turn *states*
(a label, a correction, a length with its unit) replaces the field; what it only *hints*
(a product after "we sell", tone words in passing) fills a gap. Older turns only fill gaps:
the brief passed in already carries what they said, and the user may have edited it since.
"""

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from media_pipeline import briefs
from media_pipeline.backends.local_text import questions
from media_pipeline.backends.local_text.wording import sentence_case, unique
from media_pipeline.base import ChatMessage

MAX_PHRASE_WORDS = 20
MAX_PRODUCT_WORDS = 8
MAX_TONE_WORDS = 8
MAX_DEFERRAL_WORDS = 8
MIN_CLAIM_WORDS = 3

PLATFORMS = (
    "instagram", "insta", "reels", "reel", "tiktok", "tik tok", "youtube", "shorts", "linkedin",
    "facebook", "stories", "story", "snapchat", "pinterest", "twitter", "x", "social media",
    "social", "the feed", "feed", "meta",
)  # fmt: skip
TONE_WORDS = (
    "playful", "premium", "luxurious", "luxury", "bold", "calm", "energetic", "warm", "friendly",
    "minimal", "minimalist", "elegant", "fun", "witty", "humorous", "funny", "serious", "inspiring",
    "cinematic", "modern", "edgy", "heartfelt", "upbeat", "sophisticated", "professional", "quirky",
    "cozy", "cosy", "confident", "vibrant", "relaxed", "emotional", "dramatic", "youthful", "sleek",
    "nostalgic", "whimsical", "trustworthy", "sincere", "optimistic", "adventurous", "rugged",
    "empowering", "soothing", "urgent", "cheeky", "cheerful", "gritty", "moody", "romantic",
    "gentle", "reassuring", "sporty", "hype", "chill", "laid-back", "sunny", "wholesome", "cool",
    "lively", "magical", "honest", "natural", "earnest", "irreverent", "punchy", "dreamy", "raw",
    "authentic", "classy", "cute", "sweet", "caring", "motivating", "encouraging", "homey",
)  # fmt: skip
AUDIENCE_NOUNS = (
    "people", "parents", "moms", "mums", "dads", "students", "professionals", "women", "men", "teens",
    "teenagers", "kids", "families", "runners", "athletes", "gamers", "travellers", "travelers",
    "creators", "developers", "owners", "millennials", "gen z", "shoppers", "customers", "buyers",
    "fans", "lovers", "beginners", "seniors", "adults", "couples", "commuters", "workers", "founders",
    "designers", "homeowners", "cooks", "foodies", "drinkers", "enthusiasts", "cyclists", "hikers",
    "readers", "users", "teams", "businesses", "marketers", "nurses", "teachers", "mothers",
    "fathers", "graduates", "freelancers", "locals", "tourists", "campers", "anyone", "everyone",
    "woman", "girls", "guys", "boomers",
)  # fmt: skip
CTA_VERBS = (
    "shop", "buy", "order", "get", "grab", "book", "download", "visit", "try", "sign up", "join",
    "subscribe", "learn", "discover", "reserve", "call", "email", "e-mail", "install", "claim",
    "start", "find", "pre-order", "preorder", "register", "apply", "follow", "watch", "explore",
    "see", "check out", "save", "text", "message", "dm",
)  # fmt: skip
CTA_PHRASES = (
    "shop now", "buy now", "order now", "order today", "learn more", "sign up today", "sign up",
    "download the app", "download now", "get yours today", "get yours", "get it now", "try it free",
    "try it today", "start your free trial", "book a demo", "book now", "subscribe", "join today",
    "join now", "visit our website", "pre-order now", "get started", "claim your offer",
    "install now", "find a store near you", "find your shade", "discover more",
)  # fmt: skip
NUMBER_WORDS = {
    "six": 6, "eight": 8, "ten": 10, "twelve": 12, "fifteen": 15, "twenty": 20, "twenty-five": 25,
    "twenty five": 25, "thirty": 30, "forty-five": 45, "forty five": 45, "sixty": 60,
    "half a minute": 30, "half minute": 30, "a minute": 60, "one minute": 60, "1 minute": 60,
}  # fmt: skip
ASPECT_WORDS = {
    "vertical": "9:16", "portrait": "4:5", "stories": "9:16", "story": "9:16", "reels": "9:16",
    "reel": "9:16", "tiktok": "9:16", "tik tok": "9:16", "shorts": "9:16", "square": "1:1",
}  # fmt: skip
LABELS = {
    "product": r"product(?: name)?|brand(?: name)?|name|product's",
    "audience": r"(?:target )?audience|target group|target market|demographic",
    "tone": r"tone(?: of voice)?|vibe|feel|mood|style|voice",
    "key_messages": (
        r"key messages?|main messages?|messages?|selling points?|usps?|key points|highlights|benefits"
    ),
    "call_to_action": r"cta|call[ -]to[ -]action|end(?:ing)? (?:with|on)|close with|finish with",
    "target_length": r"length|duration|runtime|video length",
    "aspect_ratio": r"format|aspect ratio|aspect|ratio|size",
}
# Labels that may be followed by their value with nothing between ("tone gritty", "format 9:16").
BARE_LABELS = ("tone", "vibe", "format", "name", "length")
LABEL_RE = re.compile(
    r"(?:(?:^|(?<=[,;(]))\s*(?:(?:and|also|so|but|ok|okay|sorry|actually|no|wait|oh|hmm)\b[, ]*)*"
    r"(?:(?P<change>change|set|switch|update|make)\s+)?(?:the |our |my |your )?"
    r"|(?<=\bthe )|(?<=\bour )|(?<=\bmy ))"
    rf"(?P<label>{'|'.join(f'(?:{labels})' for labels in LABELS.values())})\b"
    r"(?P<sep>\s*[:=\u2013\u2014-]\s*|\s+(?:is|are|should be|would be|will be|must be|to be|to|into)\b"
    r"\s*:?\s*|\s+(?=\S))",
    re.IGNORECASE,
)
CALLED_RE = re.compile(
    r"\b(?:(?:it's|it is|its|is) called|called|named|name is|name's)\s+(?P<value>.+)",
    re.IGNORECASE,
)
PRODUCT_VERB_RE = re.compile(
    r"\b(?:selling|sell|launching|launch|promoting|promote|advertising|advertise|introducing|"
    r"we make|makes|we've made|making|built|building|created|(?:ad|add|advert|advertisement|video|"
    r"commercial|campaign|promo|reel|spot|clip) for|it's for|its for|it is for|is for|this is for)"
    r"\s+(?P<value>.+)",
    re.IGNORECASE,
)
AUDIENCE_RE = re.compile(
    r"\b(?:aimed at|targeting|targeted at|made for|designed for|want to reach|trying to reach|"
    r"speaking to|talking to|meant for)\s+(?P<value>.+)",
    re.IGNORECASE,
)
AUDIENCE_FOR_RE = re.compile(
    rf"\bfor (?P<value>(?:[\w'-]+ ){{0,6}}?(?:{'|'.join(AUDIENCE_NOUNS)})\b.*)", re.IGNORECASE
)
CLAUSE_FOR_RE = re.compile(r"^for\s+(?P<value>.+)", re.IGNORECASE)
LOVE_IT_RE = re.compile(
    r"(?:think|guess|bet|hope)?\s*(?P<value>[\w' -]+?)\s+(?:would|will) (?:love|like|enjoy) it",
    re.IGNORECASE,
)
NAMED_TONE_RE = re.compile(
    r"\b(?P<value>[a-z-]+(?:(?:,| and| but| yet)\s+[a-z-]+){0,2})\s+(?:tone|vibe|feel)\b",
    re.IGNORECASE,
)
MAKE_IT_RE = re.compile(
    r"\b(?:make it|keep it|it should feel|should feel|want it to (?:feel|be|sound)|"
    r"like it to (?:feel|be|sound))\s+(?P<value>.+)",
    re.IGNORECASE,
)
LENGTH_RE = re.compile(
    r"(?<![\d:])(?P<number>\d{1,3})\s*(?:-\s*)?(?:seconds?|secs?|s)\b(?!\s*(?:and|or|to|-)\s*\d)",
    re.IGNORECASE,
)
AGE_BEFORE_RE = re.compile(
    r"(?:their|the|in|late|early|mid|aged?|\d0s\s*(?:and|or|to|-))\s*$", re.IGNORECASE
)
RATIO_RE = re.compile(r"\b(?P<w>\d{1,2})\s*(?:[:x\u00d7/]|by)\s*(?P<h>\d{1,2})\b")
WEB_ADDRESS_RE = re.compile(
    r"(?:https?://\S+|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b|\b(?:www\.)?[\w-]+(?:\.[a-z]{2,})+(?:/\S*)?)",
    re.IGNORECASE,
)
CORRECTION_RES = (
    re.compile(
        r"^(?:no,?\s*|sorry,?\s*|oops,?\s*)?not\s+(?P<old>[^,]+),\s*"
        r"(?:(?:use|make it|it's|it is|it should be|but|rather|instead)\s+)?(?P<new>.+)$",
        re.IGNORECASE,
    ),
    re.compile(r"^(?P<new>.+?)\s+instead of\s+(?P<old>.+)$", re.IGNORECASE),
)
CORRECTION_TAIL_RE = re.compile(
    r"(?:,\s*(?:and\s+)?not\s+.*|\s+(?:instead|rather)(?: of .*)?)$", re.IGNORECASE
)
LEAD_INS = (
    r"ok(?:ay)?|so|well|hmm+|um+|yes|yeah|sure|maybe|probably|mainly|mostly(?= for\b)|i think|"
    r"i guess|i'd say|let's say|let's go with|let's do|go with|how about|something like|"
    r"(?:i|we)(?:'d| would)? (?:want|like) it to (?:feel|be|sound)|it should feel|"
    r"something|it's|it is|its|it should be|should be|make it|keep it|we want|i want|"
    r"the answer is|is|for|aimed at|targeting|the audience is|they are|they're|we are|we're"
)
LEAD_IN_RE = re.compile(rf"^(?:(?:{LEAD_INS})\b[\s,:-]*)+", re.IGNORECASE)
TRAILING_RE = re.compile(
    r"[\s,]*(?:please|pls|plz|thanks|thank you|thx|then|i think|i guess|maybe)?[\s.!,]*$",
    re.IGNORECASE,
)
PRODUCT_END_RE = re.compile(
    r"\s*(?:[,;(]|\s[-\u2013\u2014]\s|(?<=[a-z0-9])\.(?:\s|$)|\b(?:for|to|that|which|who|with|"
    r"aimed|targeting|not|and it|it's|because|so)\b)",
    re.IGNORECASE,
)
AD_TALK_RE = re.compile(
    r"^(?:we|we're|i|i'm|im|you|let's|hi|hello|hey)\b|\b(?:ad|add|ads|advert|advertisement|video|clip|campaign|promo)\b",
    re.IGNORECASE,
)
SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+|\n+")
CLAIM_START_RE = re.compile(r"^(?:it|it's|its|they|they're)\b", re.IGNORECASE)
NOT_A_CLAIM_RE = re.compile(
    r"\b(?:called|named|ad|advert|video|seconds?|audience|tone|aspect|format|vertical|cta|"
    r"call to action|should|want|for our|for my)\b|^(?:it's|it is|its) (?:a|an|for)\b",
    re.IGNORECASE,
)
UNSURE_RE = re.compile(
    r"\b(?:don'?t know|do not know|not sure|no idea|dunno|idk|no clue|unsure|no preference)\b",
    re.IGNORECASE,
)
DELEGATE_RE = re.compile(
    r"\b(?:you decide|up to you|your call|surprise me|you choose|you pick|dealer's choice|"
    r"whatever you (?:think|like|want)|anything is fine|your choice)\b",
    re.IGNORECASE,
)
AFFIRMATIVE_RE = re.compile(
    r"(?:ok(?:ay)?|yes|yep|yeah|sure|fine|great|perfect|sounds good|good|that works|"
    r"go with that|use (?:it|that)|let's do (?:it|that)|do it|agreed|deal)"
    r"(?:[\s,]+(?:ok(?:ay)?|yes|sure|thanks|thank you|sounds good|go with that|perfect|great))*"
    r"\W*",
    re.IGNORECASE,
)
SMALL_TALK_RE = re.compile(
    r"(?:hi|hello|hey|hola|hiya|thanks|thank you|thx|cool|nice|great|good|ok|okay|no|yes|sure)"
    r"(?:[\s,]+(?:there|team|again|so much))*\W*",
    re.IGNORECASE,
)
LIST_SPLIT_RE = re.compile(
    r"\s*(?:(?:^|\n)\s*[-*\u2022]\s*|[,;\n\u2022]|\band\b)\s*", re.IGNORECASE
)


@dataclass
class Reading:
    """What one user turn says: values it states (they replace), values it hints (they fill)."""

    stated: dict[str, Any] = field(default_factory=dict)
    hinted: dict[str, Any] = field(default_factory=dict)
    corrections: list[tuple[str, str]] = field(default_factory=list)
    unsure: str | None = None  # a field the user does not know yet: the assistant suggests one
    delegated: str | None = None  # a field the user leaves to the assistant: it fills a default

    def fields(self) -> set[str]:
        return set(self.stated) | set(self.hinted)


def read_brief(messages: list[ChatMessage], brief: dict[str, Any]) -> dict[str, Any]:
    """The brief as the conversation now establishes it."""
    working = briefs.empty_brief() | {
        key: value for key, value in brief.items() if key in briefs.BRIEF_FIELDS
    }
    working["key_messages"] = list(working.get("key_messages") or [])
    had_messages = bool(working["key_messages"])
    user_turns = [index for index, message in enumerate(messages) if message.role == "user"]
    for index in user_turns:
        latest = index == user_turns[-1]
        known = set(briefs.BRIEF_FIELDS) - set(briefs.missing_fields(working))
        reading = read_turn(messages, index, known=known)
        if not latest and had_messages:
            reading.stated.pop("key_messages", None)
            reading.hinted.pop("key_messages", None)
        apply_reading(working, reading, latest=latest)
    return working


def read_turn(messages: list[ChatMessage], index: int, *, known: set[str]) -> Reading:
    """Read user message `index` in the light of the assistant turn just before it.

    Before the first assistant turn the page's greeting has asked for the product.
    """
    before = messages[index - 1].content if index and messages[index - 1].role != "user" else ""
    asked = questions.asked_fields(before) if before else ["product"]
    return read_message(
        messages[index].content, asked=asked, offered=questions.suggested(before), known=known
    )


def apply_reading(working: dict[str, Any], reading: Reading, *, latest: bool) -> None:
    for name, value in reading.hinted.items():
        _set(working, name, value, replace=False)
    for name, value in reading.stated.items():
        _set(working, name, value, replace=latest)
    if latest:
        for old, new in reading.corrections:
            _correct(working, old, new)
    if reading.delegated and working.get(reading.delegated) in (None, "", []):
        working[reading.delegated] = questions.FIELD_DEFAULTS[reading.delegated]


def _set(working: dict[str, Any], name: str, value: Any, *, replace: bool) -> None:
    if name == "key_messages":
        working[name] = unique([*working[name], *value])[: briefs.MAX_KEY_MESSAGES]
    elif replace or working.get(name) in (None, ""):
        working[name] = value


def _correct(working: dict[str, Any], old: str, new: str) -> None:
    """'not X, Y': the field that now says X says Y instead."""
    for name in briefs.TEXT_FIELDS:
        current = (working.get(name) or "").lower()
        if current and (current == old.lower() or old.lower() in current):
            working[name] = sentence_case(new) if name == "call_to_action" else new
            return
    working["key_messages"] = [
        sentence_case(new) if message.lower() == old.lower() else message
        for message in working["key_messages"]
    ]


# --- One message ------------------------------------------------------------------------


def read_message(
    text: str,
    *,
    asked: Sequence[str] = (),
    offered: tuple[str, Any] | None = None,
    known: Collection[str] = (),
) -> Reading:
    """What one message says; `known` fields are only changed by what it states outright."""
    reading = Reading()
    sentences = _sentences(text)
    statements = [sentence for sentence in sentences if not sentence.endswith("?")]
    _read_requests(reading, [sentence for sentence in sentences if sentence.endswith("?")])
    if not statements:
        return reading
    statement = "\n".join(statements)
    _read_deferral(reading, statement, asked or ([offered[0]] if offered else []))
    if offered and reading.unsure == offered[0]:
        # Still unsure after a suggestion: take it rather than ask a third time.
        reading.unsure, reading.delegated = None, offered[0]
    if reading.unsure or reading.delegated:
        return reading
    if offered and AFFIRMATIVE_RE.fullmatch(statement.strip()):
        reading.stated[offered[0]] = offered[1]
        return reading
    for sentence in statements:
        _read_sentence(reading, sentence, known=known)
    if "key_messages" not in known:
        _read_claims(reading, statements)
    if asked and not SMALL_TALK_RE.fullmatch(statement.strip()):
        _read_answer(reading, statement, asked)
    return reading


def _read_deferral(reading: Reading, text: str, asked: list[str]) -> None:
    if len(text.split()) > MAX_DEFERRAL_WORDS:
        return
    subject = questions.field_named_in(text) or (asked[0] if asked else None)
    if subject is None:
        return
    if DELEGATE_RE.search(text) and subject in questions.FIELD_DEFAULTS:
        reading.delegated = subject
    elif UNSURE_RE.search(text):
        reading.unsure = subject


def _read_requests(reading: Reading, requests: list[str]) -> None:
    """A question to the assistant can still fix the format or length ("a 15 s Reel?")."""
    for request in requests:
        for name, finder in (("target_length", _target_length), ("aspect_ratio", _aspect_ratio)):
            value = finder(request)
            if value and name not in reading.stated:
                reading.stated[name] = value


def _read_sentence(reading: Reading, sentence: str, *, known: Collection[str]) -> None:
    correction = _correction(sentence)
    if correction:
        reading.corrections.append(correction)
        return
    labelled = _labelled(sentence)
    reading.stated.update(labelled)
    for name, finder in STATED_FINDERS:
        if name not in labelled and name not in reading.stated:
            value = finder(sentence)
            if value:
                reading.stated[name] = value
    for name, finder in HINTED_FINDERS:
        if name not in reading.fields() and name not in known:
            value = finder(sentence)
            if value:
                reading.hinted[name] = value


def _read_claims(reading: Reading, statements: list[str]) -> None:
    """'It grips wet rock.' in a longer message is a key message about the product."""
    if len(statements) < 2 or "key_messages" in reading.fields():
        return
    claims = [_claim(sentence) for sentence in statements if _is_claim(sentence)]
    if claims:
        reading.hinted["key_messages"] = claims


def _read_answer(reading: Reading, text: str, asked_fields: Sequence[str]) -> None:
    """A turn that states nothing else answers the question just asked, if it fits the field.

    Its passing hints are dropped: "natural" in "women who like natural cosmetics" is not a tone.
    """
    open_fields = [name for name in asked_fields if name not in reading.stated]
    if set(reading.stated) - set(asked_fields) or reading.corrections or not open_fields:
        return
    asked = open_fields[0]
    answer = ANSWER_READERS[asked](text)
    if not answer:
        return
    if asked == "product":  # introduced in a sentence that may say more ("… students love it")
        reading.hinted.pop("product", None)
        reading.stated["product"] = answer
        return
    asked, answer = _better_fit(asked, answer, text)
    reading.hinted.clear()
    reading.stated[asked] = answer


def _better_fit(asked: str, answer: Any, text: str) -> tuple[str, Any]:
    """An answer that plainly belongs to another field goes there: 'smart and clean' is a
    tone whatever was asked, 'women 25-40' an audience, 'Book a lesson' a call to action."""
    if asked != "tone" and _is_tone_phrase(_phrase(text)):
        return "tone", _tone_label(text)
    if asked == "tone" and _looks_like_audience(text):
        return "audience", _phrase(text)
    if asked == "key_messages" and len(answer) == 1 and _starts_with_action(_phrase(text)):
        return "call_to_action", _cta_answer(text)
    return asked, answer


# --- Labels and corrections --------------------------------------------------------------


def _labelled(sentence: str) -> dict[str, Any]:
    """Values after labels: 'tone: calm', 'the CTA is …', 'change the tone to …', 'format 9:16'."""
    found: dict[str, Any] = {}
    matches = [match for match in LABEL_RE.finditer(sentence) if _is_label(match)]
    ends = [match.start() for match in matches[1:]] + [len(sentence)] * bool(matches)
    for match, end in zip(matches, ends, strict=True):
        name = _label_field(match["label"])
        value = _label_value(name, sentence[match.end() : end])
        if value and name not in found:
            found[name] = value
    return found


def _is_label(match: re.Match) -> bool:
    label = match["label"].lower()
    if match["sep"].strip() or label.startswith(("end", "close", "finish")):
        return True
    if label == "name":
        return match.string[: match.start()].rstrip().endswith(",")
    return label in BARE_LABELS


def _label_field(label: str) -> str:
    return next(
        name for name, pattern in LABELS.items() if re.fullmatch(pattern, label, re.IGNORECASE)
    )


def _label_value(name: str, raw: str) -> Any:
    raw = CORRECTION_TAIL_RE.sub("", raw.strip()) if name != "key_messages" else raw
    return LABEL_READERS[name](raw.strip(" ,;:\u2013\u2014-"))


def _correction(sentence: str) -> tuple[str, str] | None:
    for pattern in CORRECTION_RES:
        match = pattern.match(sentence.strip())
        if match:
            return _unquote(match["old"]), _clean(match["new"])
    return None


# --- Field readers -----------------------------------------------------------------------


def _product_label(raw: str) -> str | None:
    called = CALLED_RE.match(raw)
    return _product_name(called["value"] if called else raw)


def _product_answer(text: str) -> str | None:
    """The product a sentence introduces, or a bare name; "we need an ad for LinkedIn" talks
    about the ad, not the product."""
    introduced = next(filter(None, map(_product_hint, _sentences(text))), None)
    if introduced or AD_TALK_RE.search(text):
        return introduced
    return _product_label(text)


def _product_name(raw: str) -> str | None:
    quoted = re.match(r"\s*[\"\u201c'](?P<value>[^\"\u201d']+)[\"\u201d']", raw)
    if quoted:
        return quoted["value"].strip()
    value = PRODUCT_END_RE.split(raw, maxsplit=1)[0]
    value = _clean(_strip_possessive(value))
    if not value or len(value.split()) > MAX_PRODUCT_WORDS or _is_platform(value):
        return None
    return value


def _strip_possessive(value: str) -> str:
    """'our bike shop Radwerk' is 'Radwerk'; 'our new app' keeps its words (no name in it)."""
    value = re.sub(r"^\s*(?:a|an|the|our|my|their|this)\s+", "", value, flags=re.IGNORECASE)
    named = re.search(r"\b[A-Z][\w&'-]*(?:\s+(?:[A-Z0-9&][\w&'-]*|&))*\s*$", value)
    if named and named.start() > 0 and value[: named.start()].strip().islower():
        return named[0]
    return re.sub(r"^(?:new|latest|brand new)\s+", "", value, flags=re.IGNORECASE)


def _is_platform(value: str) -> bool:
    words = re.sub(r"^(?:a|an|the|our|my)\s+", "", value.lower())
    return any(re.match(rf"{re.escape(platform)}\b", words) for platform in PLATFORMS)


def _product_called(sentence: str) -> str | None:
    match = CALLED_RE.search(sentence)
    return _product_name(match["value"]) if match else None


def _product_hint(sentence: str) -> str | None:
    for match in PRODUCT_VERB_RE.finditer(sentence):
        value = match["value"]
        appositive = re.match(r"\s*(?:our|my|a|an)\s+[a-z][\w' -]*,\s*(?P<name>[A-Z].*)", value)
        if appositive:
            value = appositive["name"]
        name = _product_name(value)
        if name and not _target_length(name):
            return name
    return None


def _audience_label(raw: str) -> str | None:
    return _phrase(raw) or None


def _audience_stated(sentence: str) -> str | None:
    match = AUDIENCE_RE.search(sentence)
    return _phrase(_clause(match["value"])) if match else None


def _audience_hint(sentence: str) -> str | None:
    for clause in re.split(r",\s*", sentence)[1:]:
        match = CLAUSE_FOR_RE.match(clause)
        if match and not _is_platform(match["value"]) and not _target_length(match["value"]):
            return _phrase(match["value"])
    love = LOVE_IT_RE.search(sentence)
    if love:
        return _phrase(re.sub(r"^(?:we|i)\s+(?:think|guess)\s+", "", love["value"], flags=re.I))
    implicit = AUDIENCE_FOR_RE.search(sentence)
    return _phrase(_clause(implicit["value"])) if implicit else None


def _tone_label(raw: str) -> str | None:
    """Tone words in lower case ("Warm and confident" reads "the tone is warm and confident")."""
    value = _phrase(raw)
    if not value or len(value.split()) > MAX_TONE_WORDS:
        return None
    return value if value[:2].isupper() else value[:1].lower() + value[1:]


def _tone_stated(sentence: str) -> str | None:
    named = NAMED_TONE_RE.search(sentence)
    if named and _is_tone_phrase(named["value"]):
        return named["value"].lower()
    make = MAKE_IT_RE.search(sentence)
    value = make and _clause(make["value"])
    return value.lower() if value and _is_tone_phrase(value) else None


def _is_tone_phrase(value: str) -> bool:
    words = [word for word in re.split(r"[\s,]+", value.lower()) if word]
    connectors = {"and", "but", "yet", "a", "bit", "very", "really", "super", "more", "quite"}
    return any(word in TONE_WORDS for word in words) and all(
        word in TONE_WORDS or word in connectors for word in words
    )


def _tone_hint(sentence: str) -> str | None:
    """Tone words in passing, lower case only: "Sunny Side Up Café" is a name, not a tone."""
    found = (re.search(rf"\b{re.escape(word)}\b", sentence) for word in TONE_WORDS)
    matches = [match for match in found if match]
    words = [match[0].lower() for match in sorted(matches, key=lambda match: match.start())]
    return " and ".join(words[:3]) if words else None


def _messages_label(raw: str) -> list[str]:
    return [_claim(item) for item in _list_items(raw)]


def _cta_label(raw: str) -> str | None:
    value = _clean(raw)
    return sentence_case(value) if value else None


def _cta_stated(sentence: str) -> str | None:
    """A clause that starts with an action and names a web address or e-mail is the CTA."""
    for clause in re.split(r",\s+|\s+[-\u2013\u2014]\s+", sentence):
        clause = LEAD_IN_RE.sub("", clause.strip())
        if WEB_ADDRESS_RE.search(clause) and _starts_with_action(clause):
            return sentence_case(_clean(clause))
    return None


def _cta_hint(sentence: str) -> str | None:
    phrase = next((phrase for phrase in CTA_PHRASES if _word(phrase, sentence)), None)
    return sentence_case(phrase) if phrase else None


def _cta_answer(text: str) -> str | None:
    value = _clean(LEAD_IN_RE.sub("", text.strip()))
    if not value or len(value.split()) > MAX_PHRASE_WORDS:
        return None
    return sentence_case(value)


def _starts_with_action(clause: str) -> bool:
    return any(re.match(rf"{re.escape(verb)}\b", clause, re.IGNORECASE) for verb in CTA_VERBS)


def _target_length(text: str) -> int | None:
    for match in LENGTH_RE.finditer(text):
        bare_s = not re.search(r"\d\s*-?\s*[a-z]{2}", match[0], re.IGNORECASE)
        if bare_s and AGE_BEFORE_RE.search(text[: match.start()]):
            continue
        return _clamp_length(int(match["number"]))
    if not re.search(r"second|minute|\bsec\b", text, re.IGNORECASE):
        return None
    # Longest first, so "twenty-five" is not read as "twenty".
    words = next(
        (words for words in sorted(NUMBER_WORDS, key=len, reverse=True) if _word(words, text)),
        None,
    )
    return _clamp_length(NUMBER_WORDS[words]) if words else None


def _length_answer(text: str) -> int | None:
    stated = _target_length(text)
    if stated:
        return stated
    number = re.fullmatch(r"\D{0,20}?(\d{1,3})\D{0,12}", text.strip())
    if number:
        return _clamp_length(int(number[1]))
    words = next((words for words in NUMBER_WORDS if _word(words, text)), None)
    return _clamp_length(NUMBER_WORDS[words]) if words else None


def _aspect_ratio(text: str) -> str | None:
    for match in RATIO_RE.finditer(text):
        ratio = f"{match['w']}:{match['h']}"
        if ratio in briefs.ASPECT_RATIOS:
            return ratio
    return next((ratio for word, ratio in ASPECT_WORDS.items() if _word(word, text)), None)


def _messages_answer(text: str) -> list[str]:
    return [_claim(item) for item in _list_items(text)]


LABEL_READERS = {
    "product": _product_label,
    "audience": _audience_label,
    "tone": _tone_label,
    "key_messages": _messages_label,
    "call_to_action": _cta_label,
    "target_length": _length_answer,
    "aspect_ratio": _aspect_ratio,
}
STATED_FINDERS = (
    ("product", _product_called),
    ("audience", _audience_stated),
    ("tone", _tone_stated),
    ("call_to_action", _cta_stated),
    ("target_length", _target_length),
    ("aspect_ratio", _aspect_ratio),
)
HINTED_FINDERS = (
    ("product", _product_hint),
    ("audience", _audience_hint),
    ("tone", _tone_hint),
    ("call_to_action", _cta_hint),
)
ANSWER_READERS = {
    "product": _product_answer,
    "audience": _audience_label,
    "tone": _tone_label,
    "key_messages": _messages_answer,
    "call_to_action": _cta_answer,
    "target_length": _length_answer,
    "aspect_ratio": _aspect_ratio,
}


# --- Small text helpers ------------------------------------------------------------------


def _is_claim(sentence: str) -> bool:
    """A sentence that states something about the product rather than about the ad."""
    return (
        bool(CLAIM_START_RE.match(sentence))
        and not NOT_A_CLAIM_RE.search(sentence)
        and len(sentence.split()) >= MIN_CLAIM_WORDS
    )


def _claim(sentence: str) -> str:
    """A claim in ad style: 'It keeps coffee hot' becomes 'Keeps coffee hot'."""
    claim = re.sub(
        r"^(?:that\s+)?(?:it's|it is|its|they're|they are|it|they)\s+",
        "",
        sentence.strip(),
        flags=re.IGNORECASE,
    )
    return sentence_case(_clean(claim))


def _list_items(text: str) -> list[str]:
    items = [_clean(LEAD_IN_RE.sub("", item)) for item in LIST_SPLIT_RE.split(text.strip())]
    items = [" ".join(item.split()[:MAX_PHRASE_WORDS]) for item in items]
    return unique([item for item in items if len(item) > 2])[: briefs.MAX_KEY_MESSAGES]


def _looks_like_audience(text: str) -> bool:
    nouns = "|".join(AUDIENCE_NOUNS)
    return bool(re.search(rf"\b(?:{nouns})\b|\b\d{{2}}\s*(?:[-\u2013+]|to\b)", text, re.I))


def _phrase(text: str) -> str:
    """A short answer without its lead-in ('I'd say', 'for') and its trailing 'please'."""
    return _clean(LEAD_IN_RE.sub("", CORRECTION_TAIL_RE.sub("", text.strip())))


def _clause(text: str) -> str:
    return re.split(r"\s*[,;]\s*|(?<=[a-z0-9])\.(?:\s|$)", text, maxsplit=1)[0]


def _clean(text: str) -> str:
    """Trimmed of quotes, 'please' and end punctuation; a web address keeps its dots."""
    text = TRAILING_RE.sub("", " ".join(text.split()))
    return _unquote(" ".join(text.split()[: MAX_PHRASE_WORDS * 2]))


def _unquote(text: str) -> str:
    return text.strip().strip("\"'\u201c\u201d\u2018\u2019").strip(" ,;:").strip()


def _sentences(text: str) -> list[str]:
    return [sentence.strip() for sentence in SENTENCE_END_RE.split(text) if sentence.strip()]


def _word(phrase: str, text: str) -> re.Match | None:
    return re.search(rf"\b{re.escape(phrase)}\b", text, re.IGNORECASE)


def _clamp_length(seconds: int) -> int:
    return min(max(seconds, briefs.MIN_TARGET_SECONDS), briefs.MAX_TARGET_SECONDS)
