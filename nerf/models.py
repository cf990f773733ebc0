from django.db import models
from django.db.models import Q


class NerfJob(models.Model):
    """A product's 3D capture: camera poses (COLMAP), NeRF training, then a turntable render."""

    class Stage(models.TextChoices):
        COLMAP = "colmap", "Camera poses"
        TRAIN = "train", "Training"
        RENDER = "render", "Rendering"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        COMPLETE = "complete", "Complete"
        ERROR = "error", "Error"

    product = models.ForeignKey(
        "projects.Product", on_delete=models.CASCADE, related_name="nerf_jobs"
    )
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.COLMAP)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    remote_call_id = models.CharField(max_length=100, blank=True)
    frames_prefix = models.CharField(
        max_length=300, blank=True, help_text="Storage folder of the RGBA frames."
    )
    frame_count = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="nerf_progress_0_100")
        ]
        indexes = [models.Index(fields=["status"]), models.Index(fields=["product", "-created_at"])]

    def __str__(self) -> str:
        return f"NeRF job {self.pk} ({self.stage}, {self.status})"
