import pytest
from django.urls import reverse

from tests.factories import MoodFactory, MoodImageFactory, SceneFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", ["mood", "storyboard", "scene", "composition"])
def test_changelists_open_with_search_and_filters(admin_client, model):
    MoodImageFactory(mood=MoodFactory(name="Golden hour"))
    SceneFactory()

    response = admin_client.get(reverse(f"admin:storyboards_{model}_changelist"), {"q": "golden"})

    assert response.status_code == 200


def test_mood_change_page_lists_its_images(admin_client):
    image = MoodImageFactory()

    response = admin_client.get(reverse("admin:storyboards_mood_change", args=[image.mood.pk]))

    assert response.status_code == 200
    assert image.image.name in response.content.decode()


def test_storyboard_change_page_lists_its_scenes(admin_client):
    scene = SceneFactory(text="A close-up of the bottle")

    response = admin_client.get(
        reverse("admin:storyboards_storyboard_change", args=[scene.storyboard.pk])
    )

    assert "A close-up of the bottle" in response.content.decode()
