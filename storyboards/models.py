"""Moods, storyboards, scenes and compositions, each status field with its state graph beside it.

The graphs are the only transitions `media_pipeline.states.transition` will perform; tests walk
every declared edge and check that undeclared ones are refused.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from media_pipeline.base import (
    DEFAULT_SCENE_SECONDS,
    MAX_SCENE_SECONDS,
    MIN_SCENE_SECONDS,
    CameraMove,
)
from media_pipeline.states import StateGraph


class GenerationStatus(models.TextChoices):
    """The life of one generated artifact (an image, a scene's text, a clip...)."""

    IDLE = "idle", "Not started"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Generating"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


IN_FLIGHT = (GenerationStatus.QUEUED, GenerationStatus.RUNNING)

# One artifact's job: queued until a worker claims it, running (a lease: a running artifact
# whose worker died is claimed again), then done or failed; done or failed may start again.
ARTIFACT_STATES = StateGraph(
    GenerationStatus,
    {
        GenerationStatus.IDLE: [GenerationStatus.QUEUED],
        GenerationStatus.QUEUED: [GenerationStatus.RUNNING, GenerationStatus.FAILED],
        GenerationStatus.RUNNING: [
            GenerationStatus.RUNNING,
            GenerationStatus.QUEUED,
            GenerationStatus.DONE,
            GenerationStatus.FAILED,
        ],
        GenerationStatus.DONE: [GenerationStatus.QUEUED],
        GenerationStatus.FAILED: [GenerationStatus.QUEUED],
    },
)


class Mood(models.Model):
    class Status(models.TextChoices):
        IDLE = "idle", "Not started"
        PLANNING = "planning", "Planning"
        DRAWING = "drawing", "Drawing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="moods")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=80, blank=True)
    feel = models.CharField(max_length=200, blank=True)
    palette = models.JSONField(default=list, blank=True)
    layout = models.CharField(max_length=40, blank=True)
    image_prompt = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.IDLE)
    # The project's chosen board; at most one per project (a conditional unique constraint).
    selected = models.BooleanField(default=False)
    error = models.CharField(max_length=500, blank=True)
    seed = models.PositiveIntegerField(default=0)
    # Each plan asks the writer for a new variation, so "Regenerate" brings new directions.
    variation = models.PositiveIntegerField(default=0)
    status_changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "position"], name="mood_position_unique_per_project"
            ),
            models.UniqueConstraint(
                fields=["project"], condition=Q(selected=True), name="one_selected_mood_per_project"
            ),
        ]
        indexes = [models.Index(fields=["status", "status_changed_at"])]

    def __str__(self) -> str:
        return self.name or f"Mood {self.position + 1}"


# A board is planned (one text call gives every queued board its direction), then drawn (one
# job per image); it is done when every image is, failed when one image fails or the plan does.
MOOD_STATES = StateGraph(
    Mood.Status,
    {
        Mood.Status.IDLE: [Mood.Status.PLANNING],
        Mood.Status.PLANNING: [Mood.Status.DRAWING, Mood.Status.FAILED],
        Mood.Status.DRAWING: [Mood.Status.DONE, Mood.Status.FAILED],
        Mood.Status.DONE: [Mood.Status.PLANNING],
        Mood.Status.FAILED: [Mood.Status.PLANNING, Mood.Status.DRAWING],
    },
)
MOOD_IN_FLIGHT = (Mood.Status.PLANNING, Mood.Status.DRAWING)


class MoodImage(models.Model):
    mood = models.ForeignKey(Mood, on_delete=models.CASCADE, related_name="images")
    position = models.PositiveSmallIntegerField()
    image = models.ImageField(
        upload_to="moods/", width_field="width", height_field="height", blank=True
    )
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=10, choices=GenerationStatus.choices, default=GenerationStatus.QUEUED
    )
    error = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    status_changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["mood", "position"], name="mood_image_position_unique")
        ]
        indexes = [models.Index(fields=["status", "status_changed_at"])]

    def __str__(self) -> str:
        return f"{self.mood} image {self.position + 1}"


class Storyboard(models.Model):
    class Status(models.TextChoices):
        GENERATING = "generating", "Generating"
        READY = "ready", "Ready"
        ERROR = "error", "Error"

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="storyboards"
    )
    brief = models.JSONField(help_text="The brief as it was when the storyboard was made.")
    mood = models.JSONField(help_text="The chosen mood as it was when the storyboard was made.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.GENERATING)
    error = models.CharField(max_length=500, blank=True)
    # The storyboard the user is working on; earlier ones stay until the new one is ready.
    is_current = models.BooleanField(default=False)
    status_changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["project", "-created_at"]), models.Index(fields=["status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["project"], condition=Q(is_current=True), name="one_current_storyboard"
            )
        ]

    def __str__(self) -> str:
        return f"Storyboard {self.pk} of {self.project}"

    @property
    def usage_subject(self) -> str:
        """The tag of its provider calls (ProviderUsage.subject), so its cost can be summed."""
        return f"project:{self.project_id}:storyboard:{self.pk}"


# Generating while the writer plans the scenes; ready once they are stored.
STORYBOARD_STATES = StateGraph(
    Storyboard.Status,
    {
        Storyboard.Status.GENERATING: [Storyboard.Status.READY, Storyboard.Status.ERROR],
        Storyboard.Status.ERROR: [Storyboard.Status.GENERATING],
    },
)


