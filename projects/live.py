"""The Brief page's live regions, and who may follow a project: its owner.

Each kind is declared beside what renders it; services publish the constant
(`live.publish(project.pk, CHAT, project.pk)`).
"""

from django.template.loader import render_to_string

import live
from live.registry import User
from projects.models import ChatMessage, Project, Step
from projects.selectors import chat_page_for_project, project_list_for_user
from projects.steps import step_links

BRIEF = Step.BRIEF.value


@live.authorise
def project_is_theirs(user: User, project_id: int) -> bool:
    return project_list_for_user(user).filter(pk=project_id).exists()


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


def render_brief_page(user: User, project_id: int) -> str:
    project = project_list_for_user(user).filter(pk=project_id).first()
    return _chat_thread(project) + _brief_regions(project) if project else ""


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


# The thread after a message is sent; one message as it streams, ends or fails; the card.
CHAT = live.kind("chat", page=BRIEF, render=render_chat)
MESSAGE = live.kind("message", page=BRIEF, render=render_message)
BRIEF_CARD = live.kind("brief", page=BRIEF, render=render_brief)
live.snapshot(BRIEF, render_brief_page)
