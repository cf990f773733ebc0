"""The work of the composition job: claim, gather the clips and the music, render, finish.

A film's life is `COMPOSITION_STATES` (storyboards/models.py): pending → processing → complete
| error | cancelled. Processing is a short lease that every stored progress step renews, so a
film whose worker died is claimed again within LEASE by the job's redelivery, while a live
job (however long) is never claimed twice. Progress steps are also how the job hears of a
cancel: the renewal is conditional on the row still processing, and when it moves nothing
the engine is told to stop, which kills FFmpeg and leaves nothing behind.
"""

import dataclasses
import logging
import math
import tempfile
import threading
import time
from contextlib import ExitStack
from datetime import timedelta
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage

from live import publish
from media_pipeline import states, storage
from media_pipeline.compose import (
    FORMATS,
    STAGES,
    ClipInput,
    ClipUnreadable,
    CompositionCancelled,
    CompositionError,
    CompositionResult,
    CompositionSpec,
    Reframe,
    Transition,
    compose,
    total_duration,
)
from media_pipeline.delivery import is_held
from media_pipeline.metering import usage_context
from media_pipeline.registry import providers
from projects.models import Project
from storyboards.final_live import COMPOSITION
from storyboards.final_selectors import scenes_for_film
from storyboards.models import COMPOSITION_STATES, Composition, GenerationStatus, Scene

logger = logging.getLogger(__name__)

# The job's soft time limit; the engine gets a little less, so its own clear message wins.
COMPOSE_SECONDS = 900
ENGINE_MARGIN_SECONDS = 60
LEASE = timedelta(seconds=120)
# At most this many progress writes (and pushes) a second: enough for a smooth bar.
PROGRESS_WRITES_PER_SECOND = 4
ERROR_LENGTH = Composition._meta.get_field("error").max_length
FILM_KIND = "films"
POSTER_KIND = "posters"
Processing = Composition.Status.PROCESSING


def frame_size(aspect_ratio: str) -> tuple[int, int]:
    """The format's frame, its long side capped by the quality profile's, both sides even."""
    width, height = FORMATS[aspect_ratio]
    cap = max(settings.QUALITY_PROFILE["frame_size"])
    scale = min(1.0, cap / max(width, height))
    return _even(width * scale), _even(height * scale)


def composition_render(*, composition_id: int) -> None:
    """Claim the film (LeaseHeld while a live job has it), render it, store it, finish it."""
    composition = _claim(composition_id)
    if composition is None:
        return
    project = composition.storyboard.project
    subject = f"project:{project.pk}:storyboard:{composition.storyboard_id}"
    with usage_context(user_id=project.owner_id, subject=subject):
        try:
            scenes = _scenes_with_clips(composition)
            _render(composition, project, scenes)
        except ClipUnreadable as error:
            composition_fail(
                composition_id=composition_id, message=_unreadable(scenes[error.clip_index])
            )
        except CompositionCancelled:
            _move(composition, to=Composition.Status.CANCELLED, sources=[Processing])
        except CompositionError as error:
            composition_fail(composition_id=composition_id, message=str(error))


def composition_requeue(*, composition_id: int) -> None:
    """A transient fault (the music service is busy): the film waits while its job backs off."""
    composition = Composition.objects.filter(pk=composition_id).first()
    if composition is not None:
        _move(composition, to=Composition.Status.PENDING, sources=[Processing])


def composition_renew(*, composition_id: int) -> None:
    """The film job's heartbeat while it waits on the music service (progress renews too)."""
    rows = Composition.objects.filter(pk=composition_id)
    states.renew(rows, COMPOSITION_STATES, running=Composition.Status.PROCESSING)


def composition_fail(*, composition_id: int, message: str) -> None:
    composition = Composition.objects.filter(pk=composition_id).first()
    if composition is not None:
        logger.warning("Composition %s failed: %s", composition_id, message)
        _move(
            composition,
            to=Composition.Status.ERROR,
            sources=[Composition.Status.PENDING, Processing],
            error=message[:ERROR_LENGTH],
        )


def _claim(composition_id: int) -> Composition | None:
    rows = Composition.objects.filter(pk=composition_id)
    claimed = states.claim(
        rows,
        COMPOSITION_STATES,
        waiting=Composition.Status.PENDING,
        running=Processing,
        lease=LEASE,
        progress=0,
        stage=STAGES[0],
    )
    if not claimed:
        return None
    composition = rows.select_related("storyboard__project").get()
    _publish(composition)
    return composition


