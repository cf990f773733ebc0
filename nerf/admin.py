from django.contrib import admin

from nerf.models import NerfJob


@admin.register(NerfJob)
class NerfJobAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "product",
        "stage",
        "status",
        "progress",
        "backend_label",
        "gpu_seconds",
        "cost_usd",
        "updated_at",
    ]
    list_filter = ["stage", "status"]
    search_fields = ["product__name", "product__owner__email", "remote_call_id"]
    list_select_related = ["product"]
    raw_id_fields = ["product"]
    readonly_fields = [
        "created_at",
        "updated_at",
        "status_changed_at",
        "stage_seconds",
        "gpu_seconds",
        "cost_usd",
        "remote_call_id",
    ]
