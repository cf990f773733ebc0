"""Live updates for a project's pages: events go to the project's group, partials come back.

Services and workers publish ids, never HTML: the consumer renders the registered renderer
for its own connected user, so what a page receives is exactly what it may see.

    register_renderer("mood", render_mood, page="mood")   # in an AppConfig.ready()
    publish(project.pk, "mood", mood.pk)                   # from a service or a task

Each renderer belongs to the page (a step) whose regions it draws; a socket opened by a
page with `?page=<step>` receives only that page's partials, so no swap misses its target.
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

_renderers: dict[str, tuple[Renderer, str]] = {}
_snapshots: list[tuple[SnapshotRenderer, str]] = []


def project_group(project_id: int) -> str:
    return f"project-{project_id}"


def register_renderer(kind: str, renderer: Renderer, *, page: str) -> None:
    """`renderer(user, object_id)` returns the object's partial as an out-of-band swap, or ""."""
    _renderers[kind] = (renderer, page)


def register_snapshot(renderer: SnapshotRenderer, *, page: str) -> None:
    """`renderer(user, project)` returns one region of `page` as out-of-band HTML."""
    if (renderer, page) not in _snapshots:
        _snapshots.append((renderer, page))


def publish(project_id: int, kind: str, object_id: int) -> None:
    """Tell the project's open pages that one object changed. Never raises."""
    _group_send(project_id, {"type": UPDATE_EVENT, "kind": kind, "object_id": object_id})


def publish_append(project_id: int, target_id: str, text: str, *, page: str) -> None:
    """Append `text` (escaped on the way out) to the element `#target_id` of open `page`s."""
    _group_send(
        project_id, {"type": APPEND_EVENT, "target_id": target_id, "text": text, "page": page}
    )


def snapshot_html(user: User, project: Project, page: str) -> str:
    return "".join(renderer(user, project) for renderer, for_page in _snapshots if for_page == page)


def render_update(user: User, kind: str, object_id: int, page: str) -> str:
    """The object's partial for a connected `page`, or "" when that page does not show it."""
    if kind not in _renderers:
        logger.warning("No live renderer registered for kind %r (object %s)", kind, object_id)
        return ""
    renderer, for_page = _renderers[kind]
    return renderer(user, object_id) if for_page == page else ""


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
