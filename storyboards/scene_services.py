"""The storyboard and its scenes, as the user drives them: initialize, edit, approve, regenerate.

Each scene moves text → image → video (`Scene.state`); each artifact has its own status graph
(storyboards/models.py). A start is one conditional UPDATE that also requires nothing else of
the scene to be in flight, so a double click, two tabs or a retried request start one job, and a
scene never has two artifacts being made at once. The work is in storyboards/scene_generation.py;
imports go one way: scene_services → tasks → scene_generation.

Staleness is explicit: a new text marks a made image and clip stale, a new duration or camera
move marks a made clip stale (and a new image does, in its job); the card offers to redo them.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Case, F, Q, Value, When

from media_pipeline.budgets import spend_check
from media_pipeline.estimates import estimate
from media_pipeline.jobs import enqueue_on_commit
from media_pipeline.moderation import moderated
from projects.models import Project, Step
from projects.ratelimit import rate_limit_hit
from projects.steps import project_unlock_step
from storyboards import tasks
from storyboards.models import (
    IN_FLIGHT,
    SCENE_IMAGE_STATES,
    SCENE_TEXT_STATES,
    SCENE_VIDEO_STATES,
    GenerationStatus,
    Mood,
    Scene,
    Storyboard,
)
from storyboards.scene_generation import (
    NOTHING_IN_FLIGHT,
    new_seed,
    scene_move,
    scene_push,
    stale_if_made,
    storyboard_push,
)
from storyboards.selectors import SceneCard, mood_selected_for_project, scene_page_for_project

# Far above any real position, so a block of scenes can pass through it without two rows ever
# sharing a (storyboard, position) pair, which the unique constraint checks row by row.
POSITION_OFFSET = 10_000
MAX_SCENES = 20
MOOD_FIELDS = ("name", "feel", "palette", "layout", "image_prompt")
QUEUED = GenerationStatus.QUEUED
DONE = GenerationStatus.DONE
FAILED = GenerationStatus.FAILED
BUSY_MESSAGE = "Scene {number} is still being made. Wait for it to finish, then try again."
NOT_READY = "The storyboard is not ready yet; its scenes appear here when they are."


class SceneError(Exception):
    """A scene change the scene's state does not allow; the message says what to do instead."""


@transaction.atomic
def storyboard_initialize(*, project: Project, user: AbstractBaseUser) -> Storyboard:
    """Plan a new storyboard from the brief and the chosen mood; the current one stays until then."""
    mood = mood_selected_for_project(project)
    if mood is None:
        raise SceneError("Pick a mood board first: the scenes are made in its style.")
    if not project.brief_is_complete:
        raise SceneError("Finish the brief first: every field of the brief card needs a value.")
    # Serialises two initialisations of one project (two tabs): the second sees the first.
    Project.objects.select_for_update().filter(pk=project.pk).first()
    if project.storyboards.filter(status=Storyboard.Status.GENERATING).exists():
        raise SceneError("A storyboard is already being planned; it appears here when ready.")
    rate_limit_hit(user_id=user.pk, bucket="generation")
    spend_check(user_id=project.owner_id, estimate=estimate("storyboard").cost)
    storyboard = Storyboard.objects.create(
        project=project, brief=dict(project.brief), mood=mood_snapshot(mood)
    )
    enqueue_on_commit(tasks.storyboard_plan_task, storyboard_id=storyboard.pk)
    transaction.on_commit(storyboard_push(storyboard.pk))
    return storyboard


def mood_snapshot(mood: Mood) -> dict[str, object]:
    return {field: getattr(mood, field) for field in MOOD_FIELDS}


def _scene_owner(*, scene: Scene, **kwargs: object) -> tuple[int, str]:
    return scene.storyboard.project.owner_id, scene.storyboard.usage_subject


@moderated("text", what="scene text", owner=_scene_owner)
@transaction.atomic
def scene_update_text(*, scene: Scene, text: str) -> None:
    """Replace the text by hand; a made image and clip become stale when the words change."""
    text = text.strip()
    if text == scene.text:
        return
    rows = Scene.objects.filter(pk=scene.pk).filter(NOTHING_IN_FLIGHT)
    if not rows.update(
        text=text, image_stale=stale_if_made("image"), video_stale=stale_if_made("video")
    ):
        scene_refuse(scene)
    transaction.on_commit(scene_push(scene))


@moderated("instruction", what="scene instruction", owner=_scene_owner)
@transaction.atomic
def scene_rewrite_text(*, scene: Scene, instruction: str) -> None:
    """Ask the writer to rewrite the text ("shorter", "mention the price"): one `io` job."""
    if not scene_move(scene, SCENE_TEXT_STATES, to=QUEUED, where=NOTHING_IN_FLIGHT):
        scene_refuse(scene)
    enqueue_on_commit(tasks.scene_text_rewrite_task, scene_id=scene.pk, instruction=instruction)


