"""The engine's vocabulary: one protocol per capability, the values they exchange, one error.

Backends take and return plain values and storage paths; they never see a domain model.
"""

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db import models

# A scene's length bounds (seconds): long enough to read, short enough for a video model.
MIN_SCENE_SECONDS = 1.0
MAX_SCENE_SECONDS = 10.0
DEFAULT_SCENE_SECONDS = 3.0
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class CameraMove(models.TextChoices):
    """How image→video moves the camera over a still."""

    ZOOM_IN = "zoom_in", "Zoom in"
    ZOOM_OUT = "zoom_out", "Zoom out"
    PAN_LEFT = "pan_left", "Pan left"
    PAN_RIGHT = "pan_right", "Pan right"


CAMEL_BOUNDARY = re.compile(r"(?<=[a-z])(?=[A-Z])")


def split_camel_case(text: str) -> str:
    """Brand names read as words: "GlowSerum" → "Glow Serum", so a serum is seen as one."""
    return CAMEL_BOUNDARY.sub(" ", text)


def is_hex_colour(value: object) -> bool:
    return isinstance(value, str) and bool(HEX_COLOUR.match(value))


class ProviderError(Exception):
    """A provider call failed. `permanent` tells the caller whether retrying can help.

    The message is shown to the user, so it says what to do next.
    """

    def __init__(self, message: str, *, permanent: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.retry_after = retry_after


@dataclass(frozen=True)
class StoredMedia:
    """A file the engine wrote into Django storage, with the facts read off it."""

    path: str
    content_type: str
    size_bytes: int
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    fps: float | None = None
    has_audio: bool = False
    original_path: str | None = None  # the provider's download, before normalisation


@dataclass(frozen=True)
class ChatMessage:
    role: str  # "user" | "assistant"
    content: str


@dataclass(frozen=True)
class MoodConcept:
    name: str
    feel: str
    palette: list[str]  # "#rrggbb" colours, darkest first
    image_prompts: list[str]
    # The direction's visual grammar, for image backends that compose by it: "pedestal",
    # "flat-lay", "split", "close-up", "horizon", "grid", "spotlight", "diagonal"; "" if none.
    layout: str = ""


@dataclass(frozen=True)
class ScenePlan:
    text: str
    image_prompt: str
    duration: float
    motion: str = CameraMove.ZOOM_IN


@dataclass(frozen=True)
class ImageStyle:
    """What a mood contributes to every image made under it."""

    palette: list[str] = field(default_factory=list)
    keywords: str = ""
    # The mood's composition (see MoodConcept.layout); "" lets the backend choose.
    layout: str = ""
    # Storage path of the product as an RGBA PNG cutout; "" means draw a generic product.
    product_cutout: str = ""


class TextBackend(Protocol):
    def chat_reply(self, *, messages: list[ChatMessage], brief: dict[str, Any]) -> Iterator[str]:
        """The assistant's next turn in the brief conversation, yielded token by token."""

    def extract_brief(
        self, *, messages: list[ChatMessage], brief: dict[str, Any]
    ) -> dict[str, Any]:
        """The brief as the conversation now establishes it (schema: media_pipeline.briefs)."""

    def plan_moods(
        self,
        *,
        brief: dict[str, Any],
        count: int,
        images_per_mood: int,
        variation: int = 0,
        avoid: Sequence[str] = (),
    ) -> list[MoodConcept]:
        """`count` distinct visual directions for the brief.

        `variation` is the attempt number (0 first; "Regenerate" and "Another take" count up):
        another number should give other directions. `avoid` names directions already shown,
        which the answer must not repeat.
        """

    def plan_scenes(
        self, *, brief: dict[str, Any], mood: dict[str, Any], count: int, variation: int = 0
    ) -> list[ScenePlan]:
        """A storyboard of `count` scenes whose durations add up to the brief's target length.

        `variation` is the attempt number: another number should give another take.
        """

    def rewrite_scene(
        self, *, brief: dict[str, Any], mood: dict[str, Any], text: str, instruction: str
    ) -> ScenePlan:
        """One scene written again, following the user's instruction."""


class ImageBackend(Protocol):
    def generate(
        self,
        *,
        prompt: str,
        negative_prompt: str = "",
        width: int,
        height: int,
        seed: int,
        style: ImageStyle | None = None,
        count: int = 1,
    ) -> list[StoredMedia]: ...


class VideoBackend(Protocol):
    def animate(self, *, image_path: str, duration: float, motion: str, seed: int) -> StoredMedia:
        """A clip normalised for joining (see media_pipeline.clips)."""


class CompositingBackend(Protocol):
    def composite(
        self, *, scene_image_path: str, product_image_path: str, instruction: str, seed: int
    ) -> StoredMedia: ...


class AudioBackend(Protocol):
    def generate(self, *, prompt: str, duration: float, seed: int) -> StoredMedia: ...


class CutoutBackend(Protocol):
    def cutout(self, *, image_path: str) -> StoredMedia:
        """The photo's subject on a transparent background: an RGBA PNG cropped to its outline."""


@dataclass(frozen=True)
class CapturePhoto:
    """One photo of a 3D capture: the stored photo and its cutout ("" while it has none)."""

    image_path: str
    cutout_path: str = ""


@dataclass(frozen=True)
class CaptureResult:
    """What a capture stage hands on: `state` (JSON) goes to the next stage; the last stage
    also gives the turntable clip and its frames. `gpu_seconds` is what the stage was billed."""

    state: dict[str, Any] = field(default_factory=dict)
    gpu_seconds: float = 0.0
    clip: StoredMedia | None = None
    poster: StoredMedia | None = None
    frames_prefix: str = ""
    frame_count: int = 0


class CaptureHooks(Protocol):
    """How a running stage talks to its job: the remote call to resume or cancel, progress."""

    def started(self, call_id: str) -> None: ...

    def progress(self, percent: int) -> None: ...

    def cancelled(self) -> bool: ...


class CaptureBackend(Protocol):
    """A product's 3D capture in three stages: camera poses, training, a turntable render.

    `resume` is the remote call id a previous delivery of the same stage started: the stage
    waits for that call rather than starting another. `label` says what the result is.
    """

    label: str
    runs_locally: bool

    def poses(
        self, *, photos: list[CapturePhoto], resume: str, hooks: CaptureHooks
    ) -> CaptureResult: ...

    def train(
        self, *, photos: list[CapturePhoto], state: dict[str, Any], resume: str, hooks: CaptureHooks
    ) -> CaptureResult: ...

    def render(
        self,
        *,
        photos: list[CapturePhoto],
        state: dict[str, Any],
        frame_count: int,
        resume: str,
        hooks: CaptureHooks,
    ) -> CaptureResult: ...

    def cancel(self, *, call_id: str) -> None: ...
