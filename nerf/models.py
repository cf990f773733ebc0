from django.db import models
from django.db.models import Q
from django.utils import timezone

from media_pipeline.states import StateGraph


class NerfJob(models.Model):
    """A product's 3D capture: camera poses (COLMAP), NeRF training, then a turntable render.

    Each stage runs as its own job: `pending` until a worker claims it, `running` under a lease
    (its remote call id kept so a redelivered job waits for it), then `pending` at the next
    stage, and `complete` after the last. `state` carries what one stage hands the next.
    """

    class Stage(models.TextChoices):
        COLMAP = "colmap", "Camera poses"
        TRAIN = "train", "Training"
        RENDER = "render", "Rendering"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        COMPLETE = "complete", "Complete"
        ERROR = "error", "Error"
        CANCELLED = "cancelled", "Cancelled"

    product = models.ForeignKey(
        "projects.Product", on_delete=models.CASCADE, related_name="nerf_jobs"
    )
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.COLMAP)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    # What the result is: a NeRF turntable, or the offline 2.5D one made from the photos.
    backend_label = models.CharField(max_length=120, blank=True)
    remote_call_id = models.CharField(max_length=100, blank=True)
    photos = models.JSONField(default=list, help_text="Storage paths of the photos and cutouts.")
    state = models.JSONField(default=dict, blank=True)
    frames_prefix = models.CharField(
        max_length=300, blank=True, help_text="Storage folder of the RGBA frames."
    )
    frame_count = models.PositiveIntegerField(default=0)
    turntable = models.FileField(upload_to="captures/", blank=True)
    poster = models.ImageField(upload_to="captures/", blank=True)
    stage_seconds = models.JSONField(default=dict, blank=True)
    gpu_seconds = models.FloatField(default=0.0)
    cost_usd = models.DecimalField(max_digits=10, decimal_places=4, default=0)
    error = models.CharField(max_length=500, blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
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

    @property
    def in_flight(self) -> bool:
        return self.status in IN_FLIGHT


IN_FLIGHT = (NerfJob.Status.PENDING, NerfJob.Status.RUNNING)
STAGES = [stage.value for stage in NerfJob.Stage]

# Pending → running (a lease; running → running takes over a dead worker's stage) → pending at
# the next stage, or complete after the last; error and cancelled may start again.
NERF_STATES = StateGraph(
    NerfJob.Status,
    {
        NerfJob.Status.PENDING: [
            NerfJob.Status.RUNNING,
            NerfJob.Status.ERROR,
            NerfJob.Status.CANCELLED,
        ],
        NerfJob.Status.RUNNING: [
            NerfJob.Status.RUNNING,
            NerfJob.Status.PENDING,
            NerfJob.Status.COMPLETE,
            NerfJob.Status.ERROR,
            NerfJob.Status.CANCELLED,
        ],
        NerfJob.Status.ERROR: [NerfJob.Status.PENDING],
        NerfJob.Status.CANCELLED: [NerfJob.Status.PENDING],
    },
)
