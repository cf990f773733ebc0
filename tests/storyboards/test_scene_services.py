from datetime import timedelta

import pytest
from django.utils import timezone

from media_pipeline.base import CameraMove
from projects.models import Project, Step
from storyboards import scene_generation, scene_services
from storyboards.models import (
    SCENE_IMAGE_STATES,
    SCENE_TEXT_STATES,
    SCENE_VIDEO_STATES,
    GenerationStatus,
    Scene,
    Storyboard,
)
from storyboards.scene_services import SceneError
from tests.factories import MoodFactory, SceneFactory, StoryboardFactory

pytestmark = pytest.mark.django_db

DONE = GenerationStatus.DONE
QUEUED = GenerationStatus.QUEUED
FAILED = GenerationStatus.FAILED
IMAGE_JOB = "storyboards.tasks.scene_image_draw_task"
CLIP_JOB = "storyboards.tasks.scene_video_animate_task"
REWRITE_JOB = "storyboards.tasks.scene_text_rewrite_task"


@pytest.fixture
def storyboard(user):
    storyboard = StoryboardFactory(project__owner=user, is_current=True)
    MoodFactory(project=storyboard.project, selected=True)
    return storyboard


def make_scenes(storyboard, count: int, **fields) -> list[Scene]:
    return [
        SceneFactory(storyboard=storyboard, position=position, text_status=DONE, **fields)
        for position in range(count)
    ]


def fresh(scene: Scene) -> Scene:
    return Scene.objects.select_related("storyboard__project").get(pk=scene.pk)


def positions(storyboard) -> list[tuple[int, str]]:
    return list(storyboard.scenes.values_list("position", "text"))


@pytest.fixture
def imaged(storyboard):
    """A scene whose image is made and awaiting approval."""
    return SceneFactory(
        storyboard=storyboard,
        position=0,
        state=Scene.State.IMAGE,
        text_status=DONE,
        image_status=DONE,
        image="scenes/images/a.png",
    )


@pytest.fixture
def clipped(storyboard):
    """A scene with its image and clip made."""
    return SceneFactory(
        storyboard=storyboard,
        position=0,
        state=Scene.State.VIDEO,
        text_status=DONE,
        image_status=DONE,
        video_status=DONE,
        image="scenes/images/a.png",
        video="scenes/videos/a.mp4",
    )


def test_initialize_snapshots_the_brief_and_mood_and_enqueues_one_plan(
    user, enqueued, django_capture_on_commit_callbacks
):
    mood = MoodFactory(project__owner=user, selected=True, name="Golden hour")
    project = mood.project

    with django_capture_on_commit_callbacks(execute=True):
        storyboard = scene_services.storyboard_initialize(project=project, user=user)

    assert storyboard.status == Storyboard.Status.GENERATING and not storyboard.is_current
    assert storyboard.brief == project.brief
    assert storyboard.mood["name"] == "Golden hour" and storyboard.mood["palette"] == mood.palette
    assert enqueued == [
        ("storyboards.tasks.storyboard_plan_task", {"storyboard_id": storyboard.pk})
    ]


def test_initialize_twice_while_planning_is_refused(user, enqueued):
    project = MoodFactory(project__owner=user, selected=True).project
    scene_services.storyboard_initialize(project=project, user=user)

    with pytest.raises(SceneError, match="already being planned"):
        scene_services.storyboard_initialize(project=project, user=user)
    assert project.storyboards.count() == 1


def test_initialize_without_a_chosen_mood_is_refused(user):
    project = MoodFactory(project__owner=user, selected=False).project

    with pytest.raises(SceneError, match="Pick a mood board first"):
        scene_services.storyboard_initialize(project=project, user=user)


def test_planning_stores_scenes_and_moves_current_in_one_step(user):
    old = StoryboardFactory(project__owner=user, is_current=True)
    new = StoryboardFactory(
        project=old.project, status=Storyboard.Status.GENERATING, mood={"name": "Noir"}
    )

    scene_generation.storyboard_plan(storyboard_id=new.pk)

    new.refresh_from_db()
    old.refresh_from_db()
    assert new.status == Storyboard.Status.READY and new.is_current and not old.is_current
    scenes = list(new.scenes.all())
    # 15 s of target at about 3 s a scene.
    assert [scene.position for scene in scenes] == list(range(5))
    assert all(scene.text and scene.image_prompt for scene in scenes)
    assert all(scene.text_status == DONE and scene.state == Scene.State.TEXT for scene in scenes)
    assert sum(scene.duration for scene in scenes) == 15
    assert {scene.motion for scene in scenes} <= set(CameraMove.values)


