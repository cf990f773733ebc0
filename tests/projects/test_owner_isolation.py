"""Another user's objects must look exactly like missing ones: 404 on every URL, GET and POST."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from nerf.models import NerfJob
from tests.factories import (
    ChatMessageFactory,
    CompositionFactory,
    MoodFactory,
    ProductImageFactory,
    SceneFactory,
    StoryboardFactory,
)

pytestmark = pytest.mark.django_db
OWNED_PARAMS = {
    "project_id",
    "mood_id",
    "storyboard_id",
    "scene_id",
    "message_id",
    "composition_id",
    "product_id",
    "image_id",
    "action",
    "capture_id",
}


def walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name and namespace != "api:":
            # The API answers JSON bodies and streams; tests/api walks it with valid bodies.
            yield f"{namespace}{entry.name}", set(entry.pattern.converters)


def owned_urls(object_ids):
    """(url name, url) for every URL naming only objects the fixture made."""
    for name, params in walk(get_resolver().url_patterns):
        if params and params <= OWNED_PARAMS and params <= set(object_ids):
            yield name, reverse(name, kwargs={param: object_ids[param] for param in params})


@pytest.fixture
def first_users_objects(user):
    storyboard = StoryboardFactory(project__owner=user)
    project = storyboard.project
    photo = ProductImageFactory(product__owner=user)
    return {
        "project_id": project.pk,
        "mood_id": MoodFactory(project=project).pk,
        "storyboard_id": storyboard.pk,
        "scene_id": SceneFactory(storyboard=storyboard).pk,
        "message_id": ChatMessageFactory(project=project).pk,
        "composition_id": CompositionFactory(storyboard=storyboard).pk,
        "product_id": photo.product_id,
        "image_id": photo.pk,
        "action": "main",
        "capture_id": NerfJob.objects.create(product=photo.product).pk,
    }


def test_every_project_url_is_404_for_another_user(client, user, other_user, first_users_objects):
    urls = sorted(set(owned_urls(first_users_objects)))
    assert len(urls) >= 8, urls  # the walk really found the project pages
    for _, url in urls:
        for method in ("get", "post"):
            client.force_login(user)
            takes_method = getattr(client, method)(url).status_code != 405
            client.force_login(other_user)
            # 405 only says which methods a URL takes; it must never reveal the object.
            expected = 404 if takes_method else 405
            assert getattr(client, method)(url).status_code == expected, f"{method} {url}"


# What a GET of each owned URL answers its owner; every other URL shows a page (200).
OWNER_GET = {
    "projects:open": 302,
    "projects:chat_earlier": 302,  # without ?before= it goes back to the brief
    "storyboards:scenes": 302,  # locked until a mood is picked: sent to the Mood step
    "storyboards:final": 302,
}


def test_the_owner_reaches_the_same_urls(client, user, first_users_objects):
    client.force_login(user)
    for name, url in sorted(set(owned_urls(first_users_objects))):
        response = client.get(url)
        if response.status_code == 405:
            assert "POST" in response["Allow"], f"GET {url}"
            continue
        assert response.status_code == OWNER_GET.get(name, 200), f"GET {url}"
