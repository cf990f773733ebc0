import pytest
from celery.contrib.testing.worker import start_worker

from config import health
from config.celery import app as celery_app

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def running_worker():
    with start_worker(celery_app, pool="solo", perform_ping_check=False, queues=["io"]) as worker:
        yield worker


def test_health_is_200_when_every_part_is_up(client, running_worker):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "parts": {
            "database": {"status": "up"},
            "redis": {"status": "up"},
            "worker": {"status": "up"},
        },
    }


def test_health_is_503_naming_the_worker_when_none_runs(client):
    response = client.get("/health")
    assert response.status_code == 503
    parts = response.json()["parts"]
    assert parts["worker"]["status"] == "down"
    assert "no Celery worker" in parts["worker"]["error"]
    assert parts["database"] == {"status": "up"}


def test_health_names_redis_when_it_cannot_be_reached(client, settings, monkeypatch):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    monkeypatch.setitem(health.CHECKS, "worker", lambda: None)
    response = client.get("/health")
    assert response.status_code == 503
    redis_part = response.json()["parts"]["redis"]
    assert redis_part["status"] == "down"
    assert "127.0.0.1:1" in redis_part["error"]


def test_health_needs_no_login(client, running_worker):
    assert client.get("/health").status_code == 200
