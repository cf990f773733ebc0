"""Briefing conversations as marketers type them, each with the brief a careful reader would fill.

Only the user's turns are written down: the replay (tests/media_pipeline/test_brief_corpus.py and
bench/brief_accuracy.py) lets the writer answer after every turn, as the app does. A bare answer
("Gen Z gamers") follows the order an assistant asks in: product, audience, tone, key messages,
call to action, length, format. Fields nobody settled stay None; `OneOf` lists the readings a
person would accept when the wording leaves room (a leading "mostly", "our", a trailing "please").
Written before the parser was tuned, from the kinds of messages real users send.
"""

from dataclasses import dataclass, field
from typing import Any

from media_pipeline import briefs


@dataclass(frozen=True)
class OneOf:
    values: tuple[Any, ...]

    def __init__(self, *values: Any) -> None:
        object.__setattr__(self, "values", values)


@dataclass(frozen=True)
class Conversation:
    name: str
    turns: tuple[str, ...]
    expected: dict[str, Any] = field(default_factory=dict)


def brief(**fields: Any) -> dict[str, Any]:
    return briefs.empty_brief() | fields


CORPUS = (
    Conversation(
        "serum, everything in order",
        (
            "Hi! We're launching GlowSerum, a vitamin C serum.",
            "busy professionals in their thirties",
            "warm and confident",
            "visible glow in 7 days, clean ingredients",
            "Shop now at glowserum.com",
        ),
        brief(
            product="GlowSerum",
            audience="busy professionals in their thirties",
            tone="warm and confident",
            key_messages=["Visible glow in 7 days", "Clean ingredients"],
            call_to_action="Shop now at glowserum.com",
        ),
    ),
    Conversation(
        "one long first message",
        (
            "I need a 30 second vertical ad for our new trail running shoes called Cloudstride X, "
            "aimed at weekend hikers. Make it energetic and bold. It grips wet rock. They weigh "
            "only 240 grams. End with 'Find your trail'.",
        ),
        brief(
            product="Cloudstride X",
            audience="weekend hikers",
            tone="energetic and bold",
            key_messages=["Grips wet rock", "Weigh only 240 grams"],
            call_to_action="Find your trail",
            target_length=30,
            aspect_ratio="9:16",
        ),
    ),
    Conversation(
        "labels in one message",
        (
            "Product: LumenGlow desk lamp\nAudience: remote workers\nTone: calm, minimal\n"
            "CTA: Shop now at lumenglow.com\nLength: 20s\nFormat: 4:5",
        ),
        brief(
            product="LumenGlow desk lamp",
            audience="remote workers",
            tone="calm, minimal",
            call_to_action="Shop now at lumenglow.com",
            target_length=20,
            aspect_ratio="4:5",
        ),
    ),
    Conversation(
        "tone labelled while the product is asked",
        (
            "hey",
            "tone: loud, fast, hype",
            "it's an energy drink called VOLT",
            "gamers aged 16-24",
        ),
        brief(
            product="VOLT",
            audience="gamers aged 16-24",
            tone="loud, fast, hype",
        ),
    ),
    Conversation(
        "platform is not the product",
        (
            "I want a video for Instagram Reels",
            "The product is Brewtiful, a cold brew coffee subscription",
            "coffee lovers who work from home",
            "cozy and a bit witty",
        ),
        brief(
            product="Brewtiful",
            audience="coffee lovers who work from home",
            tone="cozy and a bit witty",
            aspect_ratio="9:16",
        ),
    ),
    Conversation(
        "linkedin ad for a saas",
        (
            "we need an ad for LinkedIn",
            "It's for our invoicing software, called Ledgerly",
            "finance teams at mid-size companies",
            "professional but human",
            "Book a demo at ledgerly.io/demo",
        ),
        brief(
            product="Ledgerly",
            audience="finance teams at mid-size companies",
            tone="professional but human",
            call_to_action="Book a demo at ledgerly.io/demo",
        ),
    ),
    Conversation(
        "length correction",
        (
            "A 15 second ad for Pawprint, a GPS collar for dogs",
            "dog owners in cities",
            "playful",
            "actually, make it 30 seconds",
        ),
        brief(
            product="Pawprint",
            audience="dog owners in cities",
            tone="playful",
            target_length=30,
        ),
    ),
    Conversation(
        "product correction by name",
        (
            "We sell Nimbus Pillow, a memory foam pillow",
            "sorry, the product is called CloudNest, not Nimbus Pillow",
            "people with back pain",
        ),
        brief(product="CloudNest", audience="people with back pain"),
    ),
    Conversation(
        "cta correction",
        (
            "Ad for FitFuel protein bars, for gym-goers, tone energetic. CTA: Buy now",
            "change the CTA to Order at fitfuel.shop",
        ),
        brief(
            product="FitFuel protein bars",
            audience="gym-goers",
            tone="energetic",
            call_to_action="Order at fitfuel.shop",
        ),
    ),
    Conversation(
        "audience correction",
        (
            "It's a kids' coding app called ByteBuddy",
            "parents of kids aged 8 to 12",
            "no wait, the audience is teachers, not parents",
        ),
        brief(product="ByteBuddy", audience="teachers"),
    ),
    Conversation(
        "quoted name",
        (
            'We\'re promoting "Sunny Side Up Café" - a brunch place in Leeds',
            "locals and students",
            "cheerful and warm",
        ),
        brief(
            product="Sunny Side Up Café",
            audience="locals and students",
            tone="cheerful and warm",
        ),
    ),
    Conversation(
        "age is not a length",
        (
            "The product is Solace, a meditation app",
            "mostly people in their 20s and 30s",
            "calm and soothing",
        ),
        brief(
            product="Solace",
            audience=OneOf("people in their 20s and 30s", "mostly people in their 20s and 30s"),
            tone="calm and soothing",
        ),
    ),
    Conversation(
        "i don't know is not you decide",
        (
            "Ad for Crumbs & Co, our bakery's new sourdough delivery",
            "food lovers in Manchester",
            "I don't know",
        ),
        brief(product="Crumbs & Co", audience="food lovers in Manchester"),
    ),
    Conversation(
        "you decide fills the default",
        (
            "We're launching AquaPure, a water filter bottle",
            "hikers and campers",
            "you decide",
        ),
        brief(product="AquaPure", audience="hikers and campers", tone="warm and confident"),
    ),
    Conversation(
        "email address as cta",
        (
            "It's for our wedding photography studio, Lightbox Studio",
            "engaged couples",
            "romantic and elegant",
            "timeless photos, 20 years of experience",
            "Email hello@lightbox.studio to book",
        ),
        brief(
            product="Lightbox Studio",
            audience="engaged couples",
            tone="romantic and elegant",
            key_messages=["Timeless photos", "20 years of experience"],
            call_to_action="Email hello@lightbox.studio to book",
        ),
    ),
    Conversation(
        "https link as cta",
        (
            "product: Tidy, a cleaning service app",
            "busy families",
            "friendly",
            "cta: Download at https://tidy.app/get",
        ),
        brief(
            product="Tidy",
            audience="busy families",
            tone="friendly",
            call_to_action="Download at https://tidy.app/get",
        ),
    ),
    Conversation(
        "rugged but friendly",
        (
            "We make TrailMate, a multitool for campers",
            "outdoor people, mostly men 25-45",
            "rugged but friendly",
        ),
        brief(
            product="TrailMate",
            audience=OneOf("outdoor people, mostly men 25-45", "outdoor people"),
            tone="rugged but friendly",
        ),
    ),
    Conversation(
        "unusual tone words",
        (
            "ad for Velvet Ember, a scented candle line",
            "women 30-50 who love home decor",
            "moody, sensual, unhurried",
        ),
        brief(
            product="Velvet Ember",
            audience="women 30-50 who love home decor",
            tone="moody, sensual, unhurried",
        ),
    ),
    Conversation(
        "non-native english",
        (
            "Hello, we are sell handmade olive oil soap, name is Oliva Pura",
            "is for woman who like natural cosmetic",
            "natural and honest",
            "the video must be 20 second",
        ),
        brief(
            product="Oliva Pura",
            audience=OneOf("woman who like natural cosmetic", "women who like natural cosmetics"),
            tone="natural and honest",
            target_length=20,
        ),
    ),
    Conversation(
        "typos everywhere",
        (
            "hi im making an add for my frozen yogurt shop called Froyo Joy",
            "familys and teens in summer",
            "fun and colourfull",
            "its low sugar, 30 flavours",
        ),
        brief(
            product="Froyo Joy",
            audience=OneOf("familys and teens in summer", "familys and teens"),
            tone="fun and colourfull",
            key_messages=["Low sugar", "30 flavours"],
        ),
    ),
    Conversation(
        "half a minute and square",
        (
            "Product is Orbit Earbuds",
            "commuters",
            "sleek and modern",
            "noise cancelling, 30 hour battery",
            "Pre-order now",
            "half a minute, square",
        ),
        brief(
            product="Orbit Earbuds",
            audience="commuters",
            tone="sleek and modern",
            key_messages=["Noise cancelling", "30 hour battery"],
            call_to_action="Pre-order now",
            target_length=30,
            aspect_ratio="1:1",
        ),
    ),
    Conversation(
        "tiktok and domain cta",
        (
            "TikTok ad for our thrift store app, Rewear",
            "gen z shoppers who care about sustainability",
            "cheeky and upbeat",
            "CTA is: Get the app at rewear.co",
        ),
        brief(
            product="Rewear",
            audience="gen z shoppers who care about sustainability",
            tone="cheeky and upbeat",
            call_to_action="Get the app at rewear.co",
            aspect_ratio="9:16",
        ),
    ),
    Conversation(
        "key messages with bullets",
        (
            "We're advertising PeakPack, a 40L hiking backpack",
            "weekend hikers",
            "adventurous",
            "- waterproof\n- lifetime warranty\n- weighs 1.2 kg",
        ),
        brief(
            product="PeakPack",
            audience="weekend hikers",
            tone="adventurous",
            key_messages=["Waterproof", "Lifetime warranty", "Weighs 1.2 kg"],
        ),
    ),
    Conversation(
        "audience with a dash label",
        (
            "Brand is Kinfolk Kitchen, meal kits",
            "audience - young couples who are learning to cook",
            "tone - warm, homey",
        ),
        brief(
            product="Kinfolk Kitchen",
            audience="young couples who are learning to cook",
            tone="warm, homey",
        ),
    ),
    Conversation(
        "everything but the product first",
        (
            "I need a 15 sec vertical video, tone should be luxurious",
            "It's for Maison Noir perfume",
            "women 35+",
        ),
        brief(
            product="Maison Noir perfume",
            audience="women 35+",
            tone="luxurious",
            target_length=15,
            aspect_ratio="9:16",
        ),
    ),
    Conversation(
        "one minute youtube shorts",
        (
            "Can you help with a YouTube Shorts ad? It's for SparkPlug, an EV charger for homes",
            "homeowners who just bought an electric car",
            "trustworthy and clear",
            "It should be a minute long",
        ),
        brief(
            product="SparkPlug",
            audience="homeowners who just bought an electric car",
            tone="trustworthy and clear",
            target_length=60,
            aspect_ratio="9:16",
        ),
    ),
    Conversation(
        "price is not a length",
        (
            "We sell Bloom Box, a flower subscription, only 25 dollars a month",
            "people who forget birthdays",
            "sweet and funny",
            "only $25 a month, free delivery",
        ),
        brief(
            product="Bloom Box",
            audience="people who forget birthdays",
            tone="sweet and funny",
            key_messages=["Only $25 a month", "Free delivery"],
        ),
    ),
    Conversation(
        "question back to the assistant",
        (
            "our product is Stackr, a budgeting app for students",
            "what audience would you suggest?",
            "ok let's say university students",
            "relaxed and funny",
        ),
        brief(
            product="Stackr",
            audience="university students",
            tone="relaxed and funny",
        ),
    ),
    Conversation(
        "key messages labelled late",
        (
            "Promo for HydroFlask Mini, kids' water bottle",
            "for parents of toddlers",
            "playful and reassuring",
            "key messages: spill proof, dishwasher safe, BPA free",
            "Shop now",
        ),
        brief(
            product="HydroFlask Mini",
            audience="parents of toddlers",
            tone="playful and reassuring",
            key_messages=["Spill proof", "Dishwasher safe", "BPA free"],
            call_to_action="Shop now",
        ),
    ),
    Conversation(
        "change the tone",
        (
            "Ad for Gripz, climbing chalk, for boulderers, tone gritty",
            "change the tone to bold and motivating",
        ),
        brief(
            product="Gripz",
            audience="boulderers",
            tone="bold and motivating",
        ),
    ),
    Conversation(
        "launching with a year",
        (
            "We're launching Atlas 2025, our new smartwatch",
            "runners and cyclists",
            "sporty and confident",
            "15 seconds please",
        ),
        brief(
            product="Atlas 2025",
            audience="runners and cyclists",
            tone="sporty and confident",
            target_length=15,
        ),
    ),
    Conversation(
        "german english",
        (
            "We want make a advertisement for our bike shop, name Radwerk Berlin",
            "target group is students and young professionals in Berlin",
            "cool and urban",
            "CTA: Visit us in Kreuzberg",
        ),
        brief(
            product="Radwerk Berlin",
            audience="students and young professionals in Berlin",
            tone="cool and urban",
            call_to_action="Visit us in Kreuzberg",
        ),
    ),
    Conversation(
        "facebook is not the product",
        (
            "Ad for Facebook and Instagram stories please",
            "product: Snuggle Socks, heated socks",
            "older adults with cold feet",
            "gentle and caring",
        ),
        brief(
            product="Snuggle Socks",
            audience="older adults with cold feet",
            tone="gentle and caring",
            aspect_ratio="9:16",
        ),
    ),
    Conversation(
        "all labels lower case with cta url path",
        (
            "product - Zestful hot sauce",
            "audience: foodies who like it spicy",
            "vibe: bold, irreverent",
            "cta - Grab a bottle at zestful.com/shop",
            "format 9:16, 20 seconds",
        ),
        brief(
            product="Zestful hot sauce",
            audience="foodies who like it spicy",
            tone="bold, irreverent",
            call_to_action="Grab a bottle at zestful.com/shop",
            target_length=20,
            aspect_ratio="9:16",
        ),
    ),
    Conversation(
        "messages after the question about them with 'and'",
        (
            "It's called Loomi, a smart baby monitor",
            "new parents",
            "reassuring and soft",
            "night vision and it tracks breathing",
            "Learn more at loomi.baby",
        ),
        brief(
            product="Loomi",
            audience="new parents",
            tone="reassuring and soft",
            key_messages=["Night vision", "Tracks breathing"],
            call_to_action="Learn more at loomi.baby",
        ),
    ),
    Conversation(
        "not sure about length then a number",
        (
            "Ad for Sprout, a plant care app, for first-time plant owners, tone: light and helpful",
            "not sure how long",
            "ok 20 seconds then",
        ),
        brief(
            product="Sprout",
            audience="first-time plant owners",
            tone="light and helpful",
            target_length=20,
        ),
    ),
    Conversation(
        "portrait for the feed",
        (
            "product is Hearth & Hound dog treats",
            "dog parents",
            "wholesome",
            "grain free, made in small batches",
            "Try a free sample",
            "15s, portrait please",
        ),
        brief(
            product="Hearth & Hound dog treats",
            audience="dog parents",
            tone="wholesome",
            key_messages=["Grain free", "Made in small batches"],
            call_to_action="Try a free sample",
            target_length=15,
            aspect_ratio="4:5",
        ),
    ),
    Conversation(
        "a long pitch then short answers",
        (
            "So we're a small studio and we've built Quill, a note-taking app with handwriting "
            "recognition. We think students would love it.",
            "smart and clean",
            "turns handwriting into text, syncs everywhere",
        ),
        brief(
            product="Quill",
            audience="students",
            tone="smart and clean",
            key_messages=["Turns handwriting into text", "Syncs everywhere"],
        ),
    ),
    Conversation(
        "thanks and ok are not answers",
        (
            "Our brand is Nomad Roasters, speciality coffee",
            "thanks!",
            "coffee nerds",
            "ok",
        ),
        brief(product="Nomad Roasters", audience="coffee nerds"),
    ),
    Conversation(
        "tone named with vibe",
        (
            "We're promoting Lanterna, a night market festival in Lisbon",
            "tourists and locals aged 20-40",
            "the vibe should be magical and lively",
            "Get tickets at lanterna.pt",
        ),
        brief(
            product="Lanterna",
            audience="tourists and locals aged 20-40",
            tone="magical and lively",
            call_to_action="Get tickets at lanterna.pt",
        ),
    ),
    Conversation(
        "length and format corrections",
        (
            "Ad for Kettlebell Club gym, 9:16, 15 seconds",
            "for beginners who are scared of gyms",
            "encouraging",
            "make it square instead, and 20 seconds",
        ),
        brief(
            product="Kettlebell Club",
            audience="beginners who are scared of gyms",
            tone="encouraging",
            target_length=20,
            aspect_ratio="1:1",
        ),
    ),
    Conversation(
        "not the old cta",
        (
            "It's for Driftwood, a surf school in Cornwall",
            "beginners of all ages",
            "laid-back and sunny",
            "Book a lesson",
            "not book a lesson, use Book your first lesson at driftwoodsurf.co.uk",
        ),
        brief(
            product="Driftwood",
            audience="beginners of all ages",
            tone="laid-back and sunny",
            call_to_action="Book your first lesson at driftwoodsurf.co.uk",
        ),
    ),
    Conversation(
        "audience first",
        (
            "I want to reach new moms who are exhausted",
            "the product is NapTime, a white noise machine",
            "soft and caring",
        ),
        brief(
            product="NapTime",
            audience="new moms who are exhausted",
            tone="soft and caring",
        ),
    ),
    Conversation(
        "seconds written as sec with range of ages",
        (
            "Promo for Shelfie, a bookshelf app",
            "readers 18-35",
            "nerdy and warm",
            "25 sec",
        ),
        brief(
            product="Shelfie",
            audience="readers 18-35",
            tone="nerdy and warm",
            target_length=25,
        ),
    ),
    Conversation(
        "spanish speaker",
        (
            "Hola! Is for my restaurant Casa Lupita, mexican food",
            "families and friends groups",
            "happy and colorful",
            "Call to action: Reserve your table at casalupita.mx",
        ),
        brief(
            product="Casa Lupita",
            audience="families and friends groups",
            tone="happy and colorful",
            call_to_action="Reserve your table at casalupita.mx",
        ),
    ),
    Conversation(
        "shop now plus free shipping",
        (
            "We make Cora, a reusable period cup",
            "women 18-35",
            "frank and empowering",
            "comfortable for 12 hours, saves money",
            "Shop now, free shipping over $30",
        ),
        brief(
            product="Cora",
            audience="women 18-35",
            tone="frank and empowering",
            key_messages=["Comfortable for 12 hours", "Saves money"],
            call_to_action="Shop now, free shipping over $30",
        ),
    ),
)


