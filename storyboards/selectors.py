from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.shortcuts import get_object_or_404

from projects.models import Project
from storyboards.models import IN_FLIGHT, GenerationStatus, Mood, MoodImage

PLANNING_LABEL = "Planning"


@dataclass(frozen=True)
class MoodBoard:
    """One board as its card shows it: the mood, an image or an empty slot per tile, selection."""

    mood: Mood
    tiles: list[MoodImage | None]
    selected: bool

    @property
    def in_flight(self) -> bool:
        return self.mood.status in IN_FLIGHT

    @property
    def is_done(self) -> bool:
        return self.mood.status == GenerationStatus.DONE

    @property
    def is_failed(self) -> bool:
        return self.mood.status == GenerationStatus.FAILED

    @property
    def image_count(self) -> int:
        return sum(tile is not None for tile in self.tiles)

    @property
    def status_label(self) -> str:
        if self.mood.status == GenerationStatus.QUEUED and not self.mood.name:
            return PLANNING_LABEL
        return self.mood.get_status_display()


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
        return next((board for board in self.boards if board.selected and board.is_done), None)

    @property
    def done_count(self) -> int:
        return sum(board.is_done for board in self.boards)

    def board(self, mood_id: int) -> MoodBoard | None:
        return next((board for board in self.boards if board.mood.pk == mood_id), None)


def mood_page_for_project(project: Project) -> MoodPage:
    moods = project.moods.prefetch_related("images")
    return MoodPage(project=project, boards=[_board(mood, project) for mood in moods])


def mood_get_for_project(project: Project, mood_id: int) -> Mood:
    """One of the project's boards, or 404 (the project itself is already owner-scoped)."""
    return get_object_or_404(project.moods.all(), pk=mood_id)


def mood_get_for_user(user: AbstractBaseUser | AnonymousUser, mood_id: int) -> Mood | None:
    if not user.is_authenticated:
        return None
    return Mood.objects.filter(pk=mood_id, project__owner=user).select_related("project").first()


def project_get_for_owner(
    user: AbstractBaseUser | AnonymousUser, project_id: int
) -> Project | None:
    if not user.is_authenticated:
        return None
    return Project.objects.filter(pk=project_id, owner=user).first()


def _board(mood: Mood, project: Project) -> MoodBoard:
    images = {image.position: image for image in mood.images.all()}
    slots = max(settings.QUALITY_PROFILE["images_per_mood"], max(images, default=-1) + 1)
    return MoodBoard(
        mood=mood,
        tiles=[images.get(position) for position in range(slots)],
        selected=project.selected_mood_id == mood.pk,
    )
