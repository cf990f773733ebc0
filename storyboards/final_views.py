"""The Final step: choose the film's settings, compose it, watch it being made, download it."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_POST

from projects.decorators import project_step
from projects.models import Project, Step
from projects.ratelimit import RateLimited
from projects.steps import step_page_context
from storyboards import compositions
from storyboards.final_forms import CompositionForm, form_initial
from storyboards.final_live import render_final_regions
from storyboards.final_selectors import composition_get_for_project, final_page_for_project

REFUSED = (compositions.CompositionRefused, RateLimited)


@require_GET
@project_step(Step.FINAL)
def final(request: HttpRequest, project: Project) -> HttpResponse:
    page = final_page_for_project(project)
    if request.htmx:
        return HttpResponse(render_final_regions(page, oob=False, request=request))
    return _page(request, project, CompositionForm(initial=form_initial(page)))


@require_POST
@project_step(Step.FINAL)
def final_compose(request: HttpRequest, project: Project) -> HttpResponse:
    form = CompositionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            compositions.composition_start(
                project=project, user=request.user, **form.service_kwargs()
            )
        except REFUSED as error:
            form.add_error(None, str(error))
    if not request.htmx:
        return (
            _page(request, project, form)
            if form.errors
            else redirect("storyboards:final", project.pk)
        )
    page = final_page_for_project(project)
    form_html = render_to_string(
        "storyboards/_composition_form.html",
        {"project": project, "page": page, "form": form, "oob": True},
        request=request,
    )
    return HttpResponse(form_html + render_final_regions(page, oob=True, request=request))


@require_POST
@project_step(Step.FINAL)
def composition_cancel(request: HttpRequest, project: Project, composition_id: int) -> HttpResponse:
    composition = composition_get_for_project(project, composition_id)
    try:
        compositions.composition_cancel(composition=composition)
    except REFUSED as error:
        messages.error(request, str(error))
    return _regions_response(request, project)


@require_POST
@project_step(Step.FINAL)
def composition_retry(request: HttpRequest, project: Project, composition_id: int) -> HttpResponse:
    composition = composition_get_for_project(project, composition_id)
    try:
        compositions.composition_retry(composition=composition, user=request.user)
    except REFUSED as error:
        messages.error(request, str(error))
    return _regions_response(request, project)


@require_POST
@project_step(Step.FINAL)
def composition_delete(request: HttpRequest, project: Project, composition_id: int) -> HttpResponse:
    composition = composition_get_for_project(project, composition_id)
    compositions.composition_delete(composition=composition)
    return _regions_response(request, project)


def _page(request: HttpRequest, project: Project, form: CompositionForm) -> HttpResponse:
    context = step_page_context(
        project, Step.FINAL, page=final_page_for_project(project), form=form
    )
    return render(request, "storyboards/final.html", context)


def _regions_response(request: HttpRequest, project: Project) -> HttpResponse:
    """Out-of-band regions, the same as the live push: the socket may have swapped first."""
    if not request.htmx:
        return redirect("storyboards:final", project.pk)
    return HttpResponse(_regions(request, project))


def _regions(request: HttpRequest, project: Project) -> str:
    return render_final_regions(final_page_for_project(project), oob=True, request=request)
