from django.contrib import admin
from django.http import HttpRequest

from media_pipeline.models import ProviderUsage


@admin.register(ProviderUsage)
class ProviderUsageAdmin(admin.ModelAdmin):
    """A read-only ledger: rows are written by `media_pipeline.metering`, never by hand."""

    list_display = (
        "created_at",
        "capability",
        "backend",
        "model",
        "outcome",
        "seconds",
        "predict_seconds",
        "input_tokens",
        "output_tokens",
        "cost_estimate",
        "user",
        "subject",
    )
    list_filter = ("capability", "backend", "outcome")
    date_hierarchy = "created_at"
    search_fields = ("model", "subject", "error", "user__email")
    list_select_related = ("user",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ProviderUsage | None = None) -> bool:
        return False
