from django.conf import settings
from django.db import models
from django.utils import timezone

from media_pipeline.briefs import (
    BRIEF_FIELDS,
    FIELD_LABELS,
    empty_brief,
    is_complete,
    missing_fields,
)
from media_pipeline.states import StateGraph


class Step(models.TextChoices):
    BRIEF = "brief", "Brief"
    MOOD = "mood", "Mood"
    SCENES = "scenes", "Scenes"
    FINAL = "final", "Final"


STEP_ORDER = [step.value for step in Step]


class Project(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="projects"
    )
    title = models.CharField(max_length=120)
    # The furthest step the project has unlocked; pages before it stay reachable.
    step = models.CharField(max_length=10, choices=Step.choices, default=Step.BRIEF)
    brief = models.JSONField(default=empty_brief)
    product = models.ForeignKey(
        "projects.Product",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
    )
    # Set by later steps (the chosen mood's first image, the film's poster) for the dashboard.
    thumbnail = models.ImageField(upload_to="thumbnails/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["owner", "-updated_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def brief_is_complete(self) -> bool:
        return is_complete(self.brief)

    @property
    def brief_missing_fields(self) -> list[str]:
        return missing_fields(self.brief)

    @property
    def brief_rows(self) -> list[dict]:
        """The brief's fields in display order, for the brief card."""
        missing = set(self.brief_missing_fields)
        return [
            {
                "name": name,
                "label": FIELD_LABELS[name],
                "value": self.brief.get(name),
                "missing": name in missing,
            }
            for name in BRIEF_FIELDS
        ]

    def step_index(self) -> int:
        return STEP_ORDER.index(self.step)


class ChatMessage(models.Model):
    class Role(models.TextChoices):
        USER = "user", "You"
        ASSISTANT = "assistant", "Assistant"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        STREAMING = "streaming", "Streaming"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(max_length=10, choices=Role.choices)
    content = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DONE)
    error = models.CharField(max_length=500, blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["project", "created_at"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.role}: {self.content[:40]}"


# An assistant reply: pending until a worker claims it, streaming (a lease) until stored whole.
# A transient fault sends it back to pending for the retry; a failed one may be retried.
REPLY_STATES = StateGraph(
    ChatMessage.Status,
    {
        ChatMessage.Status.PENDING: [ChatMessage.Status.STREAMING, ChatMessage.Status.FAILED],
        ChatMessage.Status.STREAMING: [
            ChatMessage.Status.STREAMING,
            ChatMessage.Status.PENDING,
            ChatMessage.Status.DONE,
            ChatMessage.Status.FAILED,
        ],
        ChatMessage.Status.FAILED: [ChatMessage.Status.PENDING],
    },
)
ANSWERING = (ChatMessage.Status.PENDING, ChatMessage.Status.STREAMING)


class Product(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="products"
    )
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    link = models.URLField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["owner", "name"])]

    def __str__(self) -> str:
        return self.name


class CutoutStatus(models.TextChoices):
    QUEUED = "queued", "Cutting out"
    RUNNING = "running", "Cutting out"
    DONE = "done", "Cut out"
    FAILED = "failed", "Failed"


class ProductImage(models.Model):
    """A product photo; the first by position is the product's main photo."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="products/")
    original_name = models.CharField(max_length=200, blank=True)
    # The product on a transparent background, used for compositing into scenes.
    cutout = models.ImageField(upload_to="products/cutouts/", blank=True)
    cutout_status = models.CharField(
        max_length=10, choices=CutoutStatus.choices, default=CutoutStatus.QUEUED
    )
    cutout_error = models.CharField(max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    status_changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["cutout_status"])]

    def __str__(self) -> str:
        return f"{self.product} #{self.position}"


# A photo's cutout: queued at upload, running under a lease, then done or failed; either may
# be made again (a retry, or a better backend).
CUTOUT_STATES = StateGraph(
    CutoutStatus,
    {
        CutoutStatus.QUEUED: [CutoutStatus.RUNNING, CutoutStatus.FAILED],
        CutoutStatus.RUNNING: [
            CutoutStatus.RUNNING,
            CutoutStatus.QUEUED,
            CutoutStatus.DONE,
            CutoutStatus.FAILED,
        ],
        CutoutStatus.DONE: [CutoutStatus.QUEUED],
        CutoutStatus.FAILED: [CutoutStatus.QUEUED],
    },
    field="cutout_status",
)
