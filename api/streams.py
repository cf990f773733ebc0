"""The SSE streams: a storyboard's scenes and a film's progress, as the original design sent them.

    GET /api/storyboards/{id}/stream   scene_update, storyboard_complete, storyboard_error
    GET /api/compositions/{id}/stream  progress, complete, error

Each stream follows its project's live feed (`live.feeds.follow`: one channel-layer
subscription per project per process, however many streams and pages are open), so it sees
the same (kind, object id) events the pages' WebSockets do, and turns each into its events by
reading the row. A read is shared by every stream of the same object waiting on the same
event, so a thousand streams of one storyboard cost one read per change, not a thousand.

A stream holds no thread: it waits on the event loop, and only reads run in worker threads.
It starts with a `snapshot` event (the whole object, as its GET returns it), sends a comment
every HEARTBEAT_SECONDS (and then checks that its token or session is still good), and ends
after its object's final event, or when the token is revoked or the session ends. Event ids
count up per stream; a client reconnecting with `Last-Event-ID: n` receives the snapshot
again, numbered from n + 1, which is all it needs to catch up.
"""

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from channels.layers import get_channel_layer
from django.http import StreamingHttpResponse

from api.schemas import composition_out, scene_out, storyboard_complete, storyboard_out
from live import feeds
from live.publishing import UPDATE_EVENT
from live.rendering import off_loop
from storyboards.final_live import COMPOSITION, COMPOSITIONS
from storyboards.models import Composition, Storyboard
from storyboards.scene_live import SCENE, STORYBOARD

HEARTBEAT_SECONDS = 15.0
# How long a browser's EventSource waits before reconnecting after the stream ends abruptly.
RETRY_MILLISECONDS = 3000
Event = tuple[str, dict[str, Any]]


class Source(Protocol):
    """What a stream shows: its project, its snapshot, and its events for one live event."""

    project_id: int
    final: ClassVar[frozenset[str]]

    def wants(self, kind: str, object_id: int) -> bool: ...

    def snapshot(self) -> list[Event]: ...

    def translate(self, kind: str, object_id: int) -> list[Event]: ...


@dataclass(frozen=True)
class StoryboardSource:
    storyboard_id: int
    project_id: int
    final: ClassVar[frozenset[str]] = frozenset({"storyboard_complete", "storyboard_error"})

    def wants(self, kind: str, object_id: int) -> bool:
        return kind == SCENE.name or (kind == STORYBOARD.name and object_id == self.storyboard_id)

    def snapshot(self) -> list[Event]:
        storyboard = Storyboard.objects.filter(pk=self.storyboard_id).first()
        if storyboard is None:
            return [self._gone()]
        return [("snapshot", storyboard_out(storyboard)), *self._ending(storyboard)]

    def translate(self, kind: str, object_id: int) -> list[Event]:
        storyboard = Storyboard.objects.filter(pk=self.storyboard_id).first()
        if storyboard is None:
            return [self._gone()]
        if kind == SCENE.name:
            scenes = storyboard.scenes.filter(pk=object_id)
        else:
            scenes = storyboard.scenes.all()
        updates = [("scene_update", scene_out(scene)) for scene in scenes]
        return [*updates, *self._ending(storyboard)] if updates or kind != SCENE.name else []

    def _ending(self, storyboard: Storyboard) -> list[Event]:
        if storyboard.status == Storyboard.Status.ERROR:
            return [("storyboard_error", self._summary(storyboard, storyboard.error))]
        scenes = list(storyboard.scenes.all())
        if storyboard_complete(storyboard, scenes):
            # Every scene as it ended: a scene that finished with this one sends no update.
            finished = [scene_out(scene) for scene in scenes]
            return [
                ("storyboard_complete", {**self._summary(storyboard, None), "scenes": finished})
            ]
        return []

    def _summary(self, storyboard: Storyboard, error: str | None) -> dict[str, Any]:
        return {"storyboard_id": storyboard.pk, "state": storyboard.status, "error_message": error}

    def _gone(self) -> Event:
        message = "The storyboard was deleted."
        return (
            "storyboard_error",
            {"storyboard_id": self.storyboard_id, "state": "deleted", "error_message": message},
        )


