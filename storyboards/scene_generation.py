"""The work of the scene jobs: plan a storyboard, rewrite a text, draw an image, animate a clip.

A storyboard is `generating` while one text call plans its scenes, then `ready` and the
project's current storyboard (both in one transaction, so the previous one stays current until
then) or `error`. Each scene has three artifacts, each with its own `ARTIFACT_STATES` field:
queued → running (a lease) → done | failed. The services keep at most one artifact of a scene
in flight, so a job may rely on the others standing still. Every change is a declared
conditional transition, pushed to the open Scenes pages once committed.
"""

import logging
import random
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from live import publish
from media_pipeline.base import (
    MAX_SCENE_SECONDS,
    MIN_SCENE_SECONDS,
    CameraMove,
    ImageStyle,
    ProviderError,
    ScenePlan,
    StoredMedia,
)
from media_pipeline.jobs import job_lease
from media_pipeline.metering import UsageContext, usage_context
from media_pipeline.overlay import overlay_turntable
from media_pipeline.registry import providers
from media_pipeline.states import StateGraph, claim, renew, transition
from projects.products import product_turntable
from projects.selectors import main_cutout
from storyboards.generation import NEGATIVE_PROMPT, STUCK_MESSAGE
from storyboards.models import (
    IN_FLIGHT,
    SCENE_IMAGE_STATES,
    SCENE_TEXT_STATES,
    SCENE_VIDEO_STATES,
    STORYBOARD_STATES,
    GenerationStatus,
    Scene,
    Storyboard,
)
from storyboards.scene_live import SCENE, STORYBOARD

logger = logging.getLogger(__name__)

# A scene long enough to read one line; a storyboard short enough to edit on a phone.
SCENE_SECONDS = 3
MIN_SCENES = 3
MAX_SCENES = 8
DEFAULT_TARGET_SECONDS = 15
MAX_SEED = 2**31 - 1
ERROR_LENGTH = Scene._meta.get_field("error_message").max_length
NO_SCENES_MESSAGE = "The writer came back without scenes. Try again."
NO_IMAGE_MESSAGE = "This scene has no image to animate. Generate its image first."
# Nothing of the scene is being made: the condition for starting any of its artifacts.
NOTHING_IN_FLIGHT = (
    ~Q(text_status__in=IN_FLIGHT) & ~Q(image_status__in=IN_FLIGHT) & ~Q(video_status__in=IN_FLIGHT)
)
SCENE_GRAPHS = (SCENE_TEXT_STATES, SCENE_IMAGE_STATES, SCENE_VIDEO_STATES)


def new_seed() -> int:
    return random.randint(0, MAX_SEED)


def scene_count(target_seconds: float | None) -> int:
    """Scenes of about SCENE_SECONDS each to fill the target, within MIN_SCENES..MAX_SCENES."""
    target = target_seconds or DEFAULT_TARGET_SECONDS
    return min(MAX_SCENES, max(MIN_SCENES, round(target / SCENE_SECONDS)))


def stale_if_made(field: str) -> Case:
    """`<field>_stale` becomes true when the artifact exists, else keeps its value (one UPDATE)."""
    return Case(When(~Q(**{field: ""}), then=Value(True)), default=F(f"{field}_stale"))


def storyboard_plan(*, storyboard_id: int) -> None:
    """Plan a generating storyboard's scenes and make it current; a replayed job does nothing."""
    storyboard = (
        Storyboard.objects.filter(pk=storyboard_id, status=Storyboard.Status.GENERATING)
        .select_related("project")
        .first()
    )
    if storyboard is None:
        return
    earlier = storyboard.project.storyboards.filter(pk__lt=storyboard.pk).count()
    with storyboard_usage(storyboard):
        plans = providers["text"].plan_scenes(
            brief=storyboard.brief,
            mood=storyboard.mood,
            count=scene_count(storyboard.brief.get("target_length")),
            variation=earlier,
        )
    if not plans:
        raise ProviderError(NO_SCENES_MESSAGE, permanent=False)
    _storyboard_store(storyboard, plans)


