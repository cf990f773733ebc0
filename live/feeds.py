"""One subscription per open project per web process, fanned out to that process's sockets.

Besides pages (which receive rendered partials), a follower may take the raw events
(`follow(layer, project_id, queue)`): the API's SSE streams translate them into their own
events, and so ride on the same single subscription.

Each event reaches a process once (one Redis read) and is rendered once per page kind and
viewer, in worker threads; the frames are then written to every socket showing that page.
Going through the channel layer per socket instead cost about half a millisecond of
dispatch per socket and event, which at 500 sockets on one project is a quarter second.
"""

import asyncio
import logging
import time
import weakref
from typing import Any, Protocol

from channels.layers import BaseChannelLayer

from live.publishing import APPEND_EVENT, UPDATE_EVENT, project_group
from live.registry import Kind, User, kind_for_page
from live.rendering import append_html, off_loop

logger = logging.getLogger(__name__)

# channels_redis forgets a group member after a day (group_expiry); a feed rejoins well before.
REJOIN_SECONDS = 3600
RETRY_SECONDS = 1


class Page(Protocol):
    """An open page: the step it shows, its user, and how to send it a frame."""

    page: str
    user: User

    async def send_html(self, html: str) -> None: ...


class Feed:
    """A project's events for the pages open on it in this process."""

    def __init__(self, layer: BaseChannelLayer, project_id: int) -> None:
        self.layer = layer
        self.group = project_group(project_id)
        self.pages: set[Page] = set()
        self.queues: set[asyncio.Queue] = set()
        self.channel = ""
        self.ready = asyncio.ensure_future(self._join())
        self.reader: asyncio.Task | None = None

    async def _join(self) -> None:
        self.channel = await self.layer.new_channel()
        await self.layer.group_add(self.group, self.channel)
        self.reader = asyncio.ensure_future(self._read())

    async def close(self) -> None:
        self.ready.cancel()
        if self.reader:
            self.reader.cancel()
        if self.channel:
            await self.layer.group_discard(self.group, self.channel)

    async def _read(self) -> None:
        joined = time.monotonic()
        while True:
            # The sockets stay open on this feed, so it must outlive a Redis hiccup.
            try:
                event = await self._next_event()
                if time.monotonic() - joined > REJOIN_SECONDS:
                    await self.layer.group_add(self.group, self.channel)
                    joined = time.monotonic()
                if event:
                    await self._deliver(event)
            except Exception:
                logger.exception("The live feed of %s failed; reading on", self.group)
                await asyncio.sleep(RETRY_SECONDS)

    async def _next_event(self) -> dict[str, Any] | None:
        try:
            return await asyncio.wait_for(self.layer.receive(self.channel), REJOIN_SECONDS)
        except TimeoutError:
            return None

    async def _deliver(self, event: dict[str, Any]) -> None:
        for queue in self.queues:
            queue.put_nowait(event)
        for page, html in await self._frames(event):
            try:
                await page.send_html(html)
            except Exception:
                logger.debug("A page of %s closed before its frame was sent", self.group)

    async def _frames(self, event: dict[str, Any]) -> list[tuple[Page, str]]:
        pages = list(self.pages)
        if event["type"] == APPEND_EVENT:
            html = append_html(event["target_id"], event["text"])
            return [(page, html) for page in pages if page.page == event["page"]]
        if event["type"] != UPDATE_EVENT:
            return []
        return await _rendered(event, pages)


async def _rendered(event: dict[str, Any], pages: list[Page]) -> list[tuple[Page, str]]:
    """Each page's partial, rendered once per (kind, user) and concurrently off the loop."""
    wanted: dict[tuple[Kind, Any], list[Page]] = {}
    for page in pages:
        kind = kind_for_page(event["kind"], page.page)
        if kind is not None:
            wanted.setdefault((kind, page.user.pk), []).append(page)
    renders = [
        off_loop(kind.render, group[0].user, event["object_id"])
        for (kind, _), group in wanted.items()
    ]
    frames = []
    for group, html in zip(
        wanted.values(), await asyncio.gather(*renders, return_exceptions=True), strict=True
    ):
        if isinstance(html, Exception):
            logger.error(
                "Could not render %s %s (event %s)",
                event["kind"],
                event["object_id"],
                event["event_id"],
                exc_info=html,
            )
        elif html:
            frames += [(page, html) for page in group]
    return frames


_feeds: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, Feed]] = (
    weakref.WeakKeyDictionary()
)


def _feed(layer: BaseChannelLayer, project_id: int) -> Feed:
    feeds = _feeds.setdefault(asyncio.get_running_loop(), {})
    feed = feeds.get(project_id)
    if feed is None:
        feed = feeds[project_id] = Feed(layer, project_id)
    return feed


async def join(layer: BaseChannelLayer, project_id: int, page: Page) -> None:
    """Start receiving the project's events; returns once they are being received."""
    feed = _feed(layer, project_id)
    feed.pages.add(page)
    await asyncio.shield(feed.ready)


async def follow(layer: BaseChannelLayer, project_id: int, queue: asyncio.Queue) -> None:
    """Put each of the project's raw events into `queue`; returns once they are being received."""
    feed = _feed(layer, project_id)
    feed.queues.add(queue)
    await asyncio.shield(feed.ready)


async def leave(project_id: int, page: Page) -> None:
    feed = _feeds.get(asyncio.get_running_loop(), {}).get(project_id)
    if feed is not None:
        feed.pages.discard(page)
        await _close_if_unused(project_id, feed)


async def unfollow(project_id: int, queue: asyncio.Queue) -> None:
    feed = _feeds.get(asyncio.get_running_loop(), {}).get(project_id)
    if feed is not None:
        feed.queues.discard(queue)
        await _close_if_unused(project_id, feed)


async def _close_if_unused(project_id: int, feed: Feed) -> None:
    feeds = _feeds[asyncio.get_running_loop()]
    if not feed.pages and not feed.queues and feeds.get(project_id) is feed:
        del feeds[project_id]
        await feed.close()
