"""Rendering off the event loop, so one slow partial never holds up every other socket."""

from collections.abc import Callable
from typing import Any, TypeVar

from channels.db import database_sync_to_async
from django.utils.html import format_html

T = TypeVar("T")


async def off_loop(function: Callable[..., T], *args: Any) -> T:
    """`function(*args)` in a worker thread, so the loop keeps serving every socket meanwhile."""
    return await database_sync_to_async(function, thread_sensitive=False)(*args)


def append_html(target_id: str, text: str) -> str:
    # htmx 2 inserts the children of a `beforeend:` out-of-band element, so only the text lands.
    return format_html('<span hx-swap-oob="beforeend:#{}">{}</span>', target_id, text)
