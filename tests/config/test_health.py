import pytest
from celery.contrib.testing.worker import start_worker

from config import health
from config.celery import app as celery_app
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fresh_worker_ping():
    health.forget_worker_ping()
    yield
    health.forget_worker_ping()


@pytest.fixture
def running_worker():
    with start_worker(celery_app, pool="solo", perform_ping_check=False, queues=["io"]) as worker:
        yield worker


@pytest.fixture
def no_worker_check(monkeypatch):
    monkeypatch.setitem(health.CHECKS, "worker", lambda: None)


def test_health_is_200_when_every_part_is_up(client, running_worker):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "parts": {"database": "up", "redis": "up", "worker": "up"},
    }


def test_health_is_503_naming_the_worker_when_none_runs(client):
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unhealthy",
        "parts": {"database": "up", "redis": "up", "worker": "down"},
    }


def test_staff_see_why_a_part_is_down(client):
    client.force_login(UserFactory(is_staff=True))
    parts = client.get("/health").json()["parts"]
    assert parts["worker"]["status"] == "down"
    assert "no Celery worker" in parts["worker"]["error"]
    assert parts["database"] == {"status": "up"}


def test_the_health_token_shows_details_and_a_wrong_one_does_not(client, settings, no_worker_check):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.HEALTH_TOKEN = "s3cret-token"
    detailed = client.get("/health", {"token": "s3cret-token"}).json()["parts"]["redis"]
    assert detailed["status"] == "down"
    assert "127.0.0.1:1" in detailed["error"]
    assert client.get("/health", {"token": "guess"}).json()["parts"]["redis"] == "down"


def test_an_empty_health_token_shows_no_details(client, settings, no_worker_check):
    settings.HEALTH_TOKEN = ""
    assert client.get("/health", {"token": ""}).json()["parts"]["redis"] == "up"


def test_the_worker_ping_is_asked_once_per_ten_seconds(client, monkeypatch):
    pings = []
    monkeypatch.setattr(health, "ping_workers", lambda: pings.append(1))
    for _ in range(5):
        assert client.get("/health").status_code == 200
    assert pings == [1]


def test_health_needs_no_login(client, running_worker):
    assert client.get("/health").status_code == 200