def storyboard_plan_fail(*, storyboard_id: int, message: str) -> None:
    storyboard_move(
        storyboard_id,
        to=Storyboard.Status.ERROR,
        sources=[Storyboard.Status.GENERATING],
        error=message,
    )


@transaction.atomic
def _storyboard_store(storyboard: Storyboard, plans: list[ScenePlan]) -> None:
    if not storyboard_move(
        storyboard.pk, to=Storyboard.Status.READY, sources=[Storyboard.Status.GENERATING]
    ):
        return
    Scene.objects.bulk_create(
        _scene_from_plan(storyboard, position, plan) for position, plan in enumerate(plans)
    )
    # One current storyboard per project (a conditional unique constraint): clear, then set.
    Storyboard.objects.filter(project_id=storyboard.project_id, is_current=True).update(
        is_current=False
    )
    Storyboard.objects.filter(pk=storyboard.pk).update(is_current=True)


def _scene_from_plan(storyboard: Storyboard, position: int, plan: ScenePlan) -> Scene:
    return Scene(
        storyboard=storyboard,
        position=position,
        text=plan.text.strip(),
        image_prompt=plan.image_prompt.strip(),
        duration=min(MAX_SCENE_SECONDS, max(MIN_SCENE_SECONDS, float(plan.duration))),
        motion=plan.motion if plan.motion in CameraMove.values else CameraMove.ZOOM_IN,
        text_status=GenerationStatus.DONE,
        seed=new_seed(),
    )


def scene_text_rewrite(*, scene_id: int, instruction: str) -> None:
    """Rewrite one scene's text as instructed; its image and clip, if made, become stale."""
    scene = scene_claim(scene_id, SCENE_TEXT_STATES, attempts="text_attempts")
    if scene is None:
        return
    storyboard = scene.storyboard
    with storyboard_usage(storyboard):
        plan = providers["text"].rewrite_scene(
            brief=storyboard.brief, mood=storyboard.mood, text=scene.text, instruction=instruction
        )
    scene_move(
        scene,
        SCENE_TEXT_STATES,
        to=GenerationStatus.DONE,
        sources=[GenerationStatus.RUNNING],
        text=plan.text.strip() or scene.text,
        image_prompt=plan.image_prompt.strip() or scene.image_prompt,
        image_stale=stale_if_made("image"),
        video_stale=stale_if_made("video"),
    )


def scene_image_draw(*, scene_id: int) -> None:
    """Draw the scene's image; a clip made from the previous image becomes stale."""
    scene = scene_claim(scene_id, SCENE_IMAGE_STATES, attempts="image_attempts")
    if scene is None:
        return
    width, height = settings.QUALITY_PROFILE["frame_size"]
    mood = scene.storyboard.mood
    with storyboard_usage(scene.storyboard):
        media = providers["image"].generate(
            prompt=scene_image_prompt(scene),
            negative_prompt=NEGATIVE_PROMPT,
            width=width,
            height=height,
            seed=scene.seed,
            style=ImageStyle(
                palette=mood.get("palette") or [],
                keywords=mood.get("feel") or "",
                layout=mood.get("layout") or "",
                product_cutout=main_cutout(scene.storyboard.project.product),
            ),
            count=1,
        )[0]
    scene_move(
        scene,
        SCENE_IMAGE_STATES,
        to=GenerationStatus.DONE,
        sources=[GenerationStatus.RUNNING],
        image=media.path,
        product_match=None,
        image_stale=False,
        video_stale=stale_if_made("video"),
    )


