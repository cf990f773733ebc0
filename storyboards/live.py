"""What the Mood step pushes to open pages: a board with the toolbar, or the whole region."""

from django.http import HttpRequest
from django.template.loader import render_to_string

import live
from live.registry import User
from projects.models import Step
from projects.selectors import project_list_for_user
from projects.steps import step_links
from storyboards.selectors import MoodPage, mood_get_for_user, mood_page_for_project


def render_mood_update(
    page: MoodPage, mood_id: int, *, oob: bool, request: HttpRequest | None = None
) -> str:
    """A board's card and the toolbar, whose buttons depend on every board's state."""
    context = {"project": page.project, "page": page, "board": page.board(mood_id), "oob": oob}
    return render_to_string("storyboards/_mood_update.html", context, request=request)


def render_mood_region(page: MoodPage, *, oob: bool, request: HttpRequest | None = None) -> str:
    """The whole region, and the stepper outside it: picking a board opens the Scenes step."""
    context = {
        "project": page.project,
        "page": page,
        "step_links": step_links(page.project),
        "oob": oob,
    }
    return render_to_string("storyboards/_mood_boards.html", context, request=request)


def mood_renderer(user: User, mood_id: int) -> str:
    mood = mood_get_for_user(user, mood_id)
    page = mood_page_for_project(mood.project) if mood else None
    if page is None or page.board(mood_id) is None:
        return ""
    return render_mood_update(page, mood_id, oob=True)


def moods_renderer(user: User, project_id: int) -> str:
    project = project_list_for_user(user).filter(pk=project_id).first()
    if project is None:
        return ""
    return render_mood_region(mood_page_for_project(project), oob=True)


def moods_snapshot(user: User, project_id: int) -> str:
    project = project_list_for_user(user).filter(pk=project_id).first()
    # A project without boards has nothing live to restore, and its other pages have no region.
    if project is None or not project.moods.exists():
        return ""
    return render_mood_region(mood_page_for_project(project), oob=True)


MOOD_PAGE = Step.MOOD.value
# One board changed (with the toolbar); the set of boards changed (the whole region).
MOOD = live.kind("mood", page=MOOD_PAGE, render=mood_renderer)
MOODS = live.kind("moods", page=MOOD_PAGE, render=moods_renderer)
live.snapshot(MOOD_PAGE, moods_snapshot)
