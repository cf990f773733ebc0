"""The Capture page of a project: its product's 3D captures, each a live card."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from media_pipeline.estimates import button_label
from nerf import services
from nerf.selectors import capture_get_for_user, capture_list_for_user
from nerf.services import CaptureError
from projects.ratelimit import RateLimited
from projects.selectors import project_get_for_user


@require_GET
def capture_page(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_get_for_user(request.user, project_id)
    jobs = capture_list_for_user(request.user).filter(product_id=project.product_id)
    context = {
        "project": project,
        "jobs": jobs[:10],
        "step": "capture",
        "start_label": button_label("Start a capture", "capture"),
    }
    return render(request, "nerf/capture.html", context)


@require_POST
def capture_start(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_get_for_user(request.user, project_id)
    if project.product is None:
        messages.error(request, "Choose the project's product on the Brief page first.")
    else:
        _attempt(
            request, lambda: services.capture_start(product=project.product, user=request.user)
        )
    return redirect("nerf:capture", project_id=project.pk)


ACTIONS = {"cancel": services.capture_cancel, "retry": services.capture_retry}


@require_POST
def capture_action(request: HttpRequest, capture_id: int, action: str) -> HttpResponse:
    job = capture_get_for_user(request.user, capture_id)
    if action not in ACTIONS:
        raise Http404("No such action.")
    _attempt(request, lambda: ACTIONS[action](job=job))
    if not request.htmx:
        return redirect("projects:product", product_id=job.product_id)
    job = capture_get_for_user(request.user, capture_id)
    return render(request, "nerf/_capture_card.html", {"job": job})


def _attempt(request: HttpRequest, action) -> None:
    try:
        action()
    except (CaptureError, RateLimited) as error:
        messages.error(request, str(error))
