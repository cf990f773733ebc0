"""What the Brief page's live regions look like, rendered for one connected user."""

from django.template.loader import render_to_string

from projects.live import User, register_renderer, register_snapshot
from projects.models import ChatMessage, Project, Step
from projects.selectors import chat_page_for_project, project_list_for_user
from projects.steps import step_links

BRIEF_PAGE = Step.BRIEF.value


def render_chat(user: User, project_id: int) -> str:
    project = project_list_for_user(user).filter(pk=project_id).first()
    return _chat_thread(project) if project else ""


def render_message(user: User, message_id: int) -> str:
    message = ChatMessage.objects.filter(pk=message_id, project__owner_id=user.pk).first()
    if message is None:
        return ""
    return render_to_string("projects/_chat_message.html", {"message": message, "oob": True})


def render_brief(user: User, project_id: int) -> str:
    project = project_list_for_user(user).filter(pk=project_id).first()
    return _brief_regions(project) if project else ""


def snapshot_brief_page(user: User, project: Project) -> str:
    return _chat_thread(project) + _brief_regions(project)


def _chat_thread(project: Project) -> str:
    context = {"project": project, "chat_page": chat_page_for_project(project), "oob": True}
    return render_to_string("projects/_chat_thread.html", context)


def _brief_regions(project: Project) -> str:
    """The brief card and the stepper: a brief that becomes complete unlocks the Mood step."""
    card = render_to_string("projects/_brief_card.html", {"project": project, "oob": True})
    stepper = render_to_string(
        "projects/_stepper.html", {"step_links": step_links(project), "oob": True}
    )
    return card + stepper


def register() -> None:
    register_renderer("chat", render_chat, page=BRIEF_PAGE)
    register_renderer("message", render_message, page=BRIEF_PAGE)
    register_renderer("brief", render_brief, page=BRIEF_PAGE)
    register_snapshot(snapshot_brief_page, page=BRIEF_PAGE)
