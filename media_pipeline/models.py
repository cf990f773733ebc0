from django.conf import settings
from django.db import models
from django.utils import timezone


class ProviderUsage(models.Model):
    """One call to a provider backend: what it cost and how it ended."""

    class Outcome(models.TextChoices):
        SUCCESS = "success", "Success"
        RETRYABLE = "retryable", "Transient error"
        PERMANENT = "permanent", "Permanent error"

    capability = models.CharField(max_length=20)
    backend = models.CharField(max_length=60)
    model = models.CharField(max_length=200, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    seconds = models.FloatField(help_text="Wall-clock time of the call.")
    predict_seconds = models.FloatField(
        null=True, blank=True, help_text="Billed GPU time, when reported."
    )
    input_tokens = models.PositiveIntegerField(null=True, blank=True)
    output_tokens = models.PositiveIntegerField(null=True, blank=True)
    cost_estimate = models.DecimalField(max_digits=10, decimal_places=6, default=0)
    error = models.CharField(max_length=500, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(
        max_length=60, blank=True, help_text='What the call was for, e.g. "project:12".'
    )
    # Stamped on insert; settable so imported or backfilled rows keep their own time.
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["capability", "created_at"]),
            models.Index(fields=["outcome"]),
            # A project's spend on the dashboard: subject = "project:12" or LIKE "project:12:%"
            # (the pattern operator class lets PostgreSQL use the index for the prefix).
            models.Index(
                fields=["subject"], name="usage_subject", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return f"{self.capability}/{self.backend} {self.outcome}"
