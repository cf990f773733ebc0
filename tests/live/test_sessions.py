"""A socket belongs to a logged-in session: logout, deactivation and expiry close it."""

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

import live
from live import consumers
from live.consumers import SIGNED_OUT
from tests.factories import ProjectFactory
from tests.live.conftest import (
    TIMEOUT,
    communicator_for,
    connect_then_end,
    connected_page,
    logged_in_client,
    session_headers,
)

pytestmark = pytest.mark.django_db(transaction=True)

CLOSED = {"type": "websocket.close", "code": SIGNED_OUT}


@pytest.fixture
def note(kinds):
    return live.kind("note", page="mood", render=lambda user, note_id: f"<p>note {note_id}</p>")


@pytest.fixture
def project(user):
    return ProjectFactory(owner=user)


def expire(client) -> None:
    past = timezone.now() - timedelta(seconds=1)
    Session.objects.filter(session_key=client.session.session_key).update(expire_date=past)


def test_logging_out_closes_every_socket_of_that_session_and_no_other(user, project, note):
    leaving, staying = logged_in_client(user), logged_in_client(user)

    async def scenario():
        async with (
            connected_page(project.pk, session_headers(leaving), snapshot=False) as tab,
            connected_page(project.pk, session_headers(leaving), snapshot=False) as other_tab,
            connected_page(project.pk, session_headers(staying), snapshot=False) as elsewhere,
        ):
            await sync_to_async(leaving.post)(reverse("account_logout"))
            assert await tab.receive_output(timeout=TIMEOUT) == CLOSED
            assert await other_tab.receive_output(timeout=TIMEOUT) == CLOSED
            await sync_to_async(live.publish)(project.pk, note, 1)
            assert await elsewhere.receive_from(timeout=TIMEOUT) == "<p>note 1</p>"

    async_to_sync(scenario)()


def test_deactivating_the_user_closes_the_sockets_of_every_session(user, project):
    first, second = logged_in_client(user), logged_in_client(user)

    def deactivate() -> None:
        user.is_active = False
        user.save()

    async def scenario():
        async with (
            connected_page(project.pk, session_headers(first), snapshot=False) as phone,
            connected_page(project.pk, session_headers(second), snapshot=False) as laptop,
        ):
            await sync_to_async(deactivate)()
            assert await phone.receive_output(timeout=TIMEOUT) == CLOSED
            assert await laptop.receive_output(timeout=TIMEOUT) == CLOSED

    async_to_sync(scenario)()


def test_an_expired_session_is_told_it_is_signed_out_on_connect(user, project):
    client = logged_in_client(user)
    expire(client)

    async def scenario():
        connected, said = await connect_then_end(
            communicator_for(project.pk, session_headers(client))
        )
        assert connected
        assert said == [CLOSED]

    async_to_sync(scenario)()


def test_an_open_socket_closes_once_its_session_expires(monkeypatch, user, project, note):
    monkeypatch.setattr(consumers, "SESSION_CHECK_SECONDS", 0.1)
    expiring, lasting = logged_in_client(user), logged_in_client(user)

    async def scenario():
        async with (
            connected_page(project.pk, session_headers(expiring), snapshot=False) as expired,
            connected_page(project.pk, session_headers(lasting), snapshot=False) as valid,
        ):
            assert await expired.receive_nothing(timeout=0.5)
            await sync_to_async(expire)(expiring)
            assert await expired.receive_output(timeout=TIMEOUT) == CLOSED
            await sync_to_async(live.publish)(project.pk, note, 2)
            assert await valid.receive_from(timeout=TIMEOUT) == "<p>note 2</p>"

    async_to_sync(scenario)()
