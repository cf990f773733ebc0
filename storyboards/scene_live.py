"""Everything the Scenes step pushes to open pages, in one place: its kinds, renderers, snapshot.

    publish(project.pk, SCENE, scene.pk)            # a scene changed: its card and the toolbar
    publish(project.pk, STORYBOARD, storyboard.pk)  # the list changed: the whole region

The same partials serve the page, the HTMX response and the push (see storyboards/views.py).
"""

from django.http import HttpRequest
from django.template.loader import render_to_string

import live
from live.registry import User
from projects.models import Step
from projects.selectors import project_find_for_user
from projects.steps import step_links
from storyboards.selectors import (
    ScenePage,
    scene_get_for_user,
    scene_page_for_project,
    storyboard_get_for_user,
)

PAGE = Step.SCENES.value


def render_scene_update(
    page: ScenePage,
    scene_id: int,
    *,
    oob: bool,
    request: HttpRequest | None = None,
    form_errors: dict[str, str] | None = None,
) -> str:
    """A scene's card and the toolbar, whose counts and buttons depend on every scene."""
    context = {
        "project": page.project,
        "page": page,
        "card": page.card(scene_id),
        "oob": oob,
        "form_errors": form_errors or {},
    }
    return render_to_string("storyboards/_scene_update.html", context, request=request)


def render_scenes_region(page: ScenePage, *, oob: bool, request: HttpRequest | None = None) -> str:
    """The whole region (toolbar and every card), and the stepper: finishing opens Final."""
    context = {
        "project": page.project,
        "page": page,
        "step_links": step_links(page.project),
        "oob": oob,
    }
    return render_to_string("storyboards/_scenes_region.html", context, request=request)


def scene_renderer(user: User, scene_id: int) -> str:
    scene = scene_get_for_user(user, scene_id)
    page = scene_page_for_project(scene.storyboard.project) if scene else None
    if page is None or page.card(scene_id) is None:
        return ""
    return render_scene_update(page, scene_id, oob=True)


def storyboard_renderer(user: User, storyboard_id: int) -> str:
    storyboard = storyboard_get_for_user(user, storyboard_id)
    if storyboard is None:
        return ""
    return render_scenes_region(scene_page_for_project(storyboard.project), oob=True)


def scenes_snapshot(user: User, project_id: int) -> str:
    project = project_find_for_user(user, project_id)
    # A project without a storyboard has nothing live to restore.
    if project is None or not project.storyboards.exists():
        return ""
    return render_scenes_region(scene_page_for_project(project), oob=True)


# A scene changed (its card and the toolbar); the list changed (the whole region).
SCENE = live.kind("scene", page=PAGE, render=scene_renderer)
STORYBOARD = live.kind("storyboard", page=PAGE, render=storyboard_renderer)
live.snapshot(PAGE, scenes_snapshot)