# Written after the parser was tuned on CORPUS and never tuned against: a check that the
# reader generalises. bench/brief_accuracy.py reports it separately.
HOLDOUT = (
    Conversation(
        "startup that makes",
        (
            "We're a startup that makes Pebble, a pocket-sized air quality sensor",
            "city cyclists and runners",
            "I'd like the tone to be curious and upbeat",
            "Learn more at pebble-air.com",
        ),
        brief(
            product="Pebble",
            audience="city cyclists and runners",
            tone="curious and upbeat",
            call_to_action="Learn more at pebble-air.com",
        ),
    ),
    Conversation(
        "semicolon separated fields",
        ("Product: Marlow gin; audience: cocktail fans over 25; tone: smooth, grown-up",),
        brief(product="Marlow gin", audience="cocktail fans over 25", tone="smooth, grown-up"),
    ),
    Conversation(
        "scratch that",
        (
            "ad for Tumble, a laundry pickup service",
            "students living in dorms",
            "scratch that, the audience is busy young professionals",
        ),
        brief(product="Tumble", audience="busy young professionals"),
    ),
    Conversation(
        "actually the name is",
        (
            "We sell Brightside, a journaling app",
            "actually the name is Brightside Journal",
            "people dealing with stress",
        ),
        brief(product="Brightside Journal", audience="people dealing with stress"),
    ),
    Conversation(
        "under a limit and nine by sixteen",
        (
            "Promo for Kodo, a japanese snack box",
            "anime fans",
            "fun and colourful",
            "keep it under 20 seconds, 9 by 16",
        ),
        brief(
            product="Kodo",
            audience="anime fans",
            tone="fun and colourful",
            target_length=20,
            aspect_ratio="9:16",
        ),
    ),
    Conversation(
        "www link",
        (
            "it's for Oakridge Dental, our family dentist practice",
            "families in Oakridge",
            "reassuring",
            "gentle care, open on saturdays",
            "Book online at www.oakridgedental.com",
        ),
        brief(
            product="Oakridge Dental",
            audience="families in Oakridge",
            tone="reassuring",
            key_messages=["Gentle care", "Open on saturdays"],
            call_to_action="Book online at www.oakridgedental.com",
        ),
    ),
    Conversation(
        "landscape is not offered",
        (
            "Video ad for Polar Pop ice lollies, landscape 16:9",
            "kids and their parents",
            "happy",
        ),
        brief(product="Polar Pop ice lollies", audience="kids and their parents", tone="happy"),
    ),
    Conversation(
        "want it to feel",
        (
            "Our new product: Halo, a smart ring that tracks sleep",
            "health-conscious people in their 30s",
            "I want it to feel premium and calm",
            "tracks sleep, 7 day battery, waterproof",
        ),
        brief(
            product="Halo",
            audience="health-conscious people in their 30s",
            tone="premium and calm",
            key_messages=["Tracks sleep", "7 day battery", "Waterproof"],
        ),
    ),
    Conversation(
        "gen z and reels",
        (
            "Need a reel for Drip Drop, our bubble tea shop, for Gen Z",
            "loud and funny",
            "new mango flavour, 2 for 1 on fridays",
            "Come by today",
        ),
        brief(
            product="Drip Drop",
            audience="Gen Z",
            tone="loud and funny",
            key_messages=["New mango flavour", "2 for 1 on fridays"],
            call_to_action="Come by today",
            aspect_ratio="9:16",
        ),
    ),
    Conversation(
        "cta would be",
        (
            "the product is Ferro, a cast iron pan",
            "home cooks",
            "warm",
            "lasts a lifetime, pre-seasoned",
            "the CTA would be Order yours at ferro.kitchen",
            "45 seconds",
        ),
        brief(
            product="Ferro",
            audience="home cooks",
            tone="warm",
            key_messages=["Lasts a lifetime", "Pre-seasoned"],
            call_to_action="Order yours at ferro.kitchen",
            target_length=45,
        ),
    ),
    Conversation(
        "tone correction with instead",
        (
            "Ad for Nuvo Bank's savings account, for young savers, serious tone",
            "make it friendly instead",
        ),
        brief(product="Nuvo Bank's savings account", audience="young savers", tone="friendly"),
    ),
    Conversation(
        "typo in seconds and format word",
        (
            "its an app called Mealwise for planing meals",
            "busy parents",
            "helpful and warm",
            "30 secs, vertical",
        ),
        brief(
            product="Mealwise",
            audience="busy parents",
            tone="helpful and warm",
            target_length=30,
            aspect_ratio="9:16",
        ),
    ),
    Conversation(
        "you decide the cta",
        (
            "Promoting Lumo, a kids night light",
            "parents of toddlers",
            "soft and cosy",
            "glows all night, battery powered",
            "up to you",
        ),
        brief(
            product="Lumo",
            audience="parents of toddlers",
            tone="soft and cosy",
            key_messages=["Glows all night", "Battery powered"],
            call_to_action="Shop now",
        ),
    ),
    Conversation(
        "french speaker",
        (
            "Bonjour, we are a bakery, our name is Maison Petit, we want advertise our croissants",
            "people who love french pastry",
            "elegant et gourmand",
        ),
        brief(
            product="Maison Petit",
            audience="people who love french pastry",
            tone="elegant et gourmand",
        ),
    ),
    Conversation(
        "length asked then answered in words",
        (
            "Campaign for Peakfit, an online yoga class",
            "office workers with back pain",
            "calm",
            "flexible schedule, first week free",
            "Start your free week",
            "twenty seconds, square",
        ),
        brief(
            product="Peakfit",
            audience="office workers with back pain",
            tone="calm",
            key_messages=["Flexible schedule", "First week free"],
            call_to_action="Start your free week",
            target_length=20,
            aspect_ratio="1:1",
        ),
    ),
    Conversation(
        "key messages in a sentence",
        (
            "We're launching Ripple, a reusable coffee cup",
            "eco-minded commuters",
            "bright and optimistic",
            "The main message is that it keeps coffee hot for 3 hours",
        ),
        brief(
            product="Ripple",
            audience="eco-minded commuters",
            tone="bright and optimistic",
            key_messages=OneOf(
                ["Keeps coffee hot for 3 hours"], ["It keeps coffee hot for 3 hours"]
            ),
        ),
    ),
)


