from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from projects import services
from projects.decorators import project_step
from projects.forms import ProjectTitleForm
from projects.models import Project, Step
from projects.selectors import project_get_for_user, project_list_for_user
from projects.steps import step_page_context, step_url


def _render_list(request: HttpRequest, form: ProjectTitleForm | None = None) -> HttpResponse:
    context = {"projects": project_list_for_user(request.user), "form": form or ProjectTitleForm()}
    template = "projects/_project_list.html" if request.htmx else "projects/project_list.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def project_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ProjectTitleForm(request.POST)
        if form.is_valid():
            project = services.project_create(owner=request.user, title=form.cleaned_data["title"])
            if not request.htmx:
                return redirect(step_url(project, project.step))
            return _render_list(request)
        return _render_list(request, form)
    return _render_list(request)


@require_GET
def project_open(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_get_for_user(request.user, project_id)
    return redirect(step_url(project, project.step))


@require_http_methods(["GET", "POST"])
def project_rename(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_get_for_user(request.user, project_id)
    form = ProjectTitleForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        services.project_rename(project=project, title=form.cleaned_data["title"])
        if not request.htmx:
            return redirect("projects:list")
        return render(request, "projects/_project_card.html", {"project": project})
    template = "projects/_rename_form.html" if request.htmx else "projects/project_rename.html"
    return render(request, template, {"project": project, "form": form})


@require_GET
def project_card(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_get_for_user(request.user, project_id)
    return render(request, "projects/_project_card.html", {"project": project})


@require_POST
def project_duplicate(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_get_for_user(request.user, project_id)
    copy = services.project_duplicate(project=project)
    messages.success(request, f"Made “{copy.title}”.")
    return _render_list(request) if request.htmx else redirect("projects:list")


@require_http_methods(["GET", "POST"])
def project_delete(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_get_for_user(request.user, project_id)
    if request.method == "GET":
        return render(request, "projects/project_confirm_delete.html", {"project": project})
    services.project_delete(project=project)
    messages.success(request, f"Deleted “{project.title}”.")
    return _render_list(request) if request.htmx else redirect("projects:list")


@require_GET
@project_step(Step.BRIEF)
def brief(request: HttpRequest, project: Project) -> HttpResponse:
    return render(request, "projects/brief.html", step_page_context(project, Step.BRIEF))
