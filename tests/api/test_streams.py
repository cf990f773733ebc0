"""The SSE streams against the real Redis channel layer: events in order, resume, heartbeat, end."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async

import live
from api import streams
from api.tokens import token_revoke
from storyboards.final_live import COMPOSITION
from storyboards.models import Composition, GenerationStatus, Scene
from storyboards.scene_live import SCENE
from storyboards.scene_services import scene_update_text
from tests.api.sse import open_stream
from tests.factories import CompositionFactory, SceneFactory, StoryboardFactory

pytestmark = pytest.mark.django_db(transaction=True)
DONE = GenerationStatus.DONE


@pytest.fixture
def storyboard(user):
    storyboard = StoryboardFactory(project__owner=user, is_current=True)
    SceneFactory(storyboard=storyboard, position=0)
    SceneFactory(storyboard=storyboard, position=1)
    return storyboard


def finish_clip(scene: Scene) -> None:
    """What the clip job does at its end: store the clip, then publish the scene."""
    Scene.objects.filter(pk=scene.pk).update(
        state=Scene.State.VIDEO,
        image_status=DONE,
        image=f"scenes/images/{scene.pk}.png",
        video_status=DONE,
        video=f"scenes/videos/{scene.pk}.mp4",
    )
    live.publish(scene.storyboard.project_id, SCENE, scene.pk)


def composition_step(composition: Composition, **fields: object) -> None:
    Composition.objects.filter(pk=composition.pk).update(**fields)
    live.publish(composition.storyboard.project_id, COMPOSITION, composition.pk)


def test_storyboard_stream_sends_the_snapshot_then_scene_updates_then_completes(storyboard, token):
    first, second = storyboard.scenes.all()

    async def scenario():
        stream = await open_stream(f"/api/storyboards/{storyboard.pk}/stream", token[1])
        assert stream.status == 200
        assert stream.headers["content-type"] == "text/event-stream"
        snapshot = await stream.next_event()
        assert (snapshot.id, snapshot.name) == (1, "snapshot")
        assert [scene["scene_id"] for scene in snapshot.data["scenes"]] == [first.pk, second.pk]

        await sync_to_async(scene_update_text)(scene=first, text="A new opening line.")
        edited = await stream.next_event()
        assert (edited.id, edited.name) == (2, "scene_update")
        assert edited.data["scene_id"] == first.pk
        assert edited.data["generation_status"] == {
            "text": "idle",
            "image": "idle",
            "video": "idle",
        }

        await sync_to_async(finish_clip)(first)
        clip = await stream.next_event()
        assert (clip.id, clip.name, clip.data["scene_id"]) == (3, "scene_update", first.pk)
        assert clip.data["state"] == "video"
        assert clip.data["video_url"] == f"/api/files/scenes/videos/{first.pk}.mp4"
        await sync_to_async(finish_clip)(second)
        rest = await stream.read_to_end()
        assert [(event.id, event.name) for event in rest] == [
            (4, "scene_update"),
            (5, "storyboard_complete"),
        ]
        assert rest[0].data["scene_id"] == second.pk
        complete = rest[1].data
        assert (complete["storyboard_id"], complete["state"]) == (storyboard.pk, "ready")
        assert [scene["video_url"] for scene in complete["scenes"]] == [
            f"/api/files/scenes/videos/{first.pk}.mp4",
            f"/api/files/scenes/videos/{second.pk}.mp4",
        ]
        await stream.communicator.wait(timeout=5)

    async_to_sync(scenario)()


def test_scenes_of_another_storyboard_of_the_project_are_not_sent(storyboard, token):
    older = SceneFactory(storyboard=StoryboardFactory(project=storyboard.project))
    first = storyboard.scenes.first()

    async def scenario():
        stream = await open_stream(f"/api/storyboards/{storyboard.pk}/stream", token[1])
        await stream.next_event()
        await sync_to_async(scene_update_text)(scene=older, text="Not on this board.")
        await sync_to_async(scene_update_text)(scene=first, text="On this board.")
        event = await stream.next_event()
        assert (event.id, event.data["scene_id"]) == (2, first.pk)
        await stream.close()

    async_to_sync(scenario)()


def test_resume_resends_the_snapshot_numbered_after_the_last_event_id(storyboard, token):
    first = storyboard.scenes.first()

    async def scenario():
        stream = await open_stream(
            f"/api/storyboards/{storyboard.pk}/stream", token[1], last_event_id=7
        )
        snapshot = await stream.next_event()
        assert (snapshot.id, snapshot.name) == (8, "snapshot")
        await sync_to_async(scene_update_text)(scene=first, text="Again.")
        assert (await stream.next_event()).id == 9
        await stream.close()

    async_to_sync(scenario)()


def test_a_finished_storyboard_sends_its_snapshot_and_completes_at_once(storyboard, token):
    for scene in storyboard.scenes.all():
        finish_clip(scene)

    async def scenario():
        stream = await open_stream(f"/api/storyboards/{storyboard.pk}/stream", token[1])
        events = await stream.read_to_end()
        assert [event.name for event in events] == ["snapshot", "storyboard_complete"]

    async_to_sync(scenario)()


def test_composition_stream_sends_progress_in_order_then_complete(user, token):
    composition = CompositionFactory(storyboard__project__owner=user)

    async def scenario():
        stream = await open_stream(f"/api/compositions/{composition.pk}/stream", token[1])
        snapshot = await stream.next_event()
        assert (snapshot.name, snapshot.data["status"]) == ("snapshot", "pending")
        step = sync_to_async(composition_step)
        await step(composition, status="processing", progress=10, stage="clips")
        events = [await stream.next_event()]
        await step(composition, progress=45, stage="merging_clips")
        events.append(await stream.next_event())
        await step(composition, status="complete", progress=100, stage="done", video="f.mp4")
        events += await stream.read_to_end()
        assert [(e.id, e.name, e.data["progress"], e.data["stage"]) for e in events] == [
            (2, "progress", 10, "clips"),
            (3, "progress", 45, "merging_clips"),
            (4, "complete", 100, "done"),
        ]
        assert events[0].data["status"] == "processing"
        assert events[2].data["video_url"] == "/api/files/f.mp4"

    async_to_sync(scenario)()


def test_a_failed_film_ends_its_stream_with_error(user, token):
    composition = CompositionFactory(storyboard__project__owner=user)

    async def scenario():
        stream = await open_stream(f"/api/compositions/{composition.pk}/stream", token[1])
        await stream.next_event()
        await sync_to_async(composition_step)(composition, status="error", error="FFmpeg failed")
        events = await stream.read_to_end()
        assert [(event.name, event.data["error_message"]) for event in events] == [
            ("error", "FFmpeg failed")
        ]

    async_to_sync(scenario)()


def test_heartbeats_keep_the_stream_and_a_revoked_token_ends_it(storyboard, token, monkeypatch):
    monkeypatch.setattr(streams, "HEARTBEAT_SECONDS", 0.2)

    async def scenario():
        stream = await open_stream(f"/api/storyboards/{storyboard.pk}/stream", token[1])
        await stream.next_event()
        while ": heartbeat" not in stream.buffer:
            await stream._read(timeout=5)
        await sync_to_async(token_revoke)(token=token[0])
        assert await stream.read_to_end() == []

    async_to_sync(scenario)()


def test_another_users_stream_is_404_and_a_revoked_token_401(storyboard, token, other_api):
    other_secret = other_api.secret

    async def scenario():
        foreign = await open_stream(f"/api/storyboards/{storyboard.pk}/stream", other_secret)
        assert foreign.status == 404
        await sync_to_async(token_revoke)(token=token[0])
        revoked = await open_stream(f"/api/storyboards/{storyboard.pk}/stream", token[1])
        assert revoked.status == 401

    async_to_sync(scenario)()
