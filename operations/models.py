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
