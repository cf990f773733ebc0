from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Sum
from django.shortcuts import get_object_or_404

from media_pipeline.base import CameraMove
from media_pipeline.estimates import button_label
from media_pipeline.models import ProviderUsage
from projects.models import Project
from projects.selectors import project_list_for_user
from storyboards.models import (
    IN_FLIGHT,
    MOOD_IN_FLIGHT,
    GenerationStatus,
    Mood,
    MoodImage,
    Scene,
    Storyboard,
)

DONE = GenerationStatus.DONE
FAILED = GenerationStatus.FAILED


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

    @property
    def generate_label(self) -> str:
        return button_label("Generate mood boards", "moods")

    @property
    def regenerate_label(self) -> str:
        return button_label("↻ Regenerate all", "moods")

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


@dataclass(frozen=True)
class SceneCard:
    """One scene as its card shows it, with what its buttons may do (the services re-check)."""

    scene: Scene
    count: int

    @property
    def number(self) -> int:
        return self.scene.position + 1

    motions = CameraMove.choices

    @property
    def can_move_up(self) -> bool:
        return self.scene.position > 0

    @property
    def can_move_down(self) -> bool:
        return self.scene.position < self.count - 1

    @property
    def can_delete(self) -> bool:
        return self.count > 1

    @property
    def busy(self) -> bool:
        scene = self.scene
        return any(
            status in IN_FLIGHT
            for status in (scene.text_status, scene.image_status, scene.video_status)
        )

    @property
    def steps(self) -> list[tuple[str, str, bool]]:
        """(label, status, reached) for the text → image → video indicator."""
        reached = [choice for choice, _ in Scene.State.choices]
        upto = reached.index(self.scene.state)
        statuses = (self.scene.text_status, self.scene.image_status, self.scene.video_status)
        return [
            (label, status, index <= upto)
            for index, ((_, label), status) in enumerate(
                zip(Scene.State.choices, statuses, strict=True)
            )
        ]

    @property
    def can_edit(self) -> bool:
        return not self.busy

    @property
    def can_approve_text(self) -> bool:
        return self.scene.state == Scene.State.TEXT and not self.busy and bool(self.scene.text)

    @property
    def can_draw_image(self) -> bool:
        return self.scene.state != Scene.State.TEXT and not self.busy

    @property
    def can_approve_image(self) -> bool:
        scene = self.scene
        return (
            scene.state == Scene.State.IMAGE
            and scene.image_status == DONE
            and not scene.image_stale
            and not self.busy
        )

    @property
    def can_animate(self) -> bool:
        scene = self.scene
        return (
            scene.state == Scene.State.VIDEO
            and scene.image_status == DONE
            and not scene.image_stale
            and not self.busy
        )

    @property
    def product_match_low(self) -> bool:
        """The placed product scored under the threshold: the card warns and offers a retry."""
        score = self.scene.product_match
        return score is not None and score < settings.PRODUCT_MATCH_THRESHOLD

    @property
    def clip_ready(self) -> bool:
        return self.scene.video_status == DONE and bool(self.scene.video)

    @property
    def has_failed(self) -> bool:
        scene = self.scene
        return FAILED in (scene.text_status, scene.image_status, scene.video_status)


