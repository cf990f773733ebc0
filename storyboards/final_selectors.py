"""Reads the Final step shares: the current storyboard, its compositions, one page's worth."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.shortcuts import get_object_or_404
from django.utils.text import slugify

from media_pipeline.estimates import button_label
from projects.models import Project
from projects.selectors import project_list_for_user
from storyboards.models import Composition, Scene, Storyboard

# The page lists this many earlier films; older ones stay stored until deleted.
HISTORY_LENGTH = 20
COMPOSITION_IN_FLIGHT = (Composition.Status.PENDING, Composition.Status.PROCESSING)


@dataclass(frozen=True)
class FinalPage:
    """Everything the Final step shows, read once so the page, responses and pushes agree."""

    project: Project
    storyboard: Storyboard | None
    compositions: list[Composition]

    @property
    def current(self) -> Composition | None:
        return self.compositions[0] if self.compositions else None

    @property
    def earlier(self) -> list[Composition]:
        return self.compositions[1:]

    @property
    def composing(self) -> bool:
        return self.current is not None and self.current.status in COMPOSITION_IN_FLIGHT

    @property
    def compose_label(self) -> str:
        return button_label("Compose", "composition")


def storyboard_current_for_project(project: Project) -> Storyboard | None:
    return project.storyboards.filter(is_current=True).first()


def scenes_for_film(storyboard: Storyboard) -> list[Scene]:
    return list(storyboard.scenes.order_by("position"))


def final_page_for_project(project: Project) -> FinalPage:
    compositions = Composition.objects.filter(storyboard__project=project)
    return FinalPage(
        project=project,
        storyboard=storyboard_current_for_project(project),
        compositions=list(compositions.order_by("-created_at", "-pk")[: HISTORY_LENGTH + 1]),
    )


def composition_get_for_project(project: Project, composition_id: int) -> Composition:
    """One of the project's films, or 404 (the project itself is already owner-scoped)."""
    compositions = Composition.objects.filter(storyboard__project=project)
    return get_object_or_404(compositions.select_related("storyboard__project"), pk=composition_id)


def composition_get_for_user(
    user: AbstractBaseUser | AnonymousUser, composition_id: int
) -> Composition | None:
    projects = project_list_for_user(user)
    compositions = Composition.objects.filter(pk=composition_id, storyboard__project__in=projects)
    return compositions.select_related("storyboard__project").first()


def composition_download_name(composition: Composition) -> str:
    """`<project-title-slug>-<format>.mp4`, e.g. `glow-serum-9x16.mp4`."""
    title = slugify(composition.storyboard.project.title) or "film"
    return f"{title}-{composition.aspect_ratio.replace(':', 'x')}.mp4"
