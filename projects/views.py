from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from media_pipeline.briefs import BriefError
from projects import services
from projects.briefs import brief_update
from projects.decorators import project_step
from projects.forms import BriefForm, ChatEarlierForm, ChatMessageForm, ProjectTitleForm
from projects.models import ChatMessage, Project, Step
from projects.ratelimit import RateLimited, rate_limit_hit
from projects.selectors import (
    chat_page_for_project,
    project_get_for_user,
    project_list_with_spend_for_user,
    project_with_spend_for_user,
)
from projects.services import ProjectError
from projects.steps import step_page_context, step_url

PROJECTS_PER_PAGE = 24


def _render_list(request: HttpRequest, form: ProjectTitleForm | None = None) -> HttpResponse:
    """One page of the dashboard (`?page=`); after a change, the first page."""
    page_number = request.GET.get("page") if request.method == "GET" else 1
    page = Paginator(project_list_with_spend_for_user(request.user), PROJECTS_PER_PAGE).get_page(
        page_number
    )
    context = {"page": page, "projects": page.object_list, "form": form or ProjectTitleForm()}
    template = "projects/_project_list.html" if request.htmx else "projects/project_list.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def project_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ProjectTitleForm(request.POST)
        if form.is_valid():
            try:
                rate_limit_hit(user_id=request.user.pk, bucket="projects")
            except RateLimited as error:
                form.add_error(None, str(error))
                return _render_list(request, form)
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
        project = project_with_spend_for_user(request.user, project.pk)
        return render(request, "projects/_project_card.html", {"project": project})
    template = "projects/_rename_form.html" if request.htmx else "projects/project_rename.html"
    return render(request, template, {"project": project, "form": form})


@require_GET
def project_card(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_with_spend_for_user(request.user, project_id)
    return render(request, "projects/_project_card.html", {"project": project})


@require_POST
def project_duplicate(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_get_for_user(request.user, project_id)
    try:
        rate_limit_hit(user_id=request.user.pk, bucket="projects")
    except RateLimited as error:
        messages.error(request, f"“{project.title}” was not copied. {error}")
    else:
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


def _brief_page(request: HttpRequest, project: Project, **extra) -> HttpResponse:
    context = step_page_context(
        project,
        Step.BRIEF,
        chat_page=chat_page_for_project(project),
        chat_form=extra.pop("chat_form", None) or ChatMessageForm(),
        **extra,
    )
    return render(request, "projects/brief.html", context)


@require_GET
@project_step(Step.BRIEF)
def brief(request: HttpRequest, project: Project) -> HttpResponse:
    return _brief_page(request, project)


def _card_closing_editor(request: HttpRequest, project: Project) -> HttpResponse:
    """The card, out of band; the empty main content closes the editor."""
    return render(request, "projects/_brief_card.html", {"project": project, "oob": True})


@require_GET
@project_step(Step.BRIEF)
def brief_card(request: HttpRequest, project: Project) -> HttpResponse:
    return _card_closing_editor(request, project)


@require_http_methods(["GET", "POST"])
@project_step(Step.BRIEF)
def brief_edit(request: HttpRequest, project: Project) -> HttpResponse:
    if request.method == "GET":
        form = BriefForm.from_brief(project.brief)
    else:
        form = BriefForm(request.POST)
        if form.is_valid():
            try:
                brief_update(project=project, data=form.cleaned_data)
            except BriefError as error:
                form.add_error(None, str(error))
            else:
                if not request.htmx:
                    return redirect("projects:brief", project.pk)
                return _card_closing_editor(request, project)
    if request.htmx:
        return render(
            request, "projects/_brief_form.html", {"project": project, "brief_form": form}
        )
    return _brief_page(request, project, editing=True, brief_form=form)


@require_POST
@project_step(Step.BRIEF)
def chat_send(request: HttpRequest, project: Project) -> HttpResponse:
    form = ChatMessageForm(request.POST)
    if form.is_valid():
        try:
            services.chat_message_send(project=project, content=form.cleaned_data["content"])
        except (ProjectError, RateLimited) as error:
            form.add_error(None, str(error))
    if form.errors:
        return _chat_form_kept(request, project, form)
    if not request.htmx:
        return redirect("projects:brief", project.pk)
    context = {"project": project, "chat_page": chat_page_for_project(project), "oob": True}
    return render(request, "projects/_chat_thread.html", context)


@require_GET
@project_step(Step.BRIEF)
def chat_earlier(request: HttpRequest, project: Project) -> HttpResponse:
    """The page of messages before `?before=<message id>` (a "Show earlier messages" click)."""
    form = ChatEarlierForm(request.GET)
    if not form.is_valid():
        return redirect("projects:brief", project.pk)
    page = chat_page_for_project(project, before=form.cleaned_data["before"])
    return render(request, "projects/_chat_page.html", {"project": project, "chat_page": page})


def _chat_form_kept(request: HttpRequest, project: Project, form: ChatMessageForm) -> HttpResponse:
    """The form back in place with the reason, keeping what the user typed."""
    if not request.htmx:
        return _brief_page(request, project, chat_form=form)
    response = render(request, "projects/_chat_form.html", {"project": project, "chat_form": form})
    return reswap(retarget(response, "#chat-form"), "outerHTML")


@require_POST
@project_step(Step.BRIEF)
def chat_retry(request: HttpRequest, project: Project, message_id: int) -> HttpResponse:
    message = get_object_or_404(project.messages, pk=message_id, role=ChatMessage.Role.ASSISTANT)
    try:
        services.chat_reply_retry(message=message)
    except (ProjectError, RateLimited) as exc:
        messages.error(request, str(exc))
    message.refresh_from_db()
    if not request.htmx:
        return redirect("projects:brief", project.pk)
    return render(request, "projects/_chat_message.html", {"message": message, "oob": True})
