"""Rendering pushes once per process and off the event loop.

Every socket of a project receives each event. Rendered one socket at a time on the event
loop, 500 sockets made a card update wait over a second; here the first socket of a
(event, page, user) renders it in a worker thread and the others await the same result.
"""

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from channels.db import database_sync_to_async
from django.utils.html import format_html

from live.registry import Kind, User

T = TypeVar("T")

# Every socket of a process gets an event within moments of the others; a slow one within this.
RENDER_KEPT_SECONDS = 30

_renders: dict[tuple[str, str, int], asyncio.Future[str]] = {}


async def render_once(event_id: str, kind: Kind, user: User, object_id: int) -> str:
    key = (event_id, kind.page, user.pk)
    render = _renders.get(key)
    if render is None:
        render = asyncio.ensure_future(off_loop(kind.render, user, object_id))
        _renders[key] = render
        asyncio.get_running_loop().call_later(RENDER_KEPT_SECONDS, _renders.pop, key, None)
    # One socket that goes away must not cancel the render the others are waiting for.
    return await asyncio.shield(render)


async def off_loop(function: Callable[..., T], *args: Any) -> T:
    """`function(*args)` in a worker thread, so the loop keeps serving every socket meanwhile."""
    return await database_sync_to_async(function, thread_sensitive=False)(*args)


def append_html(target_id: str, text: str) -> str:
    # htmx 2 inserts the children of a `beforeend:` out-of-band element, so only the text lands.
    return format_html('<span hx-swap-oob="beforeend:#{}">{}</span>', target_id, text)