@transaction.atomic
def scene_approve_text(*, scene: Scene) -> None:
    """Accept the text and start the scene's image."""
    if not _image_start(scene, where=Q(state=Scene.State.TEXT) & ~Q(text="")):
        scene_refuse(scene, "Write the scene's text first, then approve it.")


@moderated("instruction", what="image instruction", owner=_scene_owner)
@transaction.atomic
def scene_generate_image(*, scene: Scene, instruction: str | None = None) -> None:
    """Draw the image again with a new seed, and the user's extra words when given."""
    fields = {"seed": new_seed()}
    if instruction is not None:
        fields["image_instruction"] = instruction.strip()
    if not _image_start(scene, where=~Q(state=Scene.State.TEXT), **fields):
        scene_refuse(scene, "Approve the scene's text first.")


@transaction.atomic
def scene_approve_image(*, scene: Scene) -> None:
    """Accept the image and start the scene's clip."""
    where = Q(state=Scene.State.IMAGE)
    if not _video_start(scene, where=where):
        scene_refuse(scene, "Wait for an up-to-date image, then approve it.")


@transaction.atomic
def scene_generate_video(*, scene: Scene) -> None:
    if not _video_start(scene, where=Q(state=Scene.State.VIDEO)):
        scene_refuse(scene, "Approve an up-to-date image first.")


@transaction.atomic
def scene_update_timing(*, scene: Scene, duration: float, motion: str) -> None:
    """New length or camera move; a made clip becomes stale when either changes."""
    if (duration, motion) == (scene.duration, scene.motion):
        return
    rows = Scene.objects.filter(pk=scene.pk).exclude(video_status__in=IN_FLIGHT)
    if not rows.update(duration=duration, motion=motion, video_stale=stale_if_made("video")):
        scene_refuse(scene)
    transaction.on_commit(scene_push(scene))


@transaction.atomic
def scene_add(*, after: Scene) -> Scene:
    """A new empty scene right after `after`, to be written by hand."""
    storyboard = _storyboard_lock(after.storyboard)
    if storyboard.scenes.count() >= MAX_SCENES:
        raise SceneError(f"A storyboard holds at most {MAX_SCENES} scenes.")
    after = Scene.objects.get(pk=after.pk)
    position = after.position + 1
    _shift(storyboard, start=position, by=1)
    scene = Scene.objects.create(
        storyboard=storyboard,
        position=position,
        text_status=DONE,
        motion=after.motion,
        seed=new_seed(),
    )
    transaction.on_commit(storyboard_push(storyboard.pk))
    return scene


@transaction.atomic
def scene_delete(*, scene: Scene) -> None:
    storyboard = _storyboard_lock(scene.storyboard)
    if storyboard.scenes.count() <= 1:
        raise SceneError("A storyboard needs at least one scene.")
    position = Scene.objects.filter(pk=scene.pk).values_list("position", flat=True).first()
    if position is not None:
        Scene.objects.filter(pk=scene.pk).delete()
        _shift(storyboard, start=position + 1, by=-1)
    transaction.on_commit(storyboard_push(storyboard.pk))


@transaction.atomic
def scene_reorder(*, scene: Scene, offset: int) -> None:
    """Swap the scene with its neighbour `offset` (-1 up, +1 down) places away."""
    storyboard = _storyboard_lock(scene.storyboard)
    position = Scene.objects.filter(pk=scene.pk).values_list("position", flat=True).first()
    neighbour = storyboard.scenes.filter(position=(position or 0) + offset).first()
    if position is None or neighbour is None or offset not in (-1, 1):
        raise SceneError("This scene cannot move further that way.")
    Scene.objects.filter(pk=scene.pk).update(position=POSITION_OFFSET)
    Scene.objects.filter(pk=neighbour.pk).update(position=position)
    Scene.objects.filter(pk=scene.pk).update(position=neighbour.position)
    transaction.on_commit(storyboard_push(storyboard.pk))


@transaction.atomic
def storyboard_approve_texts(*, storyboard: Storyboard) -> int:
    started = sum(
        _image_start(card.scene, where=Q(state=Scene.State.TEXT) & ~Q(text=""))
        for card in _cards(storyboard)
        if card.can_approve_text
    )
    return _started(started, "Every text is approved already.")