def test_a_replayed_plan_job_adds_nothing(user):
    storyboard = StoryboardFactory(project__owner=user, status=Storyboard.Status.GENERATING)
    scene_generation.storyboard_plan(storyboard_id=storyboard.pk)

    scene_generation.storyboard_plan(storyboard_id=storyboard.pk)

    assert storyboard.scenes.count() == 5


@pytest.mark.parametrize(("target", "count"), [(3, 3), (15, 5), (21, 7), (60, 8), (None, 5)])
def test_the_scene_count_follows_the_target_within_bounds(target, count):
    assert scene_generation.scene_count(target) == count


def test_approve_text_twice_starts_one_job(
    storyboard, enqueued, django_capture_on_commit_callbacks
):
    scene = make_scenes(storyboard, 1)[0]

    with django_capture_on_commit_callbacks(execute=True):
        scene_services.scene_approve_text(scene=scene)
    with pytest.raises(SceneError, match="still being made"):
        scene_services.scene_approve_text(scene=fresh(scene))

    scene = fresh(scene)
    assert (scene.state, scene.image_status) == (Scene.State.IMAGE, QUEUED)
    assert enqueued == [(IMAGE_JOB, {"scene_id": scene.pk})]


def test_approve_text_needs_some_text(storyboard, enqueued):
    scene = make_scenes(storyboard, 1, text="")[0]

    with pytest.raises(SceneError, match="Write the scene's text first"):
        scene_services.scene_approve_text(scene=scene)
    assert fresh(scene).image_status == GenerationStatus.IDLE


