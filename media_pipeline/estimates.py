"""What a piece of work will cost before it starts, from the price table and the quality profile.

    estimate("scene_image", count=6).label      # "≈ $0.07", or "free (local)"
    button_label("Compose", "composition")       # "Compose · ≈ $0.02"

A real backend is billed per token (text) or per GPU second (Replicate); the typical tokens and
seconds of one call are below, so an estimate is what `media_pipeline.metering` records for the
same call when it takes its typical time. Local backends cost nothing and say so.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from media_pipeline.metering import COST_PLACES, Meter, estimate_cost
from media_pipeline.registry import providers

# Typical usage of one call, per capability. Images scale with the profile's diffusion steps.
TYPICAL_TEXT_TOKENS = (1500, 500)
TYPICAL_IMAGE_SECONDS_PER_STEP = 0.08
TYPICAL_GPU_SECONDS = {"video": 40.0, "compositing": 12.0, "audio": 15.0}
# A capture on Modal: poses under a minute, nerfacto's 30k steps about 15, the turntable about 5;
# every stage is billed at the price of the backend's GPU, as nerf.capture meters it.
TYPICAL_CAPTURE_GPU_SECONDS = 1240.0
CENTS = Decimal("0.01")
FREE_LABEL = "free (local)"
LOCAL_MODULES = "media_pipeline.backends.local"


@dataclass(frozen=True)
class Call:
    capability: str
    count: int


@dataclass(frozen=True)
class Estimate:
    cost: Decimal
    free: bool

    @property
    def label(self) -> str:
        if self.free:
            return FREE_LABEL
        if self.cost < CENTS:
            return "< $0.01"
        return f"≈ ${self.cost.quantize(CENTS, rounding=ROUND_HALF_UP)}"


def button_label(text: str, kind: str, *, count: int = 1) -> str:
    """A button's text with what pressing it will cost: "Generate all clips · free (local)"."""
    return f"{text} · {estimate(kind, count=count).label}"


def calls_for(kind: str, count: int = 1) -> list[Call]:
    """The provider calls one `kind` of work makes, `count` times over."""
    images_per_mood = settings.QUALITY_PROFILE["images_per_mood"]
    # Mood boards are made three at a time from one plan (storyboards.generation.MOOD_COUNT).
    table = {
        "moods": [Call("text", 1), Call("image", 3 * images_per_mood)],
        "mood": [Call("text", 1), Call("image", images_per_mood)],
        "storyboard": [Call("text", 1)],
        "scene_text": [Call("text", 1)],
        "scene_image": [Call("image", 1)],
        "scene_video": [Call("video", 1)],
        "composition": [Call("audio", 1)],
        "capture": [Call("capture", 1)],
    }
    return [Call(call.capability, call.count * count) for call in table[kind]]


def estimate(kind: str, *, count: int = 1) -> Estimate:
    """The estimated US$ of `count` times `kind` with the configured backends."""
    calls = [call for call in calls_for(kind, count) if not is_local(call.capability)]
    cost = sum((call_cost(call.capability) * call.count for call in calls), Decimal(0))
    return Estimate(cost=cost, free=not calls)


def call_cost(capability: str) -> Decimal:
    """The metered cost of one typical call of `capability` with its configured backend."""
    if capability == "text":
        input_tokens, output_tokens = TYPICAL_TEXT_TOKENS
        meter = Meter(
            model=settings.QUALITY_PROFILE["chat_model"],
            input_tokens=input_tokens,
            output_tokens=output_tokens,
        )
        return estimate_cost("openai", meter)
    if capability == "capture":
        gpu = getattr(providers["capture"], "gpu", "")
        price = settings.PROVIDER_PRICES["modal"].get(gpu, 0)
        return (Decimal(str(price)) * Decimal(str(TYPICAL_CAPTURE_GPU_SECONDS))).quantize(
            COST_PLACES
        )
    if capability == "image":
        seconds = settings.QUALITY_PROFILE["image_steps"] * TYPICAL_IMAGE_SECONDS_PER_STEP
    else:
        seconds = TYPICAL_GPU_SECONDS[capability]
    return estimate_cost("replicate", Meter(predict_seconds=seconds))


def is_local(capability: str) -> bool:
    """Local backends (and their subclasses) run on our machines and cost nothing."""
    backend = type(providers[capability])
    return any(cls.__module__.startswith(LOCAL_MODULES) for cls in backend.__mro__)
