"""What staff keep: users' monthly budgets, flagged content, and projects held for review.

Staff actions are logged with Django's own `LogEntry` (operations.actions), so each one shows
on its object's history page in the admin.
"""

from django.conf import settings
from django.db import models


class Budget(models.Model):
    """A user's own monthly limit; users without one have settings.MONTHLY_BUDGET_USD."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="budget"
    )
    monthly_limit = models.DecimalField(max_digits=10, decimal_places=2, help_text="US$ a month.")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"${self.monthly_limit} a month for {self.user}"


class Flag(models.Model):
    """Content the moderation check refused, waiting for a staff decision."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DISMISSED = "dismissed", "Dismissed"
        ACTIONED = "actioned", "Actioned"

    what = models.CharField(max_length=40, help_text='The input, e.g. "chat message".')
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.SET_NULL, related_name="flags"
    )
    subject = models.CharField(max_length=60, blank=True)
    excerpt = models.TextField()
    reason = models.CharField(max_length=300)
    backend = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.what} flagged: {self.reason}"


class ProjectHold(models.Model):
    """A project hidden while staff review it: its owner sees that it is under review."""

    project = models.OneToOneField(
        "projects.Project", on_delete=models.CASCADE, related_name="hold"
    )
    flag = models.ForeignKey(Flag, null=True, blank=True, on_delete=models.SET_NULL)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.project} under review"


# Daily roll-ups of the usage ledger (media_pipeline.ProviderUsage), kept on write by
# operations.rollups: the metrics page reads these few rows instead of a month of calls.


class UsageDay(models.Model):
    """Calls, successes and cost of one capability and backend on one (local) day."""

    day = models.DateField()
    capability = models.CharField(max_length=20)
    backend = models.CharField(max_length=60)
    calls = models.IntegerField(default=0)
    done = models.IntegerField(default=0)
    cost = models.DecimalField(max_digits=14, decimal_places=6, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "capability", "backend"], name="usage_day_unique"
            )
        ]
        verbose_name = verbose_name_plural = "usage by day"

    def __str__(self) -> str:
        return f"{self.capability}/{self.backend} on {self.day}: {self.calls} calls"


class UsageDuration(models.Model):
    """How many calls of one capability and backend took a duration in `bucket` on one day.

    Buckets are logarithmic (operations.rollups.duration_bucket), so percentiles read from
    them are within 1% of the exact ones.
    """

    day = models.DateField()
    capability = models.CharField(max_length=20)
    backend = models.CharField(max_length=60)
    bucket = models.SmallIntegerField()
    calls = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "capability", "backend", "bucket"], name="usage_duration_unique"
            )
        ]
        verbose_name = verbose_name_plural = "durations by day"

    def __str__(self) -> str:
        return f"{self.capability}/{self.backend} on {self.day}, bucket {self.bucket}"


class UserSpendDay(models.Model):
    """Calls and cost of one user on one day (top spenders, active users, budgets)."""

    day = models.DateField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    calls = models.IntegerField(default=0)
    cost = models.DecimalField(max_digits=14, decimal_places=6, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "user"], name="user_spend_day_unique")
        ]
        verbose_name = verbose_name_plural = "spend by user and day"

    def __str__(self) -> str:
        return f"user {self.user_id} on {self.day}: ${self.cost}"