def test_approve_image_starts_the_clip_on_the_media_queue(
    imaged, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        scene_services.scene_approve_image(scene=imaged)

    scene = fresh(imaged)
    assert (scene.state, scene.video_status) == (Scene.State.VIDEO, QUEUED)
    assert enqueued == [(CLIP_JOB, {"scene_id": scene.pk, "queue": "media"})]


def test_clips_of_a_remote_video_model_go_to_the_io_queue(
    imaged, enqueued, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_PIPELINE = {
        **settings.MEDIA_PIPELINE,
        "video": {"BACKEND": "media_pipeline.backends.replicate_media.ReplicateVideoBackend"},
    }

    with django_capture_on_commit_callbacks(execute=True):
        scene_services.scene_approve_image(scene=imaged)

    assert enqueued == [(CLIP_JOB, {"scene_id": imaged.pk, "queue": "io"})]


def test_approving_a_stale_image_is_refused(imaged, enqueued):
    Scene.objects.filter(pk=imaged.pk).update(image_stale=True)

    with pytest.raises(SceneError, match="up-to-date image"):
        scene_services.scene_approve_image(scene=fresh(imaged))
    assert fresh(imaged).video_status == GenerationStatus.IDLE


def test_a_regenerate_while_another_artifact_runs_is_refused(
    clipped, enqueued, django_capture_on_commit_callbacks
):
    Scene.objects.filter(pk=clipped.pk).update(video_status=GenerationStatus.RUNNING)

    with pytest.raises(SceneError, match="Scene 1 is still being made"):
        scene_services.scene_generate_image(scene=fresh(clipped))
    with pytest.raises(SceneError, match="still being made"):
        scene_services.scene_rewrite_text(scene=fresh(clipped), instruction="shorter")
    scene = fresh(clipped)
    assert (scene.image_status, scene.text_status) == (DONE, DONE)
    assert enqueued == []


def test_regenerate_image_takes_a_new_seed_and_the_instruction(
    imaged, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        scene_services.scene_generate_image(scene=imaged, instruction=" warmer light ")

    scene = fresh(imaged)
    assert scene.image_status == QUEUED and scene.image_instruction == "warmer light"
    assert scene.seed != imaged.seed
    assert "warmer light" in scene_generation.scene_image_prompt(scene)
    assert enqueued == [(IMAGE_JOB, {"scene_id": scene.pk})]


def test_editing_text_after_the_image_marks_image_and_clip_stale(clipped):
    scene_services.scene_update_text(scene=clipped, text="A brand new line.")

    scene = fresh(clipped)
    assert scene.text == "A brand new line."
    assert scene.image_stale and scene.video_stale


def test_editing_text_before_any_image_marks_nothing_stale(storyboard):
    scene = make_scenes(storyboard, 1)[0]

    scene_services.scene_update_text(scene=scene, text="Another line.")

    scene = fresh(scene)
    assert not scene.image_stale and not scene.video_stale


def test_changing_duration_after_the_clip_marks_only_the_clip_stale(clipped):
    scene_services.scene_update_timing(scene=clipped, duration=4.5, motion=CameraMove.PAN_LEFT)

    scene = fresh(clipped)
    assert (scene.duration, scene.motion) == (4.5, CameraMove.PAN_LEFT)
    assert scene.video_stale and not scene.image_stale


def test_unchanged_timing_keeps_the_clip_fresh(clipped):
    scene_services.scene_update_timing(
        scene=clipped, duration=clipped.duration, motion=clipped.motion
    )

    assert not fresh(clipped).video_stale


def test_rewrite_queues_one_text_job_with_the_instruction(
    storyboard, enqueued, django_capture_on_commit_callbacks
):
    scene = make_scenes(storyboard, 1)[0]

    with django_capture_on_commit_callbacks(execute=True):
        scene_services.scene_rewrite_text(scene=scene, instruction="shorter")

    assert fresh(scene).text_status == QUEUED
    assert enqueued == [(REWRITE_JOB, {"scene_id": scene.pk, "instruction": "shorter"})]


def test_the_rewrite_job_replaces_the_text_and_marks_the_made_image_stale(imaged):
    Scene.objects.filter(pk=imaged.pk).update(
        text="Meet GlowSerum. It is the serum that gives you a visible glow in seven days.",
        text_status=QUEUED,
    )

    scene_generation.scene_text_rewrite(scene_id=imaged.pk, instruction='mention "$29"')

    scene = fresh(imaged)
    assert scene.text_status == DONE and "$29" in scene.text
    assert scene.image_stale and scene.text_attempts == 1


def test_a_new_image_marks_the_clip_stale_and_clears_its_own_flag(clipped):
    Scene.objects.filter(pk=clipped.pk).update(image_status=QUEUED, image_stale=True)

    scene_generation.scene_image_draw(scene_id=clipped.pk)

    scene = fresh(clipped)
    assert scene.image_status == DONE and scene.image.name != "scenes/images/a.png"
    assert not scene.image_stale and scene.video_stale


def test_add_after_a_scene_keeps_positions_consecutive(storyboard):
    first, second, third = make_scenes(storyboard, 3)

    added = scene_services.scene_add(after=first)

    assert added.position == 1
    assert list(storyboard.scenes.values_list("pk", flat=True)) == [
        first.pk,
        added.pk,
        second.pk,
        third.pk,
    ]
    assert list(storyboard.scenes.values_list("position", flat=True)) == [0, 1, 2, 3]


def test_delete_closes_the_gap(storyboard):
    first, second, third = make_scenes(storyboard, 3)

    scene_services.scene_delete(scene=second)

    assert list(storyboard.scenes.values_list("pk", "position")) == [(first.pk, 0), (third.pk, 1)]


def test_the_last_scene_cannot_be_deleted(storyboard):
    (only,) = make_scenes(storyboard, 1)

    with pytest.raises(SceneError, match="at least one scene"):
        scene_services.scene_delete(scene=only)
    assert storyboard.scenes.count() == 1


def test_reorder_swaps_neighbours_and_refuses_past_the_ends(storyboard):
    first, second, third = make_scenes(storyboard, 3)

    scene_services.scene_reorder(scene=third, offset=-1)
    with pytest.raises(SceneError, match="cannot move"):
        scene_services.scene_reorder(scene=first, offset=-1)

    assert list(storyboard.scenes.values_list("pk", "position")) == [
        (first.pk, 0),
        (third.pk, 1),
        (second.pk, 2),
    ]


def test_approve_all_texts_starts_each_waiting_scene_once(
    storyboard, enqueued, django_capture_on_commit_callbacks
):
    scenes = make_scenes(storyboard, 3)

    with django_capture_on_commit_callbacks(execute=True):
        assert scene_services.storyboard_approve_texts(storyboard=storyboard) == 3
    with pytest.raises(SceneError, match="approved already"):
        scene_services.storyboard_approve_texts(storyboard=storyboard)

    assert sorted(kwargs["scene_id"] for _, kwargs in enqueued) == [s.pk for s in scenes]


def test_generate_all_clips_skips_scenes_without_an_image(
    storyboard, imaged, enqueued, django_capture_on_commit_callbacks
):
    SceneFactory(storyboard=storyboard, position=1, text_status=DONE)

    with django_capture_on_commit_callbacks(execute=True):
        assert scene_services.storyboard_generate_videos(storyboard=storyboard) == 1

    assert enqueued == [(CLIP_JOB, {"scene_id": imaged.pk, "queue": "media"})]


def test_retry_all_failed_restarts_failed_images_and_clips(
    storyboard, enqueued, django_capture_on_commit_callbacks
):
    bad_image = SceneFactory(
        storyboard=storyboard, position=0, state=Scene.State.IMAGE, image_status=FAILED
    )
    bad_clip = SceneFactory(
        storyboard=storyboard,
        position=1,
        state=Scene.State.VIDEO,
        image_status=DONE,
        image="scenes/images/a.png",
        video_status=FAILED,
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert scene_services.storyboard_retry_failed(storyboard=storyboard) == 2

    assert fresh(bad_image).image_status == QUEUED and fresh(bad_clip).video_status == QUEUED


def test_finish_opens_final_only_when_every_clip_is_ready(storyboard, clipped):
    second = SceneFactory(storyboard=storyboard, position=1, text_status=DONE)
    Project.objects.filter(pk=storyboard.project_id).update(step=Step.SCENES)
    storyboard.project.refresh_from_db()

    with pytest.raises(SceneError, match="Approve a video for every scene first"):
        scene_services.storyboard_finish(storyboard=storyboard)
    Scene.objects.filter(pk=second.pk).update(video_status=DONE, video="scenes/videos/b.mp4")
    scene_services.storyboard_finish(storyboard=storyboard)

    assert Project.objects.get(pk=storyboard.project_id).step == Step.FINAL


@pytest.mark.parametrize("graph", [SCENE_TEXT_STATES, SCENE_IMAGE_STATES, SCENE_VIDEO_STATES])
def test_every_declared_scene_transition_moves_and_others_are_refused(storyboard, graph):
    scene = make_scenes(storyboard, 1)[0]
    for source, target in graph.pairs():
        Scene.objects.filter(pk=scene.pk).update(**{graph.field: source})
        assert scene_generation.scene_move(fresh(scene), graph, to=target, sources=[source])
        assert getattr(fresh(scene), graph.field) == target
    undeclared = [
        (source, target)
        for source in GenerationStatus.values
        for target in GenerationStatus.values
        if not graph.allows(source, target)
    ]
    assert ("idle", "done") in undeclared
    for source, target in undeclared:
        with pytest.raises(ValueError, match="not declared"):
            scene_generation.scene_move(fresh(scene), graph, to=target, sources=[source])


def test_the_sweep_fails_stuck_artifacts_and_plans(storyboard):
    long_ago = timezone.now() - timedelta(hours=1)
    stuck = make_scenes(storyboard, 1, image_status=GenerationStatus.RUNNING)[0]
    Scene.objects.filter(pk=stuck.pk).update(status_changed_at=long_ago)
    planning = StoryboardFactory(project=storyboard.project, status=Storyboard.Status.GENERATING)
    Storyboard.objects.filter(pk=planning.pk).update(status_changed_at=long_ago)

    assert scene_generation.scene_sweep_stuck(older_than=timedelta(minutes=15)) == 2

    assert fresh(stuck).image_status == FAILED and fresh(stuck).error_message
    assert Storyboard.objects.get(pk=planning.pk).status == Storyboard.Status.ERROR