@dataclass
class Replay:
    """What happened when one conversation was played through a writer."""

    messages: list[Any]  # the whole conversation, replies included
    briefs: list[dict[str, Any]]  # the brief after each user turn
    replies: list[str]
    reasked: int  # replies asking for a field the brief already holds


def replay(writer: Any, conversation: Conversation) -> Replay:
    """Play the user's turns as the app does: reply (streamed) first, then re-read the brief."""
    from media_pipeline.backends.local_text import asked_field
    from media_pipeline.base import ChatMessage

    messages: list[ChatMessage] = []
    brief = briefs.empty_brief()
    result = Replay(messages=messages, briefs=[], replies=[], reasked=0)
    for turn in conversation.turns:
        messages.append(ChatMessage("user", turn))
        reply = "".join(writer.chat_reply(messages=messages, brief=brief))
        messages.append(ChatMessage("assistant", reply))
        brief = writer.extract_brief(messages=messages, brief=brief)
        settled = set(briefs.BRIEF_FIELDS) - set(briefs.missing_fields(brief))
        # Answering the user's own "what would you suggest?" is not asking again.
        result.reasked += asked_field(reply) in settled and "I'd suggest" not in reply
        result.briefs.append(brief)
        result.replies.append(reply)
    return result


def matches(field_name: str, got: Any, expected: Any) -> bool:
    """Equal as a person reads them: case, spacing, end punctuation and a leading article aside."""
    if isinstance(expected, OneOf):
        return any(matches(field_name, got, value) for value in expected.values)
    if field_name == "key_messages":
        return sorted(map(_normal, got or [])) == sorted(map(_normal, expected))
    if isinstance(expected, str) and isinstance(got, str):
        return _normal(got) == _normal(expected)
    return got == expected


