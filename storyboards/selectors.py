from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.shortcuts import get_object_or_404

from projects.models import Project
from projects.selectors import project_list_for_user
from storyboards.models import MOOD_IN_FLIGHT, GenerationStatus, Mood, MoodImage


@dataclass(frozen=True)
class MoodBoard:
    """One board as its card shows it: the mood, a drawn image or an empty slot per tile."""

    mood: Mood
    tiles: list[MoodImage | None]

    @property
    def selected(self) -> bool:
        return self.mood.selected and self.is_done

    @property
    def in_flight(self) -> bool:
        return self.mood.status in MOOD_IN_FLIGHT

    @property
    def is_done(self) -> bool:
        return self.mood.status == Mood.Status.DONE

    @property
    def is_failed(self) -> bool:
        return self.mood.status == Mood.Status.FAILED

    @property
    def image_count(self) -> int:
        return sum(tile is not None for tile in self.tiles)


@dataclass(frozen=True)
class MoodPage:
    """Everything the Mood step shows for a project, read once so every render agrees."""

    project: Project
    boards: list[MoodBoard]

    @property
    def generating(self) -> bool:
        return any(board.in_flight for board in self.boards)

    @property
    def selected(self) -> MoodBoard | None:
        return next((board for board in self.boards if board.selected), None)

    @property
    def done_count(self) -> int:
        return sum(board.is_done for board in self.boards)

    def board(self, mood_id: int) -> MoodBoard | None:
        return next((board for board in self.boards if board.mood.pk == mood_id), None)


def mood_page_for_project(project: Project) -> MoodPage:
    moods = project.moods.prefetch_related("images")
    return MoodPage(project=project, boards=[_board(mood) for mood in moods])


def mood_get_for_project(project: Project, mood_id: int) -> Mood:
    """One of the project's boards, or 404 (the project itself is already owner-scoped)."""
    return get_object_or_404(project.moods.select_related("project"), pk=mood_id)


def mood_get_for_user(user: AbstractBaseUser | AnonymousUser, mood_id: int) -> Mood | None:
    projects = project_list_for_user(user)
    return Mood.objects.filter(pk=mood_id, project__in=projects).select_related("project").first()


def mood_selected_for_project(project: Project) -> Mood | None:
    return project.moods.filter(selected=True, status=Mood.Status.DONE).first()


def _board(mood: Mood) -> MoodBoard:
    drawn = {
        image.position: image
        for image in mood.images.all()
        if image.status == GenerationStatus.DONE and image.image
    }
    slots = max(settings.QUALITY_PROFILE["images_per_mood"], max(drawn, default=-1) + 1)
    return MoodBoard(mood=mood, tiles=[drawn.get(position) for position in range(slots)])