@dataclass(frozen=True)
class ScenePage:
    """Everything the Scenes step shows, read in a fixed number of queries whatever its size."""

    project: Project
    mood: Mood | None
    # The storyboard the page shows: the current one, else the newest (being planned, or failed).
    storyboard: Storyboard | None
    # A newer storyboard being planned (or failed) while the current one stays on the page.
    pending: Storyboard | None
    cards: list[SceneCard]
    cost: Decimal

    def card(self, scene_id: int) -> SceneCard | None:
        return next((card for card in self.cards if card.scene.pk == scene_id), None)

    @property
    def planning(self) -> bool:
        newest = self.pending or self.storyboard
        return newest is not None and newest.status == Storyboard.Status.GENERATING

    @property
    def plan_error(self) -> str:
        newest = self.pending or self.storyboard
        return newest.error if newest and newest.status == Storyboard.Status.ERROR else ""

    @property
    def ready(self) -> bool:
        return self.storyboard is not None and self.storyboard.status == Storyboard.Status.READY

    @property
    def target_seconds(self) -> float:
        return (
            float((self.storyboard.brief or {}).get("target_length") or 0) if self.storyboard else 0
        )

    @property
    def total_seconds(self) -> float:
        return sum(card.scene.duration for card in self.cards)

    @property
    def clips_ready(self) -> int:
        return sum(card.clip_ready and not card.scene.video_stale for card in self.cards)

    @property
    def images_ready(self) -> int:
        return sum(card.scene.image_status == DONE for card in self.cards)

    @property
    def in_flight(self) -> int:
        return sum(card.busy for card in self.cards)

    @property
    def all_clips_ready(self) -> bool:
        return bool(self.cards) and self.clips_ready == len(self.cards)

    @property
    def can_approve_texts(self) -> bool:
        return any(card.can_approve_text for card in self.cards)

    @property
    def can_draw_images(self) -> bool:
        return any(_needs_image(card) for card in self.cards)

    @property
    def can_animate(self) -> bool:
        return any(_needs_clip(card) for card in self.cards)

    @property
    def images_label(self) -> str:
        return _spend_label(
            "Generate all images", "scene_image", sum(map(_needs_image, self.cards))
        )

    @property
    def clips_label(self) -> str:
        return _spend_label("Generate all clips", "scene_video", sum(map(_needs_clip, self.cards)))

    @property
    def can_retry(self) -> bool:
        return any(card.has_failed and not card.busy for card in self.cards)


def _spend_label(text: str, kind: str, count: int) -> str:
    """The estimate for the scenes the button would start; with none to start, the bare text."""
    return button_label(text, kind, count=count) if count else text


def _needs_image(card: SceneCard) -> bool:
    scene = card.scene
    fresh = scene.image_status == DONE and not scene.image_stale
    return not card.busy and bool(scene.text or scene.image_prompt) and not fresh


def _needs_clip(card: SceneCard) -> bool:
    scene = card.scene
    image_ready = scene.image_status == DONE and not scene.image_stale
    fresh = scene.video_status == DONE and not scene.video_stale
    return not card.busy and image_ready and not fresh


def scene_page_for_project(project: Project) -> ScenePage:
    current = project.storyboards.filter(is_current=True).first()
    newest = project.storyboards.first()
    storyboard = current or newest
    pending = newest if current and newest and newest.pk != current.pk else None
    scenes = list(storyboard.scenes.all()) if storyboard else []
    if pending and pending.status == Storyboard.Status.READY:
        pending = None
    return ScenePage(
        project=project,
        mood=mood_selected_for_project(project),
        storyboard=storyboard,
        pending=pending,
        cards=[SceneCard(scene=scene, count=len(scenes)) for scene in scenes],
        cost=storyboard_cost(storyboard) if storyboard else Decimal(0),
    )


def storyboard_cost(storyboard: Storyboard) -> Decimal:
    """What this storyboard's provider calls are estimated to have cost so far (US$)."""
    usage = ProviderUsage.objects.filter(subject=storyboard.usage_subject)
    return usage.aggregate(total=Sum("cost_estimate"))["total"] or Decimal(0)


def storyboard_get_for_project(project: Project, storyboard_id: int) -> Storyboard:
    return get_object_or_404(project.storyboards.select_related("project"), pk=storyboard_id)


def scene_get_for_project(project: Project, scene_id: int) -> Scene:
    """One scene of the project's storyboards, or 404 (the project is already owner-scoped)."""
    scenes = Scene.objects.filter(storyboard__project=project)
    return get_object_or_404(scenes.select_related("storyboard__project"), pk=scene_id)


def scene_get_for_user(user: AbstractBaseUser | AnonymousUser, scene_id: int) -> Scene | None:
    projects = project_list_for_user(user)
    scenes = Scene.objects.filter(pk=scene_id, storyboard__project__in=projects)
    return scenes.select_related("storyboard__project").first()


def storyboard_get_for_user(
    user: AbstractBaseUser | AnonymousUser, storyboard_id: int
) -> Storyboard | None:
    projects = project_list_for_user(user)
    storyboards = Storyboard.objects.filter(pk=storyboard_id, project__in=projects)
    return storyboards.select_related("project").first()