def _normal(text: str) -> str:
    text = " ".join(text.lower().split()).strip(" .!,;:'\"\u201c\u201d")
    for article in ("a ", "an ", "the "):
        text = text.removeprefix(article)
    return text


def field_scores(
    writer: Any, corpus: tuple[Conversation, ...] = CORPUS
) -> tuple[dict[str, list[bool]], list[str], int, int]:
    """Per field, one hit or miss per conversation; the overwrites seen; re-asks and questions."""
    scores: dict[str, list[bool]] = {name: [] for name in briefs.BRIEF_FIELDS}
    overwrites: list[str] = []
    reasked = questions = 0
    for conversation in corpus:
        played = replay(writer, conversation)
        reasked += played.reasked
        questions += len(played.replies)
        for name in briefs.BRIEF_FIELDS:
            expected = conversation.expected[name]
            hits = [matches(name, step[name], expected) for step in played.briefs]
            scores[name].append(hits[-1])
            if True in hits and not all(hits[hits.index(True) :]):
                overwrites.append(f"{conversation.name}: {name}")
    return scores, overwrites, reasked, questions


def score_table(scores: dict[str, list[bool]]) -> str:
    lines = [f"{'field':<16}{'right':>7}{'of':>5}{'accuracy':>10}"]
    for name, hits in scores.items():
        lines.append(f"{name:<16}{sum(hits):>7}{len(hits):>5}{sum(hits) / len(hits):>10.0%}")
    total = [hit for hits in scores.values() for hit in hits]
    lines.append(f"{'overall':<16}{sum(total):>7}{len(total):>5}{sum(total) / len(total):>10.0%}")
    return "\n".join(lines)
