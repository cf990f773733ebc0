from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from config.asgi import application
from live import registry

ORIGIN = (b"origin", b"http://testserver")
TIMEOUT = 5


@pytest.fixture
def kinds(monkeypatch):
    """Declarations made by a test stay in that test; the apps' own kinds remain declared."""
    monkeypatch.setattr(registry, "_kinds", dict(registry._kinds))
    monkeypatch.setattr(registry, "_snapshots", [])


def logged_in_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def session_headers(client: Client) -> list[tuple[bytes, bytes]]:
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return [ORIGIN, (b"cookie", f"{settings.SESSION_COOKIE_NAME}={session}".encode())]


def communicator_for(project_id: int, headers: list, page: str = "mood") -> WebsocketCommunicator:
    path = f"/ws/projects/{project_id}/?page={page}"
    return WebsocketCommunicator(application, path, headers=headers)


async def connect_then_end(communicator: WebsocketCommunicator) -> tuple[bool, list]:
    """Connect, collect what the consumer says (a close, for the refused cases), then end it.

    The consumer is told the socket is gone and finishes; left running, its channel-layer
    read would still be pending when the test's event loop closes, and cancelling that read
    could keep the loop from closing (a test that once hung the run).
    """
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    said = []
    if connected:
        said.append(await communicator.receive_output(timeout=TIMEOUT))
    await communicator.disconnect(timeout=TIMEOUT)
    return connected, said


@asynccontextmanager
async def connected_page(
    project_id: int, headers: list, page: str = "mood", *, snapshot: bool = True
) -> AsyncIterator[WebsocketCommunicator]:
    """A connected page; its snapshot, if it has one, is kept as `.snapshot`."""
    communicator = communicator_for(project_id, headers, page)
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected
    communicator.snapshot = await communicator.receive_from(timeout=TIMEOUT) if snapshot else ""
    try:
        yield communicator
    finally:
        await communicator.disconnect()


@asynccontextmanager
async def owner_page(
    project, page: str = "mood", *, snapshot: bool = True
) -> AsyncIterator[WebsocketCommunicator]:
    """A connected page of the project's owner, in a session of its own."""
    client = await sync_to_async(logged_in_client)(project.owner)
    async with connected_page(project.pk, session_headers(client), page, snapshot=snapshot) as page:
        yield page
