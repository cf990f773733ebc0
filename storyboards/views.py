from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from projects.decorators import project_step
from projects.models import Project, Step
from projects.ratelimit import RateLimited
from projects.steps import step_page_context
from storyboards import placement, scene_services, services
from storyboards.forms import (
    SceneImageForm,
    SceneMoveForm,
    ScenePlaceForm,
    SceneRewriteForm,
    SceneTextForm,
    SceneTimingForm,
    SceneTurntableForm,
)
from storyboards.live import render_mood_region, render_mood_update
from storyboards.models import Scene
from storyboards.scene_live import render_scene_update, render_scenes_region
from storyboards.scene_services import SceneError
from storyboards.selectors import (
    mood_get_for_project,
    mood_page_for_project,
    scene_get_for_project,
    scene_page_for_project,
    storyboard_get_for_project,
)

MOOD_CLEARED = "Your mood board was replaced. Pick a mood again to make the scenes in its style."


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
    page = scene_page_for_project(project)
    if page.mood is None:
        messages.info(request, MOOD_CLEARED)
        return redirect("storyboards:mood", project.pk)
    if request.htmx:
        return HttpResponse(render_scenes_region(page, oob=False, request=request))
    return render(
        request, "storyboards/scenes.html", step_page_context(project, Step.SCENES, page=page)
    )


@require_POST
@project_step(Step.SCENES)
def storyboard_initialize(request: HttpRequest, project: Project) -> HttpResponse:
    _attempt(
        request, lambda: scene_services.storyboard_initialize(project=project, user=request.user)
    )
    return _region_of_scenes(request, project)


@require_POST
@project_step(Step.SCENES)
def storyboard_action(
    request: HttpRequest, project: Project, storyboard_id: int, action: Callable[..., object]
) -> HttpResponse:
    """A whole-board action (approve all texts, generate all images or clips, retry failed);
    the URL names which service it is."""
    storyboard = storyboard_get_for_project(project, storyboard_id)
    _attempt(request, lambda: action(storyboard=storyboard))
    return _region_of_scenes(request, project)


@require_POST
@project_step(Step.SCENES)
def storyboard_finish(request: HttpRequest, project: Project, storyboard_id: int) -> HttpResponse:
    storyboard = storyboard_get_for_project(project, storyboard_id)
    if not _attempt(request, lambda: scene_services.storyboard_finish(storyboard=storyboard)):
        return _region_of_scenes(request, project)
    final_url = reverse("storyboards:final", args=[project.pk])
    return HttpResponseClientRedirect(final_url) if request.htmx else redirect(final_url)


@require_POST
@project_step(Step.SCENES)
def scene_text(request: HttpRequest, project: Project, scene_id: int) -> HttpResponse:
    scene = scene_get_for_project(project, scene_id)
    return _scene_form_action(
        request,
        scene,
        SceneTextForm(request.POST),
        lambda data: scene_services.scene_update_text(scene=scene, text=data["text"]),
    )


@require_POST
@project_step(Step.SCENES)
def scene_rewrite(request: HttpRequest, project: Project, scene_id: int) -> HttpResponse:
    scene = scene_get_for_project(project, scene_id)
    return _scene_form_action(
        request,
        scene,
        SceneRewriteForm(request.POST),
        lambda data: scene_services.scene_rewrite_text(
            scene=scene, instruction=data["instruction"]
        ),
    )


@require_POST
@project_step(Step.SCENES)
def scene_approve_text(request: HttpRequest, project: Project, scene_id: int) -> HttpResponse:
    scene = scene_get_for_project(project, scene_id)
    _attempt(request, lambda: scene_services.scene_approve_text(scene=scene))
    return _scene_response(request, scene)


@require_POST
@project_step(Step.SCENES)
def scene_image(request: HttpRequest, project: Project, scene_id: int) -> HttpResponse:
    scene = scene_get_for_project(project, scene_id)
    return _scene_form_action(
        request,
        scene,
        SceneImageForm(request.POST),
        lambda data: scene_services.scene_generate_image(
            scene=scene, instruction=data["instruction"] if "instruction" in request.POST else None
        ),
    )


@require_POST
@project_step(Step.SCENES)
def scene_place_product(request: HttpRequest, project: Project, scene_id: int) -> HttpResponse:
    scene = scene_get_for_project(project, scene_id)
    return _scene_form_action(
        request,
        scene,
        ScenePlaceForm(request.POST),
        lambda data: placement.scene_place_product(scene=scene, instruction=data["instruction"]),
    )


