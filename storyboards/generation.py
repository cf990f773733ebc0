"""The work of the mood jobs: plan the boards, draw one image, finish, fail, requeue, sweep.

A board's life is `MOOD_STATES` (storyboards/models.py): idle → planning (one text call plans
every board being made, so they differ) → drawing (one `io` job per image, in parallel) →
done | failed. An image's life is `ARTIFACT_STATES`: queued → running (a lease) → done | failed.
Every change is a declared conditional transition, so a double click or a redelivered job
changes nothing twice, and every change is pushed to the open pages once committed.
"""

import logging
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from live import publish
from media_pipeline.base import ImageStyle, MoodConcept, ProviderError, StoredMedia, is_hex_colour
from media_pipeline.jobs import job_lease
from media_pipeline.metering import UsageContext, usage_context
from media_pipeline.registry import providers
from media_pipeline.states import claim, renew, transition
from projects.models import Project
from projects.selectors import main_cutout
from storyboards.live import MOOD
from storyboards.models import ARTIFACT_STATES, MOOD_STATES, GenerationStatus, Mood, MoodImage

logger = logging.getLogger(__name__)

NEGATIVE_PROMPT = "text, letters, watermark, logo, blurry, low quality, distorted, deformed"
NAME_LENGTH = Mood._meta.get_field("name").max_length
FEEL_LENGTH = Mood._meta.get_field("feel").max_length
ERROR_LENGTH = Mood._meta.get_field("error").max_length
# Boards planned together, so the writer gives each its own direction.
MOOD_COUNT = 3
STUCK_MESSAGE = "Generation took too long. Try again."
NO_IDEAS_MESSAGE = "The writer came back without mood ideas. Try again."


def mood_plan(*, mood_ids: list[int]) -> list[int]:
    """Plan the boards still planning in one call, so they differ; the ids of images to draw.

    Idempotent: a redelivered plan job plans nothing twice and hands back every image of its
    boards that is still queued, so no image is left without a job.
    """
    moods = list(_planning(mood_ids))
    if moods:
        project = moods[0].project
        # Names still on the boards, those being replanned included: a new take must differ.
        shown = list(project.moods.exclude(name="").values_list("name", flat=True))
        with _usage(project):
            concepts = providers["text"].plan_moods(
                brief=project.brief,
                count=MOOD_COUNT,
                images_per_mood=settings.QUALITY_PROFILE["images_per_mood"],
                variation=max(mood.variation for mood in moods),
                avoid=shown,
            )
        for mood, concept in zip(moods, _fresh_concepts(project, concepts, moods), strict=True):
            _mood_draw(mood, concept)
    queued = MoodImage.objects.filter(
        mood_id__in=mood_ids, mood__status=Mood.Status.DRAWING, status=GenerationStatus.QUEUED
    )
    return list(queued.values_list("pk", flat=True))


def mood_plan_fail(*, mood_ids: list[int], message: str) -> None:
    for mood_id in mood_ids:
        mood_move(mood_id, to=Mood.Status.FAILED, sources=[Mood.Status.PLANNING], error=message)


def mood_image_draw(*, mood_image_id: int) -> None:
    """Claim one image (LeaseHeld if a live job has it), draw it, store it, finish its board."""
    image = _image_claim(mood_image_id)
    if image is None:
        return
    mood = image.mood
    with _usage(mood.project):
        media = _image_draw(mood, image.position)
    moved = image_move(
        image,
        to=GenerationStatus.DONE,
        image=media.path,
        width=media.width or 0,
        height=media.height or 0,
    )
    if moved:
        _mood_finish_if_drawn(mood.pk)


def mood_image_requeue(*, mood_image_id: int) -> None:
    """A transient fault: the image waits in the queue while its job backs off."""
    image = MoodImage.objects.filter(pk=mood_image_id).first()
    if image is not None:
        image_move(image, to=GenerationStatus.QUEUED, sources=[GenerationStatus.RUNNING])


def mood_image_renew(*, mood_image_id: int) -> None:
    """The image job's heartbeat: its lease holds while the provider works."""
    rows = MoodImage.objects.filter(pk=mood_image_id)
    renew(rows, ARTIFACT_STATES, running=GenerationStatus.RUNNING)


def mood_image_fail(*, mood_image_id: int, message: str) -> None:
    """Fail the image and its board, with a message the user can act on."""
    image = MoodImage.objects.filter(pk=mood_image_id).first()
    if image is None:
        return
    image_move(image, to=GenerationStatus.FAILED, error=message[:ERROR_LENGTH])
    mood_move(image.mood_id, to=Mood.Status.FAILED, sources=[Mood.Status.DRAWING], error=message)


def mood_sweep_stuck(*, older_than: timedelta) -> int:
    """The last resort: fail boards and images in flight past every lease and retry."""
    cutoff = timezone.now() - older_than
    stuck_images = MoodImage.objects.filter(
        status__in=(GenerationStatus.QUEUED, GenerationStatus.RUNNING), status_changed_at__lt=cutoff
    )
    images = list(stuck_images.values_list("pk", flat=True))
    for image_id in images:
        mood_image_fail(mood_image_id=image_id, message=STUCK_MESSAGE)
    planning = Mood.objects.filter(status=Mood.Status.PLANNING, status_changed_at__lt=cutoff)
    stuck_plans = list(planning.values_list("pk", flat=True))
    mood_plan_fail(mood_ids=stuck_plans, message=STUCK_MESSAGE)
    swept = len(stuck_plans) + len(images)
    if swept:
        logger.warning("Swept %s stuck mood boards and images to failed", swept)
    return swept


