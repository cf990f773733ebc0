"""Live updates for a project's pages: events go to the project's group, partials come back.

Services and workers publish ids, never HTML: the consumer renders the registered renderer
for its own connected user, so what a page receives is exactly what it may see.

    register_renderer("mood", render_mood)          # in an AppConfig.ready()
    publish(project.pk, "mood", mood.pk)             # from a service or a task
"""

import logging
from collections.abc import Callable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils.html import format_html

from projects.models import Project

logger = logging.getLogger(__name__)

User = AbstractBaseUser | AnonymousUser
Renderer = Callable[[User, int], str]
SnapshotRenderer = Callable[[User, Project], str]

UPDATE_EVENT = "live.update"
APPEND_EVENT = "live.append"

_renderers: dict[str, Renderer] = {}
_snapshots: list[SnapshotRenderer] = []


def project_group(project_id: int) -> str:
    return f"project-{project_id}"


def register_renderer(kind: str, renderer: Renderer) -> None:
    """`renderer(user, object_id)` returns the object's partial as an out-of-band swap, or ""."""
    _renderers[kind] = renderer


def register_snapshot(renderer: SnapshotRenderer) -> None:
    """`renderer(user, project)` returns one region of the project's pages as out-of-band HTML."""
    if renderer not in _snapshots:
        _snapshots.append(renderer)


def publish(project_id: int, kind: str, object_id: int) -> None:
    """Tell the project's open pages that one object changed. Never raises."""
    _group_send(project_id, {"type": UPDATE_EVENT, "kind": kind, "object_id": object_id})


def publish_append(project_id: int, target_id: str, text: str) -> None:
    """Append `text` (escaped on the way out) to the element `#target_id` on open pages."""
    _group_send(project_id, {"type": APPEND_EVENT, "target_id": target_id, "text": text})


def snapshot_html(user: User, project: Project) -> str:
    return "".join(renderer(user, project) for renderer in _snapshots)


def render_update(user: User, kind: str, object_id: int) -> str:
    renderer = _renderers.get(kind)
    if renderer is None:
        logger.warning("No live renderer registered for kind %r (object %s)", kind, object_id)
        return ""
    return renderer(user, object_id)


def append_html(target_id: str, text: str) -> str:
    # htmx 2 inserts the children of a `beforeend:` out-of-band element, so only the text lands.
    return format_html('<span hx-swap-oob="beforeend:#{}">{}</span>', target_id, text)


def _group_send(project_id: int, message: dict[str, Any]) -> None:
    # A page that misses an event catches up from the snapshot, so a failed send must not
    # fail the job that caused it.
    try:
        layer = get_channel_layer()
        if layer is None:
            return
        async_to_sync(layer.group_send)(project_group(project_id), message)
    except Exception:
        logger.exception("Could not publish %s to project %s", message["type"], project_id)
