"""The film, as the user drives it: compose, cancel, retry, delete.

The job's work (claim, render, progress, finish, fail) is in storyboards/composing.py; this
module changes state on a user's request and enqueues the job. Imports go one way:
compositions → tasks → composing.
"""

import tempfile
from functools import partial
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from live import publish
from media_pipeline import ffmpeg, states, storage
from media_pipeline.budgets import spend_check
from media_pipeline.compose import FORMATS
from media_pipeline.estimates import estimate
from media_pipeline.jobs import enqueue_on_commit
from projects.models import Project
from projects.ratelimit import rate_limit_hit
from storyboards import tasks
from storyboards.composing import discard_unheld
from storyboards.final_live import COMPOSITION, COMPOSITIONS
from storyboards.final_selectors import (
    COMPOSITION_IN_FLIGHT,
    scenes_for_film,
    storyboard_current_for_project,
)
from storyboards.models import COMPOSITION_STATES, Composition, GenerationStatus, Storyboard

AUDIO_TYPES = ("mp3", "wav", "m4a", "aac", "ogg")
MIN_AUDIO_SECONDS = 1.0
MAX_AUDIO_SECONDS = 300.0
UPLOAD_KIND = "uploads/audio"
MAX_VOLUME = 2.0
RESTARTABLE = (Composition.Status.ERROR, Composition.Status.CANCELLED)
# Files that go when their film is deleted, unless another row holds the same bytes.
FILE_FIELDS = ("video", "thumbnail", "audio")


class CompositionRefused(Exception):
    """A film request the project's state does not allow; the message says what to do instead."""


@transaction.atomic
def composition_start(
    *,
    project: Project,
    user: AbstractBaseUser,
    transition: str,
    reframe: str,
    aspect_ratio: str,
    captions: bool,
    audio_source: str,
    audio_volume: float,
    audio_upload: UploadedFile | None = None,
) -> Composition:
    """Queue one film of the current storyboard; refused while another one is being made."""
    storyboard = _locked_ready_storyboard(project)
    if storyboard.compositions.filter(status__in=COMPOSITION_IN_FLIGHT).exists():
        raise CompositionRefused("Your film is already being made; it appears here when ready.")
    if aspect_ratio not in FORMATS or not 0 <= audio_volume <= MAX_VOLUME:
        raise CompositionRefused("Pick one of the formats and a volume between 0 and 200 %.")
    rate_limit_hit(user_id=user.pk, bucket="generation")
    spend_check(user_id=project.owner_id, estimate=estimate("composition").cost)
    audio = _stored_upload(audio_upload) if audio_source == Composition.AudioSource.UPLOADED else ""
    composition = Composition.objects.create(
        storyboard=storyboard,
        transition=transition,
        reframe=reframe,
        aspect_ratio=aspect_ratio,
        captions=captions,
        audio_source=audio_source,
        audio_volume=audio_volume,
        audio=audio,
    )
    _enqueue(composition)
    return composition


def composition_cancel(*, composition: Composition) -> None:
    """Stop a film being made; the running job notices at its next progress step."""
    moved = states.transition(
        Composition.objects.filter(pk=composition.pk),
        COMPOSITION_STATES,
        to=Composition.Status.CANCELLED,
        sources=COMPOSITION_IN_FLIGHT,
        on_commit=_push(composition),
    )
    if not moved:
        raise CompositionRefused("This film is no longer being made, so there is nothing to stop.")


@transaction.atomic
def composition_retry(*, composition: Composition, user: AbstractBaseUser) -> None:
    """Make a failed or cancelled film again, with the same settings."""
    rate_limit_hit(user_id=user.pk, bucket="generation")
    spend_check(
        user_id=composition.storyboard.project.owner_id, estimate=estimate("composition").cost
    )
    if composition.storyboard.compositions.filter(status__in=COMPOSITION_IN_FLIGHT).exists():
        raise CompositionRefused("Another film is being made; wait for it or cancel it first.")
    moved = states.transition(
        Composition.objects.filter(pk=composition.pk),
        COMPOSITION_STATES,
        to=Composition.Status.PENDING,
        sources=RESTARTABLE,
        progress=0,
        stage="",
        error="",
    )
    if not moved:
        raise CompositionRefused("Only a film that failed or was cancelled can be retried.")
    _enqueue(composition)


@transaction.atomic
def composition_delete(*, composition: Composition) -> None:
    """Delete a film and its files; a film being made stops at its next progress step."""
    paths = [getattr(composition, field).name for field in FILE_FIELDS]
    project_id = composition.storyboard.project_id
    composition.delete()
    transaction.on_commit(partial(discard_unheld, [path for path in paths if path]))
    transaction.on_commit(partial(publish, project_id, COMPOSITIONS, project_id))


def _locked_ready_storyboard(project: Project) -> Storyboard:
    """The current storyboard, locked so two compose clicks queue one film, with every clip made."""
    current = storyboard_current_for_project(project)
    if current is None:
        raise CompositionRefused("Make the storyboard in Scenes first.")
    storyboard = Storyboard.objects.select_for_update().get(pk=current.pk)
    scenes = scenes_for_film(storyboard)
    if not scenes:
        raise CompositionRefused("The storyboard has no scenes yet; add them in Scenes.")
    for scene in scenes:
        if scene.video_status != GenerationStatus.DONE or not scene.video:
            raise CompositionRefused(f"{scene} has no finished clip yet; make it in Scenes.")
    return storyboard


def _stored_upload(upload: UploadedFile | None) -> str:
    """Check an uploaded track by its content (not its name alone) and store it."""
    if upload is None:
        raise CompositionRefused("Choose a music file to upload, or pick another audio option.")
    name = Path(upload.name or "track").name
    extension = Path(name).suffix.lower().lstrip(".")
    if extension not in AUDIO_TYPES:
        raise CompositionRefused(
            f"“{name}” is not a supported type; upload MP3, WAV, M4A, AAC or OGG."
        )
    if upload.size > settings.MAX_UPLOAD_BYTES:
        limit = settings.MAX_UPLOAD_BYTES // (1024 * 1024)
        raise CompositionRefused(f"“{name}” is larger than {limit} MB; upload a smaller file.")
    with tempfile.TemporaryDirectory(prefix="reelsmith-upload-") as directory:
        local = Path(directory) / f"track.{extension}"
        with local.open("wb") as target:
            for chunk in upload.chunks():
                target.write(chunk)
        _check_audio(local, name)
        return storage.store_file(local, kind=UPLOAD_KIND)


def _check_audio(local: Path, name: str) -> None:
    try:
        facts = ffmpeg.probe(local)
    except ffmpeg.FFmpegError:
        facts = None
    if facts is None or not facts.has_audio:
        raise CompositionRefused(f"“{name}” has no sound we can read; upload an audio file.")
    if not MIN_AUDIO_SECONDS <= (facts.duration or 0) <= MAX_AUDIO_SECONDS:
        raise CompositionRefused(
            f"“{name}” must last between {MIN_AUDIO_SECONDS:g} s and "
            f"{MAX_AUDIO_SECONDS / 60:g} minutes; trim it and upload it again."
        )


def _enqueue(composition: Composition) -> None:
    enqueue_on_commit(tasks.composition_render_task, composition_id=composition.pk)
    transaction.on_commit(_push(composition))


def _push(composition: Composition) -> partial:
    return partial(publish, composition.storyboard.project_id, COMPOSITION, composition.pk)
