from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from projects.live import append_html, project_group, render_update, snapshot_html
from projects.models import Project


class ProjectConsumer(AsyncWebsocketConsumer):
    """Pushes a project's changed partials to its owner's open pages as out-of-band swaps."""

    group_name = ""
    page = ""

    async def connect(self) -> None:
        project = await database_sync_to_async(_owned_project)(
            self.scope.get("user"), self.scope["url_route"]["kwargs"]["project_id"]
        )
        if project is None:
            # Closing before accepting rejects the handshake: a missing project and someone
            # else's look the same.
            await self.close()
            return
        self.group_name = project_group(project.pk)
        self.page = _page_of(self.scope)
        # Join before rendering the snapshot, so a change made in between is pushed, not lost.
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()
        await self._send_html(
            await database_sync_to_async(snapshot_html)(self.scope["user"], project, self.page)
        )

    async def disconnect(self, code: int) -> None:
        if self.group_name:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def live_update(self, event: dict[str, Any]) -> None:
        html = await database_sync_to_async(render_update)(
            self.scope["user"], event["kind"], event["object_id"], self.page
        )
        await self._send_html(html)

    async def live_append(self, event: dict[str, Any]) -> None:
        if event["page"] == self.page:
            await self._send_html(append_html(event["target_id"], event["text"]))

    async def _send_html(self, html: str) -> None:
        if html:
            await self.send(text_data=html)


def _page_of(scope: dict[str, Any]) -> str:
    """The step page that opened the socket (`?page=brief`), whose regions it receives."""
    query = parse_qs(scope.get("query_string", b"").decode())
    return query.get("page", [""])[0]


def _owned_project(user: Any, project_id: int) -> Project | None:
    if user is None or not user.is_authenticated:
        return None
    return Project.objects.filter(pk=project_id, owner=user).first()
