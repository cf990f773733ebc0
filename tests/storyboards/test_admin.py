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


def test_staff_see_a_scenes_image_and_clip_and_can_open_them(admin_client):
    scene = SceneFactory()
    image = MoodImageFactory().image.name
    type(scene).objects.filter(pk=scene.pk).update(image=image, video="generated/clips/ab/c.mp4")

    listing = admin_client.get(reverse("admin:storyboards_scene_changelist")).content.decode()
    page = admin_client.get(reverse("admin:storyboards_scene_change", args=[scene.pk]))

    assert f'<img src="/media/{image}"' in listing
    assert '<video src="/media/generated/clips/ab/c.mp4"' in page.content.decode()
    assert admin_client.get(f"/media/{image}").status_code == 200, "staff may open every file"


def test_an_empty_preview_says_so(admin_client):
    scene = SceneFactory()

    page = admin_client.get(reverse("admin:storyboards_scene_change", args=[scene.pk]))

    assert page.status_code == 200 and "<video" not in page.content.decode()