def scene_video_animate(*, scene_id: int) -> None:
    """Animate the scene's image into a clip of its duration and camera move."""
    scene = scene_claim(scene_id, SCENE_VIDEO_STATES, attempts="video_attempts")
    if scene is None:
        return
    if not scene.image:
        raise ProviderError(NO_IMAGE_MESSAGE, permanent=True)
    with storyboard_usage(scene.storyboard):
        media = providers["video"].animate(
            image_path=scene.image.name,
            duration=scene.duration,
            motion=scene.motion,
            seed=scene.seed,
        )
    media = with_turntable(scene, media)
    scene_move(
        scene,
        SCENE_VIDEO_STATES,
        to=GenerationStatus.DONE,
        sources=[GenerationStatus.RUNNING],
        video=media.path,
        video_stale=False,
    )


def with_turntable(scene: Scene, media: StoredMedia) -> StoredMedia:
    """The clip with the product's 3D turntable over it, when the scene asks for one."""
    product = scene.storyboard.project.product
    turntable = product_turntable(product) if scene.turntable_overlay else ""
    if not turntable:
        return media
    return overlay_turntable(
        clip_path=media.path,
        turntable_path=turntable,
        x=scene.turntable_x,
        y=scene.turntable_y,
        scale=scene.turntable_scale,
    )


def scene_image_prompt(scene: Scene) -> str:
    """The planned picture (or, for a scene added by hand, its text) and the user's extra words."""
    parts = [scene.image_prompt or scene.text, scene.image_instruction]
    return ", ".join(part.strip() for part in parts if part.strip())


def scene_text_requeue(*, scene_id: int, instruction: str) -> None:
    _scene_requeue(scene_id, SCENE_TEXT_STATES)


def scene_image_requeue(*, scene_id: int) -> None:
    _scene_requeue(scene_id, SCENE_IMAGE_STATES)


def scene_video_requeue(*, scene_id: int) -> None:
    _scene_requeue(scene_id, SCENE_VIDEO_STATES)


def scene_text_fail(*, scene_id: int, message: str, instruction: str = "") -> None:
    scene_fail(scene_id, SCENE_TEXT_STATES, message=message)


def scene_image_fail(*, scene_id: int, message: str) -> None:
    scene_fail(scene_id, SCENE_IMAGE_STATES, message=message)


def scene_video_fail(*, scene_id: int, message: str) -> None:
    scene_fail(scene_id, SCENE_VIDEO_STATES, message=message)


def scene_fail(scene_id: int, graph: StateGraph, *, message: str) -> None:
    """Fail one artifact with a message the user can act on; the others keep what they have."""
    scene = Scene.objects.select_related("storyboard").filter(pk=scene_id).first()
    if scene is not None:
        scene_move(scene, graph, to=GenerationStatus.FAILED, error_message=message[:ERROR_LENGTH])


def scene_sweep_stuck(*, older_than: timedelta) -> int:
    """The last resort: fail scene artifacts and storyboard plans in flight past every lease."""
    cutoff = timezone.now() - older_than
    swept = 0
    for graph in SCENE_GRAPHS:
        stuck = Scene.objects.filter(
            **{f"{graph.field}__in": IN_FLIGHT}, status_changed_at__lt=cutoff
        )
        for scene_id in list(stuck.values_list("pk", flat=True)):
            scene_fail(scene_id, graph, message=STUCK_MESSAGE)
            swept += 1
    planning = Storyboard.objects.filter(
        status=Storyboard.Status.GENERATING, status_changed_at__lt=cutoff
    )
    for storyboard_id in list(planning.values_list("pk", flat=True)):
        storyboard_plan_fail(storyboard_id=storyboard_id, message=STUCK_MESSAGE)
        swept += 1
    if swept:
        logger.warning("Swept %s stuck scene artifacts and storyboards to failed", swept)
    return swept


@dataclass(frozen=True)
class WaitingJobs:
    plans: list[int]
    images: list[int]
    videos: list[int]


