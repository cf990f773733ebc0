"""What the Final step pushes to open pages: the film being made (or made) and the earlier ones.

Workers publish `COMPOSITION` with a composition id on every stored change (each progress
step included) and `COMPOSITIONS` with a project id when a film is gone; both redraw the same
two regions. A later SSE stream can derive its `progress`, `complete` and `error` events from
the row the id names, so nothing here needs to change for it.
"""

from django.http import HttpRequest
from django.template.loader import render_to_string

import live
from live.registry import User
from projects.selectors import project_find_for_user
from storyboards.final_selectors import (
    FinalPage,
    composition_get_for_user,
    final_page_for_project,
)

PAGE = "final"


def render_final_regions(page: FinalPage, *, oob: bool, request: HttpRequest | None = None) -> str:
    """The film region and the earlier films, as the page, an action's response and a push."""
    context = {"project": page.project, "page": page, "oob": oob}
    return render_to_string("storyboards/_composition_regions.html", context, request=request)


def composition_renderer(user: User, composition_id: int) -> str:
    composition = composition_get_for_user(user, composition_id)
    if composition is None:
        return ""
    return render_final_regions(final_page_for_project(composition.storyboard.project), oob=True)


def compositions_renderer(user: User, project_id: int) -> str:
    project = project_find_for_user(user, project_id)
    if project is None:
        return ""
    return render_final_regions(final_page_for_project(project), oob=True)


def final_snapshot(user: User, project_id: int) -> str:
    project = project_find_for_user(user, project_id)
    return render_final_regions(final_page_for_project(project), oob=True) if project else ""


# One film changed (each progress step included); a film is gone (carries the project id).
COMPOSITION = live.kind("composition", page=PAGE, render=composition_renderer)
COMPOSITIONS = live.kind("compositions", page=PAGE, render=compositions_renderer)
live.snapshot(PAGE, final_snapshot)