class Scene(models.Model):
    class State(models.TextChoices):
        TEXT = "text", "Text"
        IMAGE = "image", "Image"
        VIDEO = "video", "Video"

    storyboard = models.ForeignKey(Storyboard, on_delete=models.CASCADE, related_name="scenes")
    position = models.PositiveSmallIntegerField()
    text = models.TextField(blank=True)
    image_prompt = models.TextField(blank=True)
    # The user's extra words for the next image ("warmer light"), kept until replaced.
    image_instruction = models.CharField(max_length=300, blank=True)
    image = models.ImageField(upload_to="scenes/images/", blank=True)
    # The image before the product was placed into it: one click brings it back.
    previous_image = models.ImageField(upload_to="scenes/images/", blank=True)
    # How faithfully the placed product matches its photos (media_pipeline.fidelity), 0-1;
    # null for an image the product was not placed into.
    product_match = models.FloatField(null=True, blank=True)
    previous_product_match = models.FloatField(null=True, blank=True)
    placement_instruction = models.CharField(max_length=300, blank=True)
    # The product's 3D turntable over the clip, its box placed by x, y (0-1) and its width a
    # share of the frame's.
    turntable_overlay = models.BooleanField(default=False)
    turntable_x = models.FloatField(default=0.5)
    turntable_y = models.FloatField(default=0.9)
    turntable_scale = models.FloatField(default=0.45)
    video = models.FileField(upload_to="scenes/videos/", blank=True)
    # A later artifact made from an earlier one that has since changed: shown, one click redoes it.
    image_stale = models.BooleanField(default=False)
    video_stale = models.BooleanField(default=False)
    duration = models.FloatField(default=DEFAULT_SCENE_SECONDS)
    motion = models.CharField(max_length=12, choices=CameraMove.choices, default=CameraMove.ZOOM_IN)
    state = models.CharField(max_length=8, choices=State.choices, default=State.TEXT)
    text_status = models.CharField(
        max_length=10, choices=GenerationStatus.choices, default=GenerationStatus.IDLE
    )
    image_status = models.CharField(
        max_length=10, choices=GenerationStatus.choices, default=GenerationStatus.IDLE
    )
    video_status = models.CharField(
        max_length=10, choices=GenerationStatus.choices, default=GenerationStatus.IDLE
    )
    error_message = models.CharField(max_length=500, blank=True)
    text_attempts = models.PositiveSmallIntegerField(default=0)
    image_attempts = models.PositiveSmallIntegerField(default=0)
    video_attempts = models.PositiveSmallIntegerField(default=0)
    seed = models.PositiveIntegerField(default=0)
    status_changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["storyboard", "position"], name="scene_position_unique_per_storyboard"
            ),
            models.CheckConstraint(
                condition=Q(duration__gte=MIN_SCENE_SECONDS) & Q(duration__lte=MAX_SCENE_SECONDS),
                name="scene_duration_in_bounds",
            ),
        ]
        indexes = [
            models.Index(fields=["image_status"]),
            models.Index(fields=["video_status"]),
            models.Index(fields=["status_changed_at"]),
        ]

    def __str__(self) -> str:
        return f"Scene {self.position + 1}"


SCENE_TEXT_STATES = ARTIFACT_STATES.for_field("text_status")
SCENE_IMAGE_STATES = ARTIFACT_STATES.for_field("image_status")
SCENE_VIDEO_STATES = ARTIFACT_STATES.for_field("video_status")


class Composition(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PROCESSING = "processing", "Processing"
        COMPLETE = "complete", "Complete"
        ERROR = "error", "Error"
        CANCELLED = "cancelled", "Cancelled"

    class Transition(models.TextChoices):
        CROSSFADE = "crossfade", "Crossfade"
        CUT = "cut", "Cut"
        FADE_BLACK = "fade_black", "Fade through black"

    class Reframe(models.TextChoices):
        PAD = "pad", "Fit (bars)"
        CROP = "crop", "Fill (crop)"

    class AudioSource(models.TextChoices):
        GENERATED = "generated", "Generated music"
        UPLOADED = "uploaded", "My own track"
        NONE = "none", "No music"

    storyboard = models.ForeignKey(
        Storyboard, on_delete=models.CASCADE, related_name="compositions"
    )
    audio = models.FileField(upload_to="compositions/audio/", blank=True)
    video = models.FileField(upload_to="compositions/videos/", blank=True)
    thumbnail = models.ImageField(upload_to="compositions/thumbnails/", blank=True)
    captions = models.BooleanField(default=False)
    transition = models.CharField(
        max_length=12, choices=Transition.choices, default=Transition.CROSSFADE
    )
    reframe = models.CharField(max_length=4, choices=Reframe.choices, default=Reframe.PAD)
    aspect_ratio = models.CharField(max_length=5, default="9:16")
    audio_source = models.CharField(
        max_length=10, choices=AudioSource.choices, default=AudioSource.GENERATED
    )
    audio_volume = models.FloatField(default=1.0)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    duration = models.FloatField(null=True, blank=True)
    size_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    smart_render = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=40, blank=True)
    error = models.CharField(max_length=500, blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="composition_progress_0_100"
            )
        ]
        indexes = [
            models.Index(fields=["status"]),
            models.Index(fields=["storyboard", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"Composition {self.pk} ({self.status})"


# Pending until the media worker claims it; processing holds a lease that progress renews.
COMPOSITION_STATES = StateGraph(
    Composition.Status,
    {
        Composition.Status.PENDING: [
            Composition.Status.PROCESSING,
            Composition.Status.ERROR,
            Composition.Status.CANCELLED,
        ],
        Composition.Status.PROCESSING: [
            Composition.Status.PROCESSING,
            Composition.Status.PENDING,
            Composition.Status.COMPLETE,
            Composition.Status.ERROR,
            Composition.Status.CANCELLED,
        ],
        Composition.Status.ERROR: [Composition.Status.PENDING],
        Composition.Status.CANCELLED: [Composition.Status.PENDING],
    },
)
