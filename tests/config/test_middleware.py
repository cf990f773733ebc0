import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.urls import reverse

from config.asgi import application
from config.middleware import BUSY_MESSAGE
from tests.factories import ProjectFactory
from tests.redis_server import serve

HTMX = {"HTTP_HX_REQUEST": "true"}
ORIGIN = (b"origin", b"http://testserver")


@pytest.fixture
def throwaway_redis(tmp_path):
    yield from serve(tmp_path)


@pytest.fixture
def redis_down(settings, throwaway_redis):
    """Cache and channel layer on a Redis server that is then stopped."""
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": throwaway_redis.url()}}
    layer = settings.CHANNEL_LAYERS["default"]
    hosts = [{**layer["CONFIG"]["hosts"][0], "address": throwaway_redis.url()}]
    settings.CHANNEL_LAYERS = {"default": {**layer, "CONFIG": {**layer["CONFIG"], "hosts": hosts}}}
    throwaway_redis.stop()
    return throwaway_redis


@pytest.mark.urls("tests.config.busy_urls")
def test_a_page_needing_redis_answers_503_with_retry_after(client, redis_down, db):
    response = client.get("/cache/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"].startswith("text/html")
    assert BUSY_MESSAGE in response.content.decode()


@pytest.mark.urls("tests.config.busy_urls")
def test_an_htmx_request_gets_the_message_as_text_for_the_toast(client, redis_down, db):
    response = client.get("/cache/", **HTMX)
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == BUSY_MESSAGE


@pytest.mark.urls("tests.config.busy_urls")
def test_a_broker_error_answers_503(client, db):
    response = client.post("/enqueue/", **HTMX)
    assert response.status_code == 503
    assert response.content.decode() == BUSY_MESSAGE


@pytest.mark.urls("tests.config.busy_urls")
def test_redis_back_the_first_request_succeeds(client, redis_down, db):
    client.get("/cache/")
    redis_down.start()
    assert client.get("/cache/").status_code == 200


def test_logging_in_while_redis_is_down_says_busy(client, redis_down, user):
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": "wrong"}, **HTMX
    )
    assert response.status_code == 503
    assert response.content.decode() == BUSY_MESSAGE


def test_sessions_do_not_need_redis(client_logged_in, redis_down):
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert client_logged_in.get(reverse("projects:list")).status_code == 200


def owner_cookie(project) -> bytes:
    client = Client()
    client.force_login(project.owner)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return f"{settings.SESSION_COOKIE_NAME}={session}".encode()


async def connects(project_id: int, cookie: bytes) -> bool:
    communicator = WebsocketCommunicator(
        application, f"/ws/projects/{project_id}/?page=brief", headers=[ORIGIN, (b"cookie", cookie)]
    )
    connected, _ = await communicator.connect(timeout=5)
    await communicator.disconnect()
    return connected


@pytest.mark.django_db(transaction=True)
def test_a_websocket_is_refused_cleanly_while_redis_is_down_and_accepted_after(redis_down):
    project = ProjectFactory()
    cookie = owner_cookie(project)
    assert async_to_sync(connects)(project.pk, cookie) is False
    redis_down.start()
    assert async_to_sync(connects)(project.pk, cookie) is True


@pytest.mark.django_db(transaction=True)
def test_the_first_websocket_after_a_redis_restart_connects(throwaway_redis, settings):
    """One event loop, as in daphne: its pooled connections die with the server."""
    layer = settings.CHANNEL_LAYERS["default"]
    hosts = [{**layer["CONFIG"]["hosts"][0], "address": throwaway_redis.url()}]
    settings.CHANNEL_LAYERS = {"default": {**layer, "CONFIG": {**layer["CONFIG"], "hosts": hosts}}}
    project = ProjectFactory()
    cookie = owner_cookie(project)

    async def before_and_after_restart() -> tuple[bool, bool]:
        before = await connects(project.pk, cookie)
        throwaway_redis.stop()
        throwaway_redis.start()
        return before, await connects(project.pk, cookie)

    assert async_to_sync(before_and_after_restart)() == (True, True)
