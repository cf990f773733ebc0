"""Request and response bodies, validated by pydantic and described in the OpenAPI document.

The `*_out` functions turn rows into the response dicts; the SSE streams send the same shapes,
so a scene in `GET /api/scenes/{id}` and in a `scene_update` event cannot drift apart.
"""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.base import File
from django.core.validators import URLValidator
from django.urls import reverse
from ninja import Field, Schema
from pydantic import ConfigDict, field_validator

from media_pipeline.base import MAX_SCENE_SECONDS, MIN_SCENE_SECONDS, CameraMove
from nerf.models import NerfJob
from projects.models import Product, ProductImage, Project
from storyboards.models import Composition, Mood, Scene, Storyboard
from storyboards.selectors import SceneCard


class In(Schema):
    # An unknown field is a typo the client should hear about, not something to drop silently.
    model_config = ConfigDict(extra="forbid")


class BriefIn(In):
    product: str | None = None
    audience: str | None = None
    tone: str | None = None
    key_messages: list[str] = []
    call_to_action: str | None = None
    target_length: int | None = None
    aspect_ratio: str | None = None


class ProjectIn(In):
    title: str = Field("", max_length=120)
    brief: BriefIn | None = None
    product_id: int | None = None


class ProjectProductIn(In):
    product_id: int | None = Field(..., description="One of your products, or null for none.")


class ProjectRef(In):
    project_id: int


class TextIn(In):
    text: str = Field(..., max_length=2000)


class InstructionIn(In):
    instruction: str = Field("", max_length=300)


class ImageInstructionIn(In):
    instruction: str | None = Field(None, max_length=300)


class DurationIn(In):
    duration: float = Field(..., ge=MIN_SCENE_SECONDS, le=MAX_SCENE_SECONDS)
    motion: CameraMove | None = None


class CompositionIn(In):
    project_id: int
    transition: Composition.Transition = Composition.Transition.CROSSFADE
    reframe: Composition.Reframe = Composition.Reframe.PAD
    aspect_ratio: str = "9:16"
    captions: bool = False
    # An own track is uploaded on the Final page; the API offers the generated music or none.
    audio_source: Composition.AudioSource = Composition.AudioSource.GENERATED
    audio_volume: float = Field(1.0, ge=0, le=2)


class ProductIn(In):
    name: str = Field(..., min_length=1, max_length=120, pattern=r"\S")
    description: str = Field("", max_length=2000)
    link: str = Field("", max_length=200)

    @field_validator("link")
    @classmethod
    def link_is_a_web_address(cls, link: str) -> str:
        """Django's URLValidator, as the model's URLField; unlike the page's form, which adds
        https:// to a bare address, a script must send the full one."""
        if link:
            try:
                URLValidator(schemes=["http", "https"])(link)
            except DjangoValidationError as error:
                raise ValueError(
                    "Enter a full web address, such as https://shop.example/glow."
                ) from error
        return link


class TokenIn(In):
    name: str = Field(..., min_length=1, max_length=80)
    expires_at: datetime | None = None


class GenerationStatusOut(Schema):
    text: str
    image: str
    video: str


class SceneOut(Schema):
    id: int
    scene_id: int
    storyboard_id: int
    position: int
    text: str
    image_prompt: str
    duration: float
    motion: str
    state: str
    generation_status: GenerationStatusOut
    image_stale: bool
    video_stale: bool
    image_url: str | None
    video_url: str | None
    error_message: str | None


class StoryboardOut(Schema):
    id: int
    project_id: int
    status: str
    error: str
    is_current: bool
    complete: bool
    scenes: list[SceneOut]


class MoodImageOut(Schema):
    position: int
    status: str
    image_url: str | None
    width: int
    height: int
    error: str


class MoodOut(Schema):
    id: int
    project_id: int
    position: int
    name: str
    feel: str
    palette: list[Any]
    layout: str
    status: str
    selected: bool
    error: str
    images: list[MoodImageOut]


class CompositionOut(Schema):
    id: int
    storyboard_id: int
    status: str
    progress: int
    stage: str
    error: str
    transition: str
    reframe: str
    aspect_ratio: str
    captions: bool
    audio_source: str
    audio_volume: float
    duration: float | None
    width: int
    height: int
    size_bytes: int | None
    video_url: str | None
    thumbnail_url: str | None
    audio_url: str | None


class ProjectOut(Schema):
    id: int
    title: str
    step: str
    product_id: int | None
    brief: dict[str, Any]
    brief_complete: bool
    missing_fields: list[str]


class PhotoOut(Schema):
    id: int
    position: int
    original_name: str
    image_url: str | None
    cutout_url: str | None
    cutout_status: str
    cutout_error: str
    main: bool


class ProductOut(Schema):
    id: int
    name: str
    description: str
    link: str
    created_at: datetime
    photos: list[PhotoOut]


class RefusedFileOut(Schema):
    name: str
    reason: str