def scene_waiting_jobs(*, older_than: timedelta) -> WaitingJobs:
    """What waited past any retry's wait: its job may never have reached the broker (it was
    down at commit), so the sweep enqueues it again; claims make a second job harmless. A text
    rewrite is not among them: its instruction lives only in its job."""
    cutoff = timezone.now() - older_than
    plans = Storyboard.objects.filter(
        status=Storyboard.Status.GENERATING, status_changed_at__lt=cutoff
    )
    waiting = Scene.objects.filter(status_changed_at__lt=cutoff)
    return WaitingJobs(
        plans=list(plans.values_list("pk", flat=True)),
        images=list(
            waiting.filter(image_status=GenerationStatus.QUEUED).values_list("pk", flat=True)
        ),
        videos=list(
            waiting.filter(video_status=GenerationStatus.QUEUED).values_list("pk", flat=True)
        ),
    )


def scene_renew(*, scene_id: int, **job_kwargs: object) -> None:
    """A scene job's heartbeat while the provider works: the running artifact's lease holds."""
    rows = Scene.objects.filter(pk=scene_id)
    for graph in SCENE_GRAPHS:
        renew(rows, graph, running=GenerationStatus.RUNNING)


def scene_move(
    scene: Scene,
    graph: StateGraph,
    *,
    to: str,
    sources: Iterable[str] | None = None,
    where: Q | None = None,
    **fields: object,
) -> bool:
    """One declared transition of one artifact of a scene (only where `where` holds), pushed."""
    fields.setdefault("error_message", "")
    rows = Scene.objects.filter(pk=scene.pk)
    if where is not None:
        rows = rows.filter(where)
    on_commit = scene_push(scene)
    return bool(transition(rows, graph, to=to, sources=sources, on_commit=on_commit, **fields))


def storyboard_move(
    storyboard_id: int, *, to: str, sources: Iterable[str], **fields: object
) -> bool:
    fields["error"] = str(fields.get("error", ""))[: Storyboard._meta.get_field("error").max_length]
    rows = Storyboard.objects.filter(pk=storyboard_id)
    on_commit = storyboard_push(storyboard_id)
    return bool(
        transition(rows, STORYBOARD_STATES, to=to, sources=sources, on_commit=on_commit, **fields)
    )


def scene_push(scene: Scene) -> Callable[[], None]:
    return partial(publish, scene.storyboard.project_id, SCENE, scene.pk)


def storyboard_push(storyboard_id: int) -> Callable[[], None]:
    project_id = Storyboard.objects.values_list("project_id", flat=True).get(pk=storyboard_id)
    return partial(publish, project_id, STORYBOARD, storyboard_id)


def storyboard_usage(storyboard: Storyboard) -> AbstractContextManager[UsageContext]:
    return usage_context(user_id=storyboard.project.owner_id, subject=storyboard.usage_subject)


def _scene_requeue(scene_id: int, graph: StateGraph) -> None:
    """A transient fault: the artifact waits in the queue while its job backs off."""
    scene = Scene.objects.select_related("storyboard").filter(pk=scene_id).first()
    if scene is not None:
        scene_move(scene, graph, to=GenerationStatus.QUEUED, sources=[GenerationStatus.RUNNING])


def scene_claim(scene_id: int, graph: StateGraph, *, attempts: str) -> Scene | None:
    """Claim the artifact (LeaseHeld while a live job has it); None when it is not waiting."""
    project_id = (
        Scene.objects.filter(pk=scene_id).values_list("storyboard__project_id", flat=True).first()
    )
    if project_id is None:
        return None
    claimed = claim(
        Scene.objects.filter(pk=scene_id),
        graph,
        waiting=GenerationStatus.QUEUED,
        running=GenerationStatus.RUNNING,
        lease=job_lease(),
        on_commit=partial(publish, project_id, SCENE, scene_id),
        **{attempts: F(attempts) + 1},
    )
    if not claimed:
        return None
    return Scene.objects.select_related("storyboard__project").get(pk=scene_id)
