"""Publishing to the channel-layer groups: ids and status out, never HTML.

Services and tasks are sync code. `async_to_sync` per call would build a new event loop and a
new Redis connection for every publish (a few ms each, and chat streaming publishes every 50
ms), so each process keeps one publisher loop in a daemon thread whose connection is reused.
"""

import asyncio
import hashlib
import logging
import os
import threading
import uuid
from collections.abc import Coroutine
from typing import Any

from channels.layers import get_channel_layer

from live.registry import Kind

logger = logging.getLogger(__name__)

UPDATE_EVENT = "live.update"
APPEND_EVENT = "live.append"
SIGNED_OUT_EVENT = "live.signed_out"
# Long enough for a busy Redis, short enough that a job never hangs on a lost one.
PUBLISH_TIMEOUT_SECONDS = 5


def project_group(project_id: int) -> str:
    return f"project-{project_id}"


def session_group(session_key: str) -> str:
    # A session key is a credential: Redis keys carry a digest of it, never the key itself.
    return "session-" + hashlib.sha256(session_key.encode()).hexdigest()[:40]


def user_group(user_id: int) -> str:
    return f"user-{user_id}"


def publish(project_id: int, kind: Kind, object_id: int) -> None:
    """Tell the project's open pages that one object changed. Never raises."""
    event = {"type": UPDATE_EVENT, "event_id": uuid.uuid4().hex, "kind": kind.name}
    _send(project_group(project_id), {**event, "object_id": object_id})


def publish_append(project_id: int, target_id: str, text: str, *, page: str) -> None:
    """Append `text` (escaped on the way out) to the element `#target_id` of open `page`s."""
    event = {"type": APPEND_EVENT, "target_id": target_id, "text": text, "page": page}
    _send(project_group(project_id), event)


def end_session(session_key: str) -> None:
    """Close every socket opened with this session (a logout)."""
    _send(session_group(session_key), {"type": SIGNED_OUT_EVENT})


def end_user(user_id: int) -> None:
    """Close every socket of this user, whatever the session (a deactivation)."""
    _send(user_group(user_id), {"type": SIGNED_OUT_EVENT})


def _send(group: str, message: dict[str, Any]) -> None:
    # A page that misses an event catches up from the snapshot, so a failed send must not
    # fail the job that caused it.
    try:
        layer = get_channel_layer()
        if layer is not None:
            _publisher.run(layer.group_send(group, message))
    except Exception:
        logger.exception("Could not publish %s to %s", message["type"], group)


class _Publisher:
    """One event loop per process, started on first use; a forked worker starts its own."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pid = 0

    def run(self, coroutine: Coroutine[Any, Any, None]) -> None:
        # Waiting for the send keeps a stream's events in order and reports failures here.
        future = asyncio.run_coroutine_threadsafe(coroutine, self._running_loop())
        try:
            future.result(timeout=PUBLISH_TIMEOUT_SECONDS)
        finally:
            future.cancel()

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._pid != os.getpid():
                self._loop = asyncio.new_event_loop()
                self._pid = os.getpid()
                thread = threading.Thread(
                    target=self._loop.run_forever, name="live-publisher", daemon=True
                )
                thread.start()
            return self._loop


_publisher = _Publisher()
