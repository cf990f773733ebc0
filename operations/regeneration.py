"""What `manage.py regenerate` selects and starts: failed (or done) artifacts, through the same
services as the pages, so the same guards, metering and budgets apply."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Model, Q, QuerySet

from projects.models import Project
from storyboards import compositions, scene_services, services
from storyboards.models import IN_FLIGHT, MOOD_IN_FLIGHT, Composition, GenerationStatus, Mood, Scene

FILM_IN_FLIGHT = (Composition.Status.PENDING, Composition.Status.PROCESSING)


@dataclass(frozen=True)
class Kind:
    """One kind of artifact: where it lives, its status field, how it restarts, what it costs."""

    rows: Callable[[], QuerySet]
    status: str
    failed: tuple[str, ...]
    done: tuple[str, ...]
    in_flight: tuple[str, ...]
    succeeded: tuple[str, ...]
    project: str
    start: Callable[[Model], object]
    estimate: str

    def selected(
        self,
        *,
        status: str,
        user: str | None = None,
        project: int | None = None,
        since: datetime | None = None,
        limit: int | None = None,
    ) -> list[Model]:
        wanted = self.failed if status == "failed" else self.done
        rows = self.rows().filter(**{f"{self.status}__in": wanted}).order_by("pk")
        if user:
            owner = Q(**{f"{self.project}__owner__email__iexact": user})
            if user.isdigit():
                owner |= Q(**{f"{self.project}__owner_id": int(user)})
            rows = rows.filter(owner)
        if project:
            rows = rows.filter(**{f"{self.project}_id": project})
        if since:
            rows = rows.filter(status_changed_at__gte=since)
        return list(rows[:limit] if limit else rows)

    def project_of(self, artifact: Model) -> Project:
        value = artifact
        for part in self.project.split("__"):
            value = getattr(value, part)
        return value

    def statuses(self, ids: list[int]) -> dict[int, str]:
        return dict(self.rows().filter(pk__in=ids).values_list("pk", self.status))


def _composition_retry(film: Composition) -> None:
    compositions.composition_retry(composition=film, user=film.storyboard.project.owner)


FAILED = (GenerationStatus.FAILED,)
DONE = (GenerationStatus.DONE,)
SCENES = lambda: Scene.objects.select_related("storyboard__project__owner")  # noqa: E731

KINDS = {
    "moods": Kind(
        rows=lambda: Mood.objects.select_related("project__owner"),
        status="status",
        failed=(Mood.Status.FAILED,),
        done=(Mood.Status.DONE,),
        in_flight=MOOD_IN_FLIGHT,
        succeeded=(Mood.Status.DONE,),
        project="project",
        start=lambda mood: services.mood_regenerate(mood=mood),
        estimate="mood",
    ),
    "scene-texts": Kind(
        rows=SCENES,
        status="text_status",
        failed=FAILED,
        done=DONE,
        in_flight=IN_FLIGHT,
        succeeded=DONE,
        project="storyboard__project",
        start=lambda scene: scene_services.scene_rewrite_text(scene=scene, instruction=""),
        estimate="scene_text",
    ),
    "scene-images": Kind(
        rows=SCENES,
        status="image_status",
        failed=FAILED,
        done=DONE,
        in_flight=IN_FLIGHT,
        succeeded=DONE,
        project="storyboard__project",
        start=lambda scene: scene_services.scene_generate_image(scene=scene),
        estimate="scene_image",
    ),
    "scene-clips": Kind(
        rows=SCENES,
        status="video_status",
        failed=FAILED,
        done=DONE,
        in_flight=IN_FLIGHT,
        succeeded=DONE,
        project="storyboard__project",
        start=lambda scene: scene_services.scene_generate_video(scene=scene),
        estimate="scene_video",
    ),
    "compositions": Kind(
        rows=lambda: Composition.objects.select_related("storyboard__project__owner"),
        status="status",
        failed=(Composition.Status.ERROR, Composition.Status.CANCELLED),
        # A finished film is not made again: the Final page starts a new one with new settings.
        done=(),
        in_flight=FILM_IN_FLIGHT,
        succeeded=(Composition.Status.COMPLETE,),
        project="storyboard__project",
        start=_composition_retry,
        estimate="composition",
    ),
}
# Services refuse with their own domain errors; each carries a message for a person.
REFUSALS = (
    services.MoodError,
    scene_services.SceneError,
    compositions.CompositionRefused,
)
