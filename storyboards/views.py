from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from projects.decorators import project_step
from projects.models import Project, Step
from projects.steps import step_page_context


@require_GET
@project_step(Step.MOOD)
def mood(request: HttpRequest, project: Project) -> HttpResponse:
    return render(request, "storyboards/mood.html", step_page_context(project, Step.MOOD))


@require_GET
@project_step(Step.SCENES)
def scenes(request: HttpRequest, project: Project) -> HttpResponse:
    storyboard = project.storyboards.first()
    return render(
        request, "storyboards/scenes.html", step_page_context(project, Step.SCENES, storyboard=storyboard)
    )


@require_GET
@project_step(Step.FINAL)
def final(request: HttpRequest, project: Project) -> HttpResponse:
    storyboard = project.storyboards.first()
    return render(
        request, "storyboards/final.html", step_page_context(project, Step.FINAL, storyboard=storyboard)
    )
