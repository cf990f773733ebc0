import pytest
from django.test import Client

from api.tokens import token_create


class ApiClient:
    """A test client that calls the API with a bearer token and JSON bodies."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.client = Client(headers={"Authorization": f"Bearer {secret}"})

    def get(self, url: str, **kwargs):
        return self.client.get(url, **kwargs)

    def post(self, url: str, data: object = None, **kwargs):
        return self.client.post(url, data, content_type="application/json", **kwargs)

    def put(self, url: str, data: object = None):
        return self.client.put(url, data, content_type="application/json")

    def patch(self, url: str, data: object = None):
        return self.client.patch(url, data, content_type="application/json")

    def delete(self, url: str):
        return self.client.delete(url)


@pytest.fixture
def token(user):
    return token_create(user=user, name="script")


@pytest.fixture
def api(token):
    return ApiClient(token[1])


@pytest.fixture
def other_api(other_user):
    return ApiClient(token_create(user=other_user, name="other")[1])


@pytest.fixture
def jobs(monkeypatch):
    """The names of the jobs the services enqueue, recorded instead of sent to the broker."""
    from celery.app.task import Task

    sent: list[str] = []
    monkeypatch.setattr(Task, "delay", lambda task, **kwargs: sent.append(task.name))
    monkeypatch.setattr(
        Task, "apply_async", lambda task, kwargs=None, **options: sent.append(task.name)
    )
    return sent