@dataclass(frozen=True)
class CompositionSource:
    composition_id: int
    project_id: int
    final: ClassVar[frozenset[str]] = frozenset({"complete", "error"})
    ENDINGS: ClassVar[dict[str, str]] = {
        Composition.Status.COMPLETE: "complete",
        Composition.Status.ERROR: "error",
        Composition.Status.CANCELLED: "error",
    }

    def wants(self, kind: str, object_id: int) -> bool:
        mine = kind == COMPOSITION.name and object_id == self.composition_id
        return mine or kind == COMPOSITIONS.name

    def snapshot(self) -> list[Event]:
        composition = Composition.objects.filter(pk=self.composition_id).first()
        if composition is None:
            return [self._gone()]
        event = self._event(composition)
        ending = [event] if event[0] in self.final else []
        return [("snapshot", composition_out(composition)), *ending]

    def translate(self, kind: str, object_id: int) -> list[Event]:
        composition = Composition.objects.filter(pk=self.composition_id).first()
        if composition is None:
            return [self._gone()]
        # A film of the project is gone, and it is not this one: nothing changed here.
        return [self._event(composition)] if kind == COMPOSITION.name else []

    def _event(self, composition: Composition) -> Event:
        data = {
            "composition_id": composition.pk,
            "progress": composition.progress,
            "stage": composition.stage,
            "status": composition.status,
            "error_message": composition.error or None,
            "video_url": composition_out(composition)["video_url"],
        }
        return (self.ENDINGS.get(composition.status, "progress"), data)

    def _gone(self) -> Event:
        data = {
            "composition_id": self.composition_id,
            "progress": 0,
            "stage": "",
            "status": "deleted",
        }
        return ("error", {**data, "error_message": "The film was deleted."})


def sse(number: int, name: str, data: dict[str, Any]) -> str:
    return f"id: {number}\nevent: {name}\ndata: {json.dumps(data)}\n\n"


def last_event_id(header: str | None) -> int:
    """The id the client saw last (`Last-Event-ID`), or 0 for a new or garbled one."""
    try:
        return max(0, int(header or 0))
    except ValueError:
        return 0


_reads: dict[tuple[Any, ...], asyncio.Future] = {}


async def _shared(
    key: tuple[Any, ...], function: Callable[..., list[Event]], *args: Any
) -> list[Event]:
    """`function(*args)` off the loop, once for every stream awaiting the same key meanwhile."""
    read = _reads.get(key)
    if read is None:
        read = _reads[key] = asyncio.ensure_future(off_loop(function, *args))
        read.add_done_callback(lambda _: _reads.pop(key, None))
    return await asyncio.shield(read)


async def event_stream(
    source: Source, *, after: int, still_allowed: Callable[[], bool]
) -> AsyncIterator[str]:
    """The stream's text: the snapshot, then the source's events and heartbeats, until it ends."""
    queue: asyncio.Queue = asyncio.Queue()
    # Follow before reading the snapshot, so a change made in between is sent, not lost.
    await feeds.follow(get_channel_layer(), source.project_id, queue)
    try:
        number = after
        yield f"retry: {RETRY_MILLISECONDS}\n\n"
        events = await off_loop(source.snapshot)
        while True:
            for name, data in events:
                number += 1
                yield sse(number, name, data)
                if name in source.final:
                    return
            try:
                event = await asyncio.wait_for(queue.get(), HEARTBEAT_SECONDS)
            except TimeoutError:
                if not await off_loop(still_allowed):
                    return
                events = []
                yield ": heartbeat\n\n"
                continue
            events = await _translated(source, event)
    finally:
        await feeds.unfollow(source.project_id, queue)


async def _translated(source: Source, event: dict[str, Any]) -> list[Event]:
    if event.get("type") != UPDATE_EVENT or not source.wants(event["kind"], event["object_id"]):
        return []
    key = (source, event["event_id"])
    return await _shared(key, source.translate, event["kind"], event["object_id"])


def stream_response(stream: AsyncIterator[str]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(stream, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    # nginx would otherwise buffer the stream and deliver events late, in batches.
    response["X-Accel-Buffering"] = "no"
    return response