@require_POST
@project_step(Step.SCENES)
def scene_turntable(request: HttpRequest, project: Project, scene_id: int) -> HttpResponse:
    scene = scene_get_for_project(project, scene_id)
    form = SceneTurntableForm(request.POST)
    return _scene_form_action(
        request,
        scene,
        form,
        lambda data: placement.scene_use_turntable(scene=scene, **form.placement()),
    )


@require_POST
@project_step(Step.SCENES)
def scene_image_back(request: HttpRequest, project: Project, scene_id: int) -> HttpResponse:
    scene = scene_get_for_project(project, scene_id)
    _attempt(request, lambda: placement.scene_image_back(scene=scene))
    return _scene_response(request, scene)


@require_POST
@project_step(Step.SCENES)
def scene_approve_image(request: HttpRequest, project: Project, scene_id: int) -> HttpResponse:
    scene = scene_get_for_project(project, scene_id)
    _attempt(request, lambda: scene_services.scene_approve_image(scene=scene))
    return _scene_response(request, scene)


@require_POST
@project_step(Step.SCENES)
def scene_video(request: HttpRequest, project: Project, scene_id: int) -> HttpResponse:
    scene = scene_get_for_project(project, scene_id)
    _attempt(request, lambda: scene_services.scene_generate_video(scene=scene))
    return _scene_response(request, scene)


@require_POST
@project_step(Step.SCENES)
def scene_timing(request: HttpRequest, project: Project, scene_id: int) -> HttpResponse:
    scene = scene_get_for_project(project, scene_id)
    return _scene_form_action(
        request,
        scene,
        SceneTimingForm(request.POST),
        lambda data: scene_services.scene_update_timing(
            scene=scene, duration=data["duration"], motion=data["motion"]
        ),
    )


@require_POST
@project_step(Step.SCENES)
def scene_add(request: HttpRequest, project: Project, scene_id: int) -> HttpResponse:
    scene = scene_get_for_project(project, scene_id)
    _attempt(request, lambda: scene_services.scene_add(after=scene))
    return _region_of_scenes(request, project)


@require_POST
@project_step(Step.SCENES)
def scene_delete(request: HttpRequest, project: Project, scene_id: int) -> HttpResponse:
    scene = scene_get_for_project(project, scene_id)
    _attempt(request, lambda: scene_services.scene_delete(scene=scene))
    return _region_of_scenes(request, project)


@require_POST
@project_step(Step.SCENES)
def scene_move(request: HttpRequest, project: Project, scene_id: int) -> HttpResponse:
    scene = scene_get_for_project(project, scene_id)
    form = SceneMoveForm(request.POST)
    if form.is_valid():
        _attempt(request, lambda: scene_services.scene_reorder(scene=scene, offset=form.offset))
    return _region_of_scenes(request, project)


def _attempt(request: HttpRequest, action: Callable[[], object]) -> bool:
    """Run one service; a refusal becomes a message on the page."""
    try:
        action()
    except (SceneError, RateLimited) as error:
        messages.error(request, str(error))
        return False
    return True


def _scene_form_action(
    request: HttpRequest,
    scene: Scene,
    form: forms.Form,
    action: Callable[[dict], object],
) -> HttpResponse:
    """Validate the form and run the action, or answer the card with the form's error."""
    if not form.is_valid():
        errors = [error for field_errors in form.errors.values() for error in field_errors]
        field = type(form).__name__.removeprefix("Scene").removesuffix("Form").lower()
        # 200, not 422: htmx swaps no error response, and the card must show the message.
        return _scene_response(request, scene, form_errors={field: errors[0]})
    _attempt(request, lambda: action(form.cleaned_data))
    return _scene_response(request, scene)


def _scene_response(
    request: HttpRequest,
    scene: Scene,
    *,
    form_errors: dict[str, str] | None = None,
) -> HttpResponse:
    """The scene's card and the toolbar, out of band like the push (which may have come first)."""
    project = scene.storyboard.project
    if not request.htmx:
        for error in (form_errors or {}).values():
            messages.error(request, error)
        return redirect("storyboards:scenes", project.pk)
    page = scene_page_for_project(project)
    if page.card(scene.pk) is None:
        return _region_of_scenes(request, project)
    html = render_scene_update(page, scene.pk, oob=True, request=request, form_errors=form_errors)
    return HttpResponse(html)


def _region_of_scenes(request: HttpRequest, project: Project) -> HttpResponse:
    if not request.htmx:
        return redirect("storyboards:scenes", project.pk)
    page = scene_page_for_project(project)
    return HttpResponse(render_scenes_region(page, oob=True, request=request))
