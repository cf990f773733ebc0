"""A project held for review shows its owner a notice instead of its pages."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.deprecation import MiddlewareMixin

from operations.models import ProjectHold


class ProjectHoldMiddleware(MiddlewareMixin):
    """Any view with a `project_id` argument answers "under review" to the held project's owner."""

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        project_id = kwargs.get("project_id")
        if project_id is None or not request.user.is_authenticated:
            return None
        held = ProjectHold.objects.filter(project_id=project_id, project__owner=request.user)
        if not held.exists():
            return None
        message = "This project is under review by our team. We'll be in touch by email."
        if getattr(request, "htmx", False):
            return HttpResponse(message, status=403, content_type="text/plain; charset=utf-8")
        context = {"title": "Under review", "message": message}
        return render(request, "refused.html", context, status=403)
