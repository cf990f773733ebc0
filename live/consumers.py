import asyncio
import random
from importlib import import_module
from typing import Any
from urllib.parse import parse_qs

from channels.auth import get_user
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from live import feeds
from live.publishing import session_group, user_group
from live.registry import User, may_follow, snapshot_html
from live.rendering import off_loop

# The close code of a socket whose session ended; live.js then shows "signed out" and stops.
SIGNED_OUT = 4401
# Logout and deactivation close sockets at once; an expiry (or a password change) is found
# by this periodic check, at the cost of one session read per socket per interval.
SESSION_CHECK_SECONDS = 60


class ProjectConsumer(AsyncWebsocketConsumer):
    """Pushes a project's changed partials to its owner's open pages as out-of-band swaps.

    The project's events come through the process's feed (`live.feeds`), which renders each
    once per page kind and viewer and calls `send_html`. A socket belongs to the session that
    opened it: logout, expiry or deactivation closes it with SIGNED_OUT.
    """

    groups_joined: list[str] = []
    page = ""
    project_id = 0
    session_watch: asyncio.Task | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            # Accepted only to say why: a refused handshake looks like a network fault, and
            # the page would keep retrying instead of saying that it is signed out.
            await self.accept()
            await self.close(code=SIGNED_OUT)
            return
        project_id = self.scope["url_route"]["kwargs"]["project_id"]
        if not await off_loop(may_follow, user, project_id):
            # Refusing the handshake: a missing project and someone else's look the same.
            await self.close()
            return
        self.page = _page_of(self.scope)
        self.groups_joined = _session_groups(self.scope)
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        # Follow before rendering the snapshot, so a change made in between is pushed, not lost.
        self.project_id = project_id
        await feeds.join(self.channel_layer, project_id, self)
        self.session_watch = asyncio.create_task(self._watch_session())
        await self.send_html(await off_loop(snapshot_html, user, project_id, self.page))

    async def disconnect(self, code: int) -> None:
        if self.session_watch:
            self.session_watch.cancel()
        if self.project_id:
            await feeds.leave(self.project_id, self)
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    @property
    def user(self) -> User:
        return self.scope["user"]

    async def send_html(self, html: str) -> None:
        if html:
            await self.send(text_data=html)

    async def live_signed_out(self, event: dict[str, Any]) -> None:
        await self.close(code=SIGNED_OUT)

    async def _watch_session(self) -> None:
        # Spread over the interval, so sockets opened together do not all check together.
        await asyncio.sleep(SESSION_CHECK_SECONDS * random.random())
        while await _still_signed_in(self.scope):
            await asyncio.sleep(SESSION_CHECK_SECONDS)
        await self.close(code=SIGNED_OUT)


def _page_of(scope: dict[str, Any]) -> str:
    """The step page that opened the socket (`?page=brief`), whose regions it receives."""
    query = parse_qs(scope.get("query_string", b"").decode())
    return query.get("page", [""])[0]


def _session_groups(scope: dict[str, Any]) -> list[str]:
    session_key = scope["session"].session_key
    return [user_group(scope["user"].pk), *([session_group(session_key)] if session_key else [])]


async def _still_signed_in(scope: dict[str, Any]) -> bool:
    """Whether the session, read afresh, still signs in the socket's user."""
    store = import_module(settings.SESSION_ENGINE).SessionStore(scope["session"].session_key)
    user = await get_user({"session": store})
    return user.is_authenticated and user.pk == scope["user"].pk
