from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.health import run_checks


@login_not_required
@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("projects:list")
    return render(request, "landing.html")


@login_not_required
@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Which parts are up; why one is down (errors name hosts) only for staff or the token."""
    parts = run_checks()
    healthy = all(part["status"] == "up" for part in parts.values())
    if not _may_see_details(request):
        parts = {name: part["status"] for name, part in parts.items()}
    return JsonResponse(
        {"status": "ok" if healthy else "unhealthy", "parts": parts}, status=200 if healthy else 503
    )


def _may_see_details(request: HttpRequest) -> bool:
    if request.user.is_staff:
        return True
    token = request.GET.get("token", "")
    return bool(settings.HEALTH_TOKEN) and constant_time_compare(token, settings.HEALTH_TOKEN)
