"""Mood boards: planned from the brief, drawn one Celery job per board, one picked by the user.

A board's life: idle → queued (waiting, then planned) → running (drawing its images) →
done | failed. Every transition is a conditional update, so a double click or a
re-delivered job changes nothing twice, and every change is pushed to the open pages.
"""

import logging
import random
import re
from collections.abc import Iterable
from contextlib import AbstractContextManager
from datetime import timedelta
from functools import partial
from itertools import cycle

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

import live
from media_pipeline.base import ImageStyle, MoodConcept, ProviderError, StoredMedia
from media_pipeline.metering import UsageContext, usage_context
from media_pipeline.registry import providers
from projects.models import Project, Step
from projects.ratelimit import rate_limit_hit
from projects.services import project_unlock_step
from storyboards import tasks
from storyboards.live import MOOD, MOODS
from storyboards.models import IN_FLIGHT, GenerationStatus, Mood, MoodImage

logger = logging.getLogger(__name__)

MOOD_COUNT = 3
MAX_SEED = 2**31 - 1
NEGATIVE_PROMPT = "text, letters, watermark, logo, blurry, low quality, distorted, deformed"
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
NAME_LENGTH = Mood._meta.get_field("name").max_length
FEEL_LENGTH = Mood._meta.get_field("feel").max_length
ERROR_LENGTH = Mood._meta.get_field("error").max_length
STUCK_MESSAGE = "Generation took too long. Try again."
UNEXPECTED_MESSAGE = "Something went wrong while making this board. Try again."
NO_IDEAS_MESSAGE = "The writer came back without mood ideas. Try again."


class MoodError(Exception):
    """A mood change the board's state does not allow; the message says what to do instead."""


@transaction.atomic
def mood_generate_all(*, project: Project, user: AbstractBaseUser) -> list[Mood]:
    """(Re)start every board of the project that is not already being generated."""
    rate_limit_hit(user_id=user.pk, bucket="generation")
    if not project.brief_is_complete:
        raise MoodError("Finish the brief first: every field of the brief card needs a value.")
    started = [mood for mood in _mood_slots(project) if _mood_queue(mood)]
    if not started:
        raise MoodError("The mood boards are already being made; they appear here as they finish.")
    _selection_clear(project, started)
    _plan_enqueue(started)
    transaction.on_commit(partial(live.publish, project.pk, MOODS, project.pk))
    return started


@transaction.atomic
def mood_regenerate(*, mood: Mood) -> Mood:
    """Start one board again, with a fresh direction and new images."""
    rate_limit_hit(user_id=mood.project.owner_id, bucket="generation")
    if not _mood_queue(mood):
        raise MoodError("This board is already being made; it appears here as soon as it is ready.")
    _selection_clear(mood.project, [mood])
    _plan_enqueue([mood])
    _publish(mood)
    mood.refresh_from_db()
    return mood


@transaction.atomic
def mood_select(*, project: Project, mood: Mood) -> Project:
    """Choose a finished board as the project's mood and open the Scenes step."""
    done = Mood.objects.select_for_update().filter(
        pk=mood.pk, project=project, status=GenerationStatus.DONE
    )
    if done.first() is None:
        raise MoodError("Pick a board that has finished; this one is not ready.")
    project.selected_mood = mood
    project.save(update_fields=["selected_mood", "updated_at"])
    project_unlock_step(project=project, step=Step.SCENES)
    transaction.on_commit(partial(live.publish, project.pk, MOODS, project.pk))
    return project


def mood_plan(*, mood_ids: list[int]) -> list[Mood]:
    """Plan the queued boards' directions in one call, so they differ, then start their images."""
    moods = list(_unplanned(mood_ids))
    if not moods:
        return []
    project = moods[0].project
    with _usage(project):
        concepts = providers["text"].plan_moods(
            brief=project.brief,
            count=MOOD_COUNT,
            images_per_mood=settings.QUALITY_PROFILE["images_per_mood"],
        )
    fresh = _fresh_concepts(project, concepts, moods)
    planned = [
        mood for mood, concept in zip(moods, cycle(fresh)) if _mood_store_concept(mood, concept)
    ]
    for mood in planned:
        transaction.on_commit(partial(tasks.mood_images_task.delay, mood_id=mood.pk))
        _publish(mood)
    return planned