@transaction.atomic
def storyboard_generate_images(*, storyboard: Storyboard) -> int:
    """Start an image for every scene without an up-to-date one (approving its text)."""
    started = 0
    for card in _cards(storyboard):
        scene = card.scene
        if scene.image_status == DONE and not scene.image_stale:
            continue
        fields = {"seed": new_seed()} if scene.image else {}
        started += _image_start(scene, where=~Q(text="") | ~Q(image_prompt=""), **fields)
    return _started(started, "Every scene has an up-to-date image, or one being made.")


@transaction.atomic
def storyboard_generate_videos(*, storyboard: Storyboard) -> int:
    """Start a clip for every scene with an up-to-date image and no up-to-date clip."""
    started = 0
    for card in _cards(storyboard):
        scene = card.scene
        if scene.video_status == DONE and not scene.video_stale:
            continue
        started += _video_start(scene, where=Q())
    return _started(started, "No scene has an up-to-date image waiting for its clip.")


@transaction.atomic
def storyboard_retry_failed(*, storyboard: Storyboard) -> int:
    """Start again every failed image and clip (a failed rewrite is retried from its form)."""
    started = 0
    for card in _cards(storyboard):
        scene = card.scene
        if scene.image_status == FAILED:
            started += _image_start(scene, where=Q())
        elif scene.video_status == FAILED:
            started += _video_start(scene, where=Q())
    return _started(started, "Nothing has failed that can be started again.")


def storyboard_finish(*, storyboard: Storyboard) -> None:
    """Open the Final step once every scene has an up-to-date clip."""
    page = scene_page_for_project(storyboard.project)
    if page.storyboard is None or page.storyboard.pk != storyboard.pk or not page.all_clips_ready:
        raise SceneError("Approve a video for every scene first.")
    project_unlock_step(project=storyboard.project, step=Step.FINAL)
    transaction.on_commit(storyboard_push(storyboard.pk))


def _image_start(scene: Scene, *, where: Q, **fields: object) -> bool:
    """Queue the scene's image (and move it to the image stage) if nothing of it is in flight."""
    spend_check(user_id=scene.storyboard.project.owner_id, estimate=estimate("scene_image").cost)
    started = scene_move(
        scene,
        SCENE_IMAGE_STATES,
        to=QUEUED,
        where=where & NOTHING_IN_FLIGHT,
        state=Case(When(state=Scene.State.TEXT, then=Value(Scene.State.IMAGE)), default=F("state")),
        **fields,
    )
    if started:
        enqueue_on_commit(tasks.scene_image_draw_task, scene_id=scene.pk)
    return started


def _video_start(scene: Scene, *, where: Q) -> bool:
    """Queue the clip of an up-to-date image (moving the scene to the video stage)."""
    spend_check(user_id=scene.storyboard.project.owner_id, estimate=estimate("scene_video").cost)
    image_ready = Q(image_status=DONE, image_stale=False) & ~Q(image="")
    started = scene_move(
        scene,
        SCENE_VIDEO_STATES,
        to=QUEUED,
        where=where & image_ready & NOTHING_IN_FLIGHT,
        state=Scene.State.VIDEO,
    )
    if started:
        tasks.scene_video_enqueue_on_commit(scene_id=scene.pk)
    return started


def scene_refuse(scene: Scene, message: str = "") -> None:
    """Say why a change did not happen: most often, something of the scene is being made."""
    fresh = Scene.objects.filter(pk=scene.pk).first()
    if fresh is None:
        raise SceneError("This scene was deleted.")
    statuses = (fresh.text_status, fresh.image_status, fresh.video_status)
    if any(status in IN_FLIGHT for status in statuses) or not message:
        raise SceneError(BUSY_MESSAGE.format(number=fresh.position + 1))
    raise SceneError(message)


def _started(count: int, nothing: str) -> int:
    if not count:
        raise SceneError(nothing)
    return count


def _cards(storyboard: Storyboard) -> list[SceneCard]:
    if storyboard.status != Storyboard.Status.READY:
        raise SceneError(NOT_READY)
    page = scene_page_for_project(storyboard.project)
    if page.storyboard is None or page.storyboard.pk != storyboard.pk:
        raise SceneError("This storyboard was replaced; reload the page.")
    return page.cards


def _storyboard_lock(storyboard: Storyboard) -> Storyboard:
    return Storyboard.objects.select_for_update().get(pk=storyboard.pk)


def _shift(storyboard: Storyboard, *, start: int, by: int) -> None:
    """Move the scenes at `start` and after by `by` places, through the free range above."""
    later = Scene.objects.filter(storyboard=storyboard, position__gte=start)
    later.update(position=F("position") + POSITION_OFFSET)
    moved = Scene.objects.filter(storyboard=storyboard, position__gte=POSITION_OFFSET)
    moved.update(position=F("position") - POSITION_OFFSET + by)
