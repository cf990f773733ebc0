from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from projects.decorators import project_step
from projects.models import Project, Step
from projects.ratelimit import RateLimited
from projects.steps import step_page_context
from storyboards import services
from storyboards.live import render_mood_region, render_mood_update
from storyboards.selectors import (
    mood_get_for_project,
    mood_page_for_project,
    mood_selected_for_project,
)


@require_GET
@project_step(Step.MOOD)
def mood(request: HttpRequest, project: Project) -> HttpResponse:
    page = mood_page_for_project(project)
    if request.htmx:
        return HttpResponse(render_mood_region(page, oob=False, request=request))
    return render(
        request, "storyboards/mood.html", step_page_context(project, Step.MOOD, page=page)
    )


@require_POST
@project_step(Step.MOOD)
def mood_generate(request: HttpRequest, project: Project) -> HttpResponse:
    try:
        services.mood_generate_all(project=project, user=request.user)
    except (services.MoodError, RateLimited) as error:
        messages.error(request, str(error))
    return _region_response(request, project)


@require_POST
@project_step(Step.MOOD)
def mood_regenerate(request: HttpRequest, project: Project, mood_id: int) -> HttpResponse:
    board = mood_get_for_project(project, mood_id)
    try:
        services.mood_regenerate(mood=board)
    except (services.MoodError, RateLimited) as error:
        messages.error(request, str(error))
    if not request.htmx:
        return redirect("storyboards:mood", project.pk)
    page = mood_page_for_project(project)
    return HttpResponse(render_mood_update(page, mood_id, oob=True, request=request))


@require_POST
@project_step(Step.MOOD)
def mood_select(request: HttpRequest, project: Project, mood_id: int) -> HttpResponse:
    board = mood_get_for_project(project, mood_id)
    try:
        services.mood_select(project=project, mood=board)
    except services.MoodError as error:
        messages.error(request, str(error))
    return _region_response(request, project)


def _region_response(request: HttpRequest, project: Project) -> HttpResponse:
    """Out-of-band partials, the same as the live push: the socket may have swapped first."""
    if not request.htmx:
        return redirect("storyboards:mood", project.pk)
    page = mood_page_for_project(project)
    return HttpResponse(render_mood_region(page, oob=True, request=request))


@require_GET
@project_step(Step.SCENES)
def scenes(request: HttpRequest, project: Project) -> HttpResponse:
    return _storyboard_step(request, project, Step.SCENES)


def _storyboard_step(request: HttpRequest, project: Project, step: Step) -> HttpResponse:
    context = step_page_context(
        project,
        step,
        storyboard=project.storyboards.first(),
        mood=mood_selected_for_project(project),
    )
    return render(request, f"storyboards/{step.value}.html", context)
