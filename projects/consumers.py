from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from projects.live import append_html, project_group, render_update, snapshot_html
from projects.models import Project


class ProjectConsumer(AsyncWebsocketConsumer):
    """Pushes a project's changed partials to its owner's open pages as out-of-band swaps."""

    group_name = ""

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
        # Join before rendering the snapshot, so a change made in between is pushed, not lost.
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()
        await self._send_html(
            await database_sync_to_async(snapshot_html)(self.scope["user"], project)
        )

    async def disconnect(self, code: int) -> None:
        if self.group_name:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def live_update(self, event: dict[str, Any]) -> None:
        html = await database_sync_to_async(render_update)(
            self.scope["user"], event["kind"], event["object_id"]
        )
        await self._send_html(html)

    async def live_append(self, event: dict[str, Any]) -> None:
        await self._send_html(append_html(event["target_id"], event["text"]))

    async def _send_html(self, html: str) -> None:
        if html:
            await self.send(text_data=html)


def _owned_project(user: Any, project_id: int) -> Project | None:
    if user is None or not user.is_authenticated:
        return None
    return Project.objects.filter(pk=project_id, owner=user).first()