def _render(composition: Composition, project: Project, scenes: list[Scene]) -> None:
    width, height = frame_size(composition.aspect_ratio)
    stop = threading.Event()
    with ExitStack() as stack:
        clips = [
            ClipInput(
                path=stack.enter_context(storage.local_copy(scene.video.name)),
                duration=scene.duration,
                caption=scene.text,
            )
            for scene in scenes
        ]
        spec = CompositionSpec(
            clips=clips,
            width=width,
            height=height,
            fps=settings.QUALITY_PROFILE["fps"],
            transition=Transition(composition.transition),
            reframe=Reframe(composition.reframe),
            audio_volume=composition.audio_volume,
            captions=composition.captions,
        )
        audio = _audio_path(composition, total_duration(spec))
        if audio:
            local_audio = Path(stack.enter_context(storage.local_copy(audio)))
            spec = dataclasses.replace(spec, audio_path=local_audio)
        output = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="reelsmith-film-")))
        result = compose(
            spec,
            output,
            on_progress=_ProgressWriter(composition, stop),
            cancel=stop,
            timeout=COMPOSE_SECONDS - ENGINE_MARGIN_SECONDS,
        )
        _finish(composition, project, result, width=width, height=height)


def _scenes_with_clips(composition: Composition) -> list[Scene]:
    scenes = scenes_for_film(composition.storyboard)
    if not scenes:
        raise CompositionError("The storyboard has no scenes; add them in Scenes.")
    for scene in scenes:
        if scene.video_status != GenerationStatus.DONE or not scene.video:
            raise CompositionError(f"{scene} has no finished clip; make it in Scenes.")
    return scenes


def _audio_path(composition: Composition, seconds: float) -> str:
    """The film's music: the upload, the bed made on an earlier try, or a new bed."""
    source = composition.audio_source
    if source == Composition.AudioSource.NONE:
        return ""
    if composition.audio:
        return composition.audio.name
    if source == Composition.AudioSource.UPLOADED:
        raise CompositionError("The uploaded track is missing; choose it again and compose.")
    media = providers["audio"].generate(
        prompt=music_prompt(composition), duration=math.ceil(seconds), seed=composition.pk
    )
    Composition.objects.filter(pk=composition.pk).update(audio=media.path)
    return media.path


def music_prompt(composition: Composition) -> str:
    """Music for the ad: the brief's tone and the chosen mood's name and feel."""
    brief, mood = composition.storyboard.brief, composition.storyboard.mood
    words = [brief.get("tone"), mood.get("name"), mood.get("feel")]
    described = ", ".join(str(word) for word in words if word)
    return f"Instrumental background music for a short ad: {described or 'warm and modern'}."


def _finish(
    composition: Composition,
    project: Project,
    result: CompositionResult,
    *,
    width: int,
    height: int,
) -> None:
    """Store the film and poster; keep them only if the film is still wanted."""
    video = storage.store_file(result.video_path, kind=FILM_KIND)
    poster = storage.store_file(result.poster_path, kind=POSTER_KIND)
    moved = _move(
        composition,
        to=Composition.Status.COMPLETE,
        sources=[Processing],
        video=video,
        thumbnail=poster,
        width=width,
        height=height,
        duration=result.duration,
        size_bytes=result.video_path.stat().st_size,
        smart_render=result.smart,
        progress=100,
        stage=STAGES[-1],
    )
    if moved:
        Project.objects.filter(pk=project.pk).update(thumbnail=poster)
        return
    discard_unheld([video, poster])


def discard_unheld(paths: list[str]) -> None:
    """Delete stored files no registered row holds any more (files are content-addressed)."""
    for path in paths:
        if not is_held(path):
            default_storage.delete(path)


def _move(composition: Composition, *, to: str, sources: list[str], **fields: object) -> bool:
    """One declared transition of the film, pushed to the open Final pages once committed."""
    fields.setdefault("error", "")
    rows = Composition.objects.filter(pk=composition.pk)
    on_commit = partial(publish, composition.storyboard.project_id, COMPOSITION, composition.pk)
    return bool(
        states.transition(
            rows, COMPOSITION_STATES, to=to, sources=sources, on_commit=on_commit, **fields
        )
    )


def _publish(composition: Composition) -> None:
    publish(composition.storyboard.project_id, COMPOSITION, composition.pk)


class _ProgressWriter:
    """The engine's on_progress: store, renew the lease and push, a few times a second at most.

    A write that moves no row means the film was cancelled or deleted: stop the engine.
    """

    def __init__(self, composition: Composition, stop: threading.Event) -> None:
        self.composition, self.stop = composition, stop
        self.rows = Composition.objects.filter(pk=composition.pk)
        self.stage = ""
        self.written_at = -math.inf

    def __call__(self, percent: int, stage: str) -> None:
        now = time.monotonic()
        due = now - self.written_at >= 1 / PROGRESS_WRITES_PER_SECOND
        if not (due or stage != self.stage or percent >= 100):
            return
        self.stage, self.written_at = stage, now
        fields = {"progress": min(100, percent), "stage": stage}
        if states.renew(self.rows, COMPOSITION_STATES, running=Processing, **fields):
            _publish(self.composition)
        else:
            self.stop.set()


def _unreadable(scene: Scene) -> str:
    return f"{scene}'s clip could not be read; regenerate it in Scenes."


def _even(length: float) -> int:
    return max(2, 2 * round(length / 2))
