"""Another user's objects must look exactly like missing ones: 404 on every URL, GET and POST."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import ChatMessageFactory, MoodFactory, SceneFactory, StoryboardFactory

pytestmark = pytest.mark.django_db
OWNED_PARAMS = {
    "project_id",
    "mood_id",
    "storyboard_id",
    "scene_id",
    "message_id",
    "composition_id",
}


def walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", set(entry.pattern.converters)


def owned_urls(object_ids):
    for name, params in walk(get_resolver().url_patterns):
        if params and params <= OWNED_PARAMS and params <= set(object_ids):
            yield reverse(name, kwargs={param: object_ids[param] for param in params})


@pytest.fixture
def first_users_objects(user):
    storyboard = StoryboardFactory(project__owner=user)
    project = storyboard.project
    return {
        "project_id": project.pk,
        "mood_id": MoodFactory(project=project).pk,
        "storyboard_id": storyboard.pk,
        "scene_id": SceneFactory(storyboard=storyboard).pk,
        "message_id": ChatMessageFactory(project=project).pk,
    }


def test_every_project_url_is_404_for_another_user(client, other_user, first_users_objects):
    client.force_login(other_user)
    urls = sorted(set(owned_urls(first_users_objects)))
    assert len(urls) >= 8, urls  # the walk really found the project pages
    for url in urls:
        statuses = {client.get(url).status_code, client.post(url).status_code}
        # 405 only says which methods a URL takes; it must never reveal the object.
        assert 404 in statuses and statuses <= {404, 405}, f"{url}: {statuses}"


def test_the_owner_reaches_the_same_urls(client, user, first_users_objects):
    client.force_login(user)
    for url in sorted(set(owned_urls(first_users_objects))):
        assert client.get(url).status_code in (200, 302, 405), f"GET {url}"
