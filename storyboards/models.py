from django.db import models
from django.db.models import Q

MIN_SCENE_SECONDS = 1.0
MAX_SCENE_SECONDS = 10.0
DEFAULT_SCENE_SECONDS = 3.0


class GenerationStatus(models.TextChoices):
    """The life of one generated artifact (a mood board, a scene's image, a clip...)."""

    IDLE = "idle", "Not started"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Generating"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


IN_FLIGHT = (GenerationStatus.QUEUED, GenerationStatus.RUNNING)


class Mood(models.Model):
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="moods")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=80, blank=True)
    feel = models.CharField(max_length=200, blank=True)
    palette = models.JSONField(default=list, blank=True)
    image_prompt = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=GenerationStatus.choices, default=GenerationStatus.IDLE
    )
    error = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    seed = models.PositiveIntegerField(default=0)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "position"], name="mood_position_unique_per_project"
            )
        ]
        indexes = [models.Index(fields=["status", "status_changed_at"])]

    def __str__(self) -> str:
        return self.name or f"Mood {self.position + 1}"


class MoodImage(models.Model):
    mood = models.ForeignKey(Mood, on_delete=models.CASCADE, related_name="images")
    position = models.PositiveSmallIntegerField()
    image = models.ImageField(upload_to="moods/", width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["mood", "position"], name="mood_image_position_unique")
        ]

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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["project", "-created_at"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"Storyboard {self.pk} of {self.project}"


class Scene(models.Model):
    class State(models.TextChoices):
        TEXT = "text", "Text"
        IMAGE = "image", "Image"
        VIDEO = "video", "Video"

    storyboard = models.ForeignKey(Storyboard, on_delete=models.CASCADE, related_name="scenes")
    position = models.PositiveSmallIntegerField()
    text = models.TextField(blank=True)
    image = models.ImageField(upload_to="scenes/images/", blank=True)
    video = models.FileField(upload_to="scenes/videos/", blank=True)
    duration = models.FloatField(default=DEFAULT_SCENE_SECONDS)
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
    status_changed_at = models.DateTimeField(null=True, blank=True)
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


class Composition(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PROCESSING = "processing", "Processing"
        COMPLETE = "complete", "Complete"
        ERROR = "error", "Error"

    storyboard = models.ForeignKey(
        Storyboard, on_delete=models.CASCADE, related_name="compositions"
    )
    audio = models.FileField(upload_to="compositions/audio/", blank=True)
    video = models.FileField(upload_to="compositions/videos/", blank=True)
    thumbnail = models.ImageField(upload_to="compositions/thumbnails/", blank=True)
    captions = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=40, blank=True)
    error = models.CharField(max_length=500, blank=True)
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