def mood_claim(*, mood_id: int) -> Mood | None:
    """Move a planned board from queued to running; None when another worker has it (or it is gone)."""
    claimed = Mood.objects.filter(pk=mood_id, status=GenerationStatus.QUEUED).exclude(name="")
    if not claimed.update(**_status(GenerationStatus.RUNNING), attempts=F("attempts") + 1):
        return None
    mood = Mood.objects.select_related("project").get(pk=mood_id)
    _publish(mood)
    return mood


def mood_render_images(*, mood: Mood) -> Mood:
    """Draw the board's missing images one at a time, each pushed to the page once stored."""
    stored = set(mood.images.values_list("position", flat=True))
    with _usage(mood.project):
        for position in range(settings.QUALITY_PROFILE["images_per_mood"]):
            if not _mood_still_running(mood):
                return mood
            if position not in stored:
                _image_store(mood, position, _image_draw(mood, position))
    return _mood_finish(mood)


def mood_requeue(*, mood: Mood) -> None:
    """Put a running board back in the queue while its job waits to retry."""
    if Mood.objects.filter(pk=mood.pk, status=GenerationStatus.RUNNING).update(
        **_status(GenerationStatus.QUEUED)
    ):
        _publish(mood)


def mood_fail(*, mood_ids: Iterable[int], message: str) -> int:
    """Mark the boards that are still in flight failed, with a message the user can act on."""
    in_flight = Mood.objects.filter(pk__in=list(mood_ids), status__in=IN_FLIGHT)
    return sum(_mood_fail_one(mood, message, in_flight) for mood in in_flight)


def mood_sweep_stuck(*, older_than: timedelta) -> int:
    """Fail the boards that have sat in queued/running for longer than `older_than`."""
    stuck = Mood.objects.filter(
        status__in=IN_FLIGHT, status_changed_at__lt=timezone.now() - older_than
    )
    failed = sum(_mood_fail_one(mood, STUCK_MESSAGE, stuck) for mood in stuck)
    if failed:
        logger.warning("Swept %s stuck mood boards to failed", failed)
    return failed


def mood_prompts(mood: Mood) -> list[str]:
    # The concept's prompts are kept one a line, so a retried job draws the same pictures.
    return mood.image_prompt.splitlines() or [f"{mood.name}, {mood.feel}"]


def _mood_slots(project: Project) -> list[Mood]:
    """The project's boards at positions 0..MOOD_COUNT-1, creating the missing ones."""
    project.moods.filter(position__gte=MOOD_COUNT).delete()
    existing = set(project.moods.values_list("position", flat=True))
    missing = [Mood(project=project, position=p) for p in range(MOOD_COUNT) if p not in existing]
    Mood.objects.bulk_create(missing, ignore_conflicts=True)
    return list(project.moods.all())


def _mood_queue(mood: Mood) -> bool:
    """Reset a board that is not in flight to an empty, queued one; False when it is in flight."""
    reset = Mood.objects.filter(pk=mood.pk).exclude(status__in=IN_FLIGHT)
    started = reset.update(
        **_status(GenerationStatus.QUEUED),
        name="",
        feel="",
        palette=[],
        image_prompt="",
        attempts=0,
        seed=random.randint(0, MAX_SEED),
    )
    if started:
        # Rows only: the files are content-addressed and may be shared with a duplicated project.
        MoodImage.objects.filter(mood=mood).delete()
    return bool(started)


def _selection_clear(project: Project, moods: list[Mood]) -> None:
    if project.selected_mood_id in {mood.pk for mood in moods}:
        project.selected_mood = None
        project.save(update_fields=["selected_mood", "updated_at"])