def mood_waiting_jobs(*, older_than: timedelta) -> tuple[list[int], list[int]]:
    """Boards planning and images queued past any retry's wait: their job may never have reached
    the broker (it was down at commit), so the sweep enqueues them again. Claims make a second
    job harmless: whichever comes second finds the work taken or done."""
    cutoff = timezone.now() - older_than
    plans = Mood.objects.filter(status=Mood.Status.PLANNING, status_changed_at__lt=cutoff)
    images = MoodImage.objects.filter(
        status=GenerationStatus.QUEUED,
        status_changed_at__lt=cutoff,
        mood__status=Mood.Status.DRAWING,
    )
    return list(plans.values_list("pk", flat=True)), list(images.values_list("pk", flat=True))


def mood_prompts(mood: Mood) -> list[str]:
    # The concept's prompts are kept one a line, so a retried job draws the same pictures.
    return mood.image_prompt.splitlines() or [f"{mood.name}, {mood.feel}"]


def _mood_draw(mood: Mood, concept: MoodConcept) -> None:
    """Store the board's direction and its image slots, each to be drawn by a job of its own."""
    prompts = [" ".join(prompt.split()) for prompt in concept.image_prompts if prompt.strip()]
    moved = mood_move(
        mood.pk,
        to=Mood.Status.DRAWING,
        sources=[Mood.Status.PLANNING],
        name=concept.name.strip()[:NAME_LENGTH] or f"Mood {mood.position + 1}",
        feel=concept.feel.strip()[:FEEL_LENGTH],
        palette=[colour for colour in concept.palette if is_hex_colour(colour)],
        layout=getattr(concept, "layout", ""),
        image_prompt="\n".join(prompts),
    )
    if moved:
        count = settings.QUALITY_PROFILE["images_per_mood"]
        MoodImage.objects.bulk_create(
            MoodImage(mood=mood, position=position) for position in range(count)
        )


def _mood_finish_if_drawn(mood_id: int) -> None:
    unfinished = MoodImage.objects.filter(mood_id=mood_id).exclude(status=GenerationStatus.DONE)
    if not unfinished.exists():
        mood_move(mood_id, to=Mood.Status.DONE, sources=[Mood.Status.DRAWING])


def mood_move(mood_id: int, *, to: str, sources: Iterable[str], **fields: object) -> bool:
    """One declared transition of a board, pushed to the open pages once committed."""
    if "error" in fields:
        fields["error"] = str(fields["error"])[:ERROR_LENGTH]
    else:
        fields["error"] = ""
    rows = Mood.objects.filter(pk=mood_id)
    return bool(
        transition(rows, MOOD_STATES, to=to, sources=sources, on_commit=_push(mood_id), **fields)
    )


def image_move(
    mood_image: MoodImage, *, to: str, sources: Iterable[str] | None = None, **fields: object
) -> bool:
    """One declared transition of an image, pushed (its board's card) once committed."""
    fields.setdefault("error", "")
    rows = MoodImage.objects.filter(pk=mood_image.pk)
    on_commit = _push(mood_image.mood_id)
    return bool(
        transition(rows, ARTIFACT_STATES, to=to, sources=sources, on_commit=on_commit, **fields)
    )


def _image_claim(mood_image_id: int) -> MoodImage | None:
    rows = MoodImage.objects.filter(pk=mood_image_id, mood__status=Mood.Status.DRAWING)
    claimed = claim(
        rows,
        ARTIFACT_STATES,
        waiting=GenerationStatus.QUEUED,
        running=GenerationStatus.RUNNING,
        lease=job_lease(),
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return None
    image = MoodImage.objects.select_related("mood__project").get(pk=mood_image_id)
    transaction.on_commit(_push(image.mood_id))
    return image


def _push(mood_id: int) -> Callable[[], None]:
    project_id = Mood.objects.values_list("project_id", flat=True).get(pk=mood_id)
    return partial(publish, project_id, MOOD, mood_id)


def _planning(mood_ids: list[int]) -> QuerySet[Mood]:
    planning = Mood.objects.filter(pk__in=mood_ids, status=Mood.Status.PLANNING)
    return planning.select_related("project").order_by("position")


def _fresh_concepts(
    project: Project, concepts: list[MoodConcept], moods: list[Mood]
) -> list[MoodConcept]:
    """Concepts whose names no other board of the project uses, so a retried board stays distinct."""
    if not concepts:
        raise ProviderError(NO_IDEAS_MESSAGE, permanent=False)
    others = project.moods.exclude(pk__in=[mood.pk for mood in moods]).exclude(name="")
    taken = set(others.values_list("name", flat=True))
    fresh = [concept for concept in concepts if concept.name not in taken] or concepts
    return [fresh[index % len(fresh)] for index in range(len(moods))]


def _image_draw(mood: Mood, position: int) -> StoredMedia:
    width, height = settings.QUALITY_PROFILE["frame_size"]
    prompts = mood_prompts(mood)
    return providers["image"].generate(
        prompt=prompts[position % len(prompts)],
        negative_prompt=NEGATIVE_PROMPT,
        width=width,
        height=height,
        seed=mood.seed + position,
        style=ImageStyle(
            palette=mood.palette,
            keywords=mood.feel,
            layout=mood.layout,
            product_cutout=main_cutout(mood.project.product),
        ),
        count=1,
    )[0]


def _usage(project: Project) -> AbstractContextManager[UsageContext]:
    return usage_context(user_id=project.owner_id, subject=f"project:{project.pk}")
