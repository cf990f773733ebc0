"""Mood boards, as the user drives them: generate, regenerate, pick.

The work the jobs do (plan, draw, fail, requeue, sweep) is in storyboards/generation.py;
this module changes state on a user's request and enqueues the jobs. Imports go one way:
services → tasks → generation.
"""

import random
from functools import partial

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Case, F, When

from live import publish
from media_pipeline.budgets import spend_check
from media_pipeline.estimates import estimate
from media_pipeline.jobs import enqueue_on_commit
from projects.models import Project, Step
from projects.ratelimit import rate_limit_hit
from projects.steps import project_unlock_step
from storyboards import tasks
from storyboards.generation import MOOD_COUNT, image_move, mood_move
from storyboards.live import MOODS
from storyboards.models import MOOD_IN_FLIGHT, GenerationStatus, Mood, MoodImage

MAX_SEED = 2**31 - 1
RESTARTABLE = (Mood.Status.IDLE, Mood.Status.DONE, Mood.Status.FAILED)


class MoodError(Exception):
    """A mood change the board's state does not allow; the message says what to do instead."""


@transaction.atomic
def mood_generate_all(*, project: Project, user: AbstractBaseUser) -> list[Mood]:
    """(Re)start every board of the project that is not already being made."""
    if not project.brief_is_complete:
        raise MoodError("Finish the brief first: every field of the brief card needs a value.")
    slots = _mood_slots(project)
    if all(mood.status in MOOD_IN_FLIGHT for mood in slots):
        raise MoodError("The mood boards are already being made; they appear here as they finish.")
    rate_limit_hit(user_id=user.pk, bucket="generation")
    spend_check(user_id=project.owner_id, estimate=estimate("moods").cost)
    started = [mood for mood in slots if _mood_plan_start(mood)]
    _plan_enqueue(started)
    transaction.on_commit(partial(publish, project.pk, MOODS, project.pk))
    return started


@transaction.atomic
def mood_regenerate(*, mood: Mood) -> Mood:
    """A new direction for one board; a board that failed while drawing redraws what failed."""
    if mood.status in MOOD_IN_FLIGHT:
        raise MoodError("This board is already being made; it appears here as soon as it is ready.")
    rate_limit_hit(user_id=mood.project.owner_id, bucket="generation")
    spend_check(user_id=mood.project.owner_id, estimate=estimate("mood").cost)
    if mood.status == Mood.Status.FAILED and mood.images.filter(status=GenerationStatus.FAILED):
        _mood_redraw_failed(mood)
    elif _mood_plan_start(mood):
        _plan_enqueue([mood])
    mood.refresh_from_db()
    return mood


@transaction.atomic
def mood_select(*, project: Project, mood: Mood) -> Project:
    """Choose a finished board as the project's mood and open the Scenes step."""
    project.moods.filter(selected=True).exclude(pk=mood.pk).update(selected=False)
    if not project.moods.filter(pk=mood.pk, status=Mood.Status.DONE).update(selected=True):
        raise MoodError("Pick a board that has finished; this one is not ready.")
    first_image = mood.images.filter(status=GenerationStatus.DONE).exclude(image="").first()
    if first_image is not None:
        project.thumbnail = first_image.image.name
        project.save(update_fields=["thumbnail", "updated_at"])
    project_unlock_step(project=project, step=Step.SCENES)
    transaction.on_commit(partial(publish, project.pk, MOODS, project.pk))
    return project


def mood_copy_all(*, source: Project, copy: Project, **signal_kwargs: object) -> None:
    """Copy the finished boards (sharing their files) and the pick; nothing in flight is copied."""
    done = source.moods.filter(status=Mood.Status.DONE).prefetch_related("images")
    for mood in done:
        images = [image for image in mood.images.all() if image.status == GenerationStatus.DONE]
        mood.pk, mood.project = None, copy
        mood.save(force_insert=True)
        MoodImage.objects.bulk_create(
            MoodImage(
                mood=mood,
                position=image.position,
                image=image.image.name,
                width=image.width,
                height=image.height,
                status=GenerationStatus.DONE,
            )
            for image in images
        )
        if mood.selected:
            project_unlock_step(project=copy, step=Step.SCENES)


def _mood_slots(project: Project) -> list[Mood]:
    """The project's boards at positions 0..MOOD_COUNT-1, creating the missing ones."""
    project.moods.filter(position__gte=MOOD_COUNT).delete()
    existing = set(project.moods.values_list("position", flat=True))
    missing = [Mood(project=project, position=p) for p in range(MOOD_COUNT) if p not in existing]
    Mood.objects.bulk_create(missing, ignore_conflicts=True)
    return list(project.moods.all())


def _mood_plan_start(mood: Mood) -> bool:
    """Empty a board that is not in flight and send it to planning; False when it is in flight.

    The name stays until the new one replaces it, so the writer knows which direction to avoid.
    """
    started = mood_move(
        mood.pk,
        to=Mood.Status.PLANNING,
        sources=RESTARTABLE,
        feel="",
        palette=[],
        layout="",
        image_prompt="",
        selected=False,
        seed=random.randint(0, MAX_SEED),
        # A board's first plan takes the writer's best fit; each new take asks for the next.
        variation=Case(When(name="", then=F("variation")), default=F("variation") + 1),
    )
    if started:
        # Rows only: the files are content-addressed and may be shared with a duplicated project.
        MoodImage.objects.filter(mood=mood).delete()
    return started


def _mood_redraw_failed(mood: Mood) -> None:
    failed = mood.images.filter(status=GenerationStatus.FAILED)
    image_ids = list(failed.values_list("pk", flat=True))
    if not mood_move(mood.pk, to=Mood.Status.DRAWING, sources=[Mood.Status.FAILED]):
        return
    for image_id in image_ids:
        image = MoodImage.objects.get(pk=image_id)
        image_move(image, to=GenerationStatus.QUEUED, sources=[GenerationStatus.FAILED])
        enqueue_on_commit(tasks.mood_image_draw_task, mood_image_id=image_id)


def _plan_enqueue(moods: list[Mood]) -> None:
    if moods:
        mood_ids = [mood.pk for mood in moods]
        enqueue_on_commit(tasks.mood_plan_task, mood_ids=mood_ids)