def _plan_enqueue(moods: list[Mood]) -> None:
    mood_ids = [mood.pk for mood in moods]
    transaction.on_commit(partial(tasks.mood_plan_task.delay, mood_ids=mood_ids))


def _unplanned(mood_ids: list[int]) -> Iterable[Mood]:
    queued = Mood.objects.filter(pk__in=mood_ids, status=GenerationStatus.QUEUED, name="")
    return queued.select_related("project").order_by("position")


def _fresh_concepts(
    project: Project, concepts: list[MoodConcept], moods: list[Mood]
) -> list[MoodConcept]:
    """The concepts whose names no other board of the project uses, so a retried board stays distinct."""
    if not concepts:
        raise ProviderError(NO_IDEAS_MESSAGE, permanent=False)
    others = project.moods.exclude(pk__in=[mood.pk for mood in moods]).exclude(name="")
    taken = set(others.values_list("name", flat=True))
    return [concept for concept in concepts if concept.name not in taken] or concepts


def _mood_store_concept(mood: Mood, concept: MoodConcept) -> bool:
    prompts = [prompt.strip() for prompt in concept.image_prompts if prompt.strip()]
    name = concept.name.strip()[:NAME_LENGTH] or f"Mood {mood.position + 1}"
    stored = Mood.objects.filter(pk=mood.pk, status=GenerationStatus.QUEUED, name="").update(
        name=name,
        feel=concept.feel.strip()[:FEEL_LENGTH],
        palette=[colour for colour in concept.palette if HEX_COLOUR.match(colour)],
        image_prompt="\n".join(" ".join(prompt.split()) for prompt in prompts),
        updated_at=timezone.now(),
    )
    return bool(stored)


def _mood_still_running(mood: Mood) -> bool:
    # A board swept to failed or restarted (a new seed) meanwhile is no longer this job's to draw.
    return Mood.objects.filter(pk=mood.pk, status=GenerationStatus.RUNNING, seed=mood.seed).exists()


def _image_draw(mood: Mood, position: int) -> StoredMedia:
    width, height = settings.QUALITY_PROFILE["frame_size"]
    prompts = mood_prompts(mood)
    return providers["image"].generate(
        prompt=prompts[position % len(prompts)],
        negative_prompt=NEGATIVE_PROMPT,
        width=width,
        height=height,
        seed=mood.seed + position,
        style=ImageStyle(palette=mood.palette, keywords=mood.feel),
        count=1,
    )[0]


def _image_store(mood: Mood, position: int, media: StoredMedia) -> None:
    MoodImage.objects.get_or_create(
        mood=mood,
        position=position,
        defaults={"image": media.path, "width": media.width or 0, "height": media.height or 0},
    )
    _publish(mood)


def _mood_finish(mood: Mood) -> Mood:
    if Mood.objects.filter(pk=mood.pk, status=GenerationStatus.RUNNING).update(
        **_status(GenerationStatus.DONE)
    ):
        _publish(mood)
    mood.refresh_from_db()
    return mood


def _mood_fail_one(mood: Mood, message: str, candidates: QuerySet[Mood]) -> int:
    """Fail `mood` if it still matches `candidates` (it may have finished in the meantime)."""
    failed = candidates.filter(pk=mood.pk).update(
        **_status(GenerationStatus.FAILED, error=message[:ERROR_LENGTH])
    )
    if failed:
        _publish(mood)
    return failed


def _status(status: str, *, error: str = "") -> dict[str, object]:
    now = timezone.now()
    return {"status": status, "error": error, "status_changed_at": now, "updated_at": now}


def _publish(mood: Mood) -> None:
    transaction.on_commit(partial(live.publish, mood.project_id, MOOD, mood.pk))


def _usage(project: Project) -> AbstractContextManager[UsageContext]:
    return usage_context(user_id=project.owner_id, subject=f"project:{project.pk}")