class PhotosAddedOut(Schema):
    added: list[PhotoOut]
    refused: list[RefusedFileOut]


class CaptureOut(Schema):
    id: int
    product_id: int
    stage: str
    status: str
    progress: int
    error: str
    backend_label: str
    turntable_url: str | None
    poster_url: str | None
    created_at: datetime
    updated_at: datetime


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str


class ActionOut(Schema):
    started: int


class UsageRow(Schema):
    capability: str
    backend: str
    calls: int
    failures: int
    cost_estimate: float


class UsageOut(Schema):
    since: datetime
    rows: list[UsageRow]


def file_url(file: File | None) -> str | None:
    """The owner-checked API URL of a stored file (tokens and sessions both reach it)."""
    name = getattr(file, "name", "")
    return reverse("api:file", kwargs={"path": name}) if name else None


def scene_out(scene: Scene) -> dict[str, Any]:
    return {
        "id": scene.pk,
        "scene_id": scene.pk,
        "storyboard_id": scene.storyboard_id,
        "position": scene.position,
        "text": scene.text,
        "image_prompt": scene.image_prompt,
        "duration": scene.duration,
        "motion": scene.motion,
        "state": scene.state,
        "generation_status": {
            "text": scene.text_status,
            "image": scene.image_status,
            "video": scene.video_status,
        },
        "image_stale": scene.image_stale,
        "video_stale": scene.video_stale,
        "image_url": file_url(scene.image),
        "video_url": file_url(scene.video),
        "error_message": scene.error_message or None,
    }


def storyboard_complete(storyboard: Storyboard, scenes: list[Scene]) -> bool:
    """Ready, and every scene has an up-to-date clip (what the Scenes page calls finished)."""
    cards = [SceneCard(scene=scene, count=len(scenes)) for scene in scenes]
    fresh = [card.clip_ready and not card.scene.video_stale for card in cards]
    return storyboard.status == Storyboard.Status.READY and bool(fresh) and all(fresh)


def storyboard_out(storyboard: Storyboard) -> dict[str, Any]:
    scenes = list(storyboard.scenes.all())
    return {
        "id": storyboard.pk,
        "project_id": storyboard.project_id,
        "status": storyboard.status,
        "error": storyboard.error,
        "is_current": storyboard.is_current,
        "complete": storyboard_complete(storyboard, scenes),
        "scenes": [scene_out(scene) for scene in scenes],
    }


def mood_out(mood: Mood) -> dict[str, Any]:
    images = [
        {
            "position": image.position,
            "status": image.status,
            "image_url": file_url(image.image),
            "width": image.width,
            "height": image.height,
            "error": image.error,
        }
        for image in mood.images.all()
    ]
    fields = ("name", "feel", "palette", "layout", "status", "selected", "error", "position")
    return {
        "id": mood.pk,
        "project_id": mood.project_id,
        **{field: getattr(mood, field) for field in fields},
        "images": images,
    }


def composition_out(composition: Composition) -> dict[str, Any]:
    fields = (
        "storyboard_id",
        "status",
        "progress",
        "stage",
        "error",
        "transition",
        "reframe",
        "aspect_ratio",
        "captions",
        "audio_source",
        "audio_volume",
        "duration",
        "width",
        "height",
        "size_bytes",
    )
    return {
        "id": composition.pk,
        **{field: getattr(composition, field) for field in fields},
        "video_url": file_url(composition.video),
        "thumbnail_url": file_url(composition.thumbnail),
        "audio_url": file_url(composition.audio),
    }


def project_out(project: Project) -> dict[str, Any]:
    return {
        "id": project.pk,
        "title": project.title,
        "step": project.step,
        "product_id": project.product_id,
        "brief": project.brief,
        "brief_complete": project.brief_is_complete,
        "missing_fields": project.brief_missing_fields,
    }


def photo_out(image: ProductImage, *, main: bool) -> dict[str, Any]:
    fields = ("id", "position", "original_name", "cutout_status", "cutout_error")
    return {
        **{field: getattr(image, field) for field in fields},
        "image_url": file_url(image.image),
        "cutout_url": file_url(image.cutout),
        "main": main,
    }


def product_out(product: Product) -> dict[str, Any]:
    """The product with its photos in order; the first is the main photo."""
    photos = sorted(product.images.all(), key=lambda image: (image.position, image.pk))
    fields = ("id", "name", "description", "link", "created_at")
    return {
        **{field: getattr(product, field) for field in fields},
        "photos": [photo_out(image, main=index == 0) for index, image in enumerate(photos)],
    }


def capture_out(job: NerfJob) -> dict[str, Any]:
    fields = ("id", "product_id", "stage", "status", "progress", "error", "backend_label")
    return {
        **{field: getattr(job, field) for field in fields},
        "turntable_url": file_url(job.turntable),
        "poster_url": file_url(job.poster),
        "created_at": job.created_at,
        "updated_at": job.updated_at,
    }
