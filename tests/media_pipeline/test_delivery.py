"""Owner-checked media: every stored file field answers its owner, and 404 to anyone else."""

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models
from django.test import Client

from media_pipeline.delivery import may_see, owned_files
from nerf.models import NerfJob
from storyboards.models import Composition
from tests.factories import (
    MoodImageFactory,
    ProductImageFactory,
    ProjectFactory,
    SceneFactory,
    StoryboardFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

FACTORIES = {
    "projects.project": lambda owner: ProjectFactory(owner=owner),
    "projects.productimage": lambda owner: ProductImageFactory(product__owner=owner),
    "storyboards.moodimage": lambda owner: MoodImageFactory(mood__project__owner=owner),
    "storyboards.scene": lambda owner: SceneFactory(storyboard__project__owner=owner),
    "storyboards.composition": lambda owner: Composition.objects.create(
        storyboard=StoryboardFactory(project__owner=owner)
    ),
    "nerf.nerfjob": lambda owner: NerfJob.objects.create(
        product=ProductImageFactory(product__owner=owner).product
    ),
}
FIELDS = [
    pytest.param(entry, id=f"{entry.model._meta.label_lower}.{entry.field}")
    for entry in owned_files()
]


def holding(entry, owner) -> str:
    """A row of the entry's model owned by `owner`, holding a file of its own in the field."""
    row = FACTORIES[entry.model._meta.label_lower](owner)
    path = default_storage.save(f"test/{entry.field}.bin", ContentFile(b"\x00secret bytes"))
    type(row).objects.filter(pk=row.pk).update(**{entry.field: path})
    return path


def test_every_file_field_of_every_model_is_registered():
    stored = {
        (model._meta.label_lower, field.name)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    }
    registered = {(entry.model._meta.label_lower, entry.field) for entry in owned_files()}
    assert stored == registered


@pytest.mark.parametrize("entry", FIELDS)
def test_the_owner_gets_the_file(entry):
    owner = UserFactory()
    path = holding(entry, owner)
    client = Client()
    client.force_login(owner)

    response = client.get(f"/media/{path}")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\x00secret bytes"


@pytest.mark.parametrize("entry", FIELDS)
def test_another_user_and_an_anonymous_client_get_404(entry):
    path = holding(entry, UserFactory())
    stranger = Client()
    stranger.force_login(UserFactory())

    assert stranger.get(f"/media/{path}").status_code == 404
    assert Client().get(f"/media/{path}").status_code == 404


def test_the_owner_check_is_one_query_however_many_models_hold_files(django_assert_num_queries):
    owner = UserFactory()
    path = holding(owned_files()[-1], owner)
    with django_assert_num_queries(1):
        assert may_see(owner, path)
    with django_assert_num_queries(1):
        assert not may_see(UserFactory.build(pk=owner.pk + 1), path)


def test_staff_may_see_any_held_file_but_not_a_stray_one(admin_client):
    path = holding(owned_files()[0], UserFactory())
    stray = default_storage.save("test/stray.bin", ContentFile(b"x"))

    assert admin_client.get(f"/media/{path}").status_code == 200
    assert admin_client.get(f"/media/{stray}").status_code == 404


def test_a_file_shared_by_two_users_copies_is_served_to_both():
    first, second = UserFactory(), UserFactory()
    image = MoodImageFactory(mood__project__owner=first)
    MoodImageFactory(mood__project__owner=second, image=image.image.name)

    for user in (first, second):
        client = Client()
        client.force_login(user)
        assert client.get(image.image.url).status_code == 200


def test_a_range_request_gets_just_those_bytes(client_logged_in, user):
    path = holding(owned_files()[0], user)

    response = client_logged_in.get(f"/media/{path}", HTTP_RANGE="bytes=1-6")

    assert response.status_code == 206
    assert response["Content-Range"] == "bytes 1-6/13"
    assert b"".join(response.streaming_content) == b"secret"


def test_behind_a_proxy_the_proxy_sends_the_bytes(client_logged_in, user, settings):
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/protected/"
    path = holding(owned_files()[0], user)

    response = client_logged_in.get(f"/media/{path}")

    assert response["X-Accel-Redirect"] == f"/protected/{path}"
    assert response.content == b""


def test_on_s3_the_owner_is_sent_to_a_presigned_expiring_url(client_logged_in, user, settings):
    image = MoodImageFactory(mood__project__owner=user)
    type(image).objects.filter(pk=image.pk).update(image="generated/images/ab/abc.png")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "reels",
                "access_key": "test-key",
                "secret_key": "test-secret",
                "region_name": "eu-west-1",
                "querystring_expire": 600,
            },
        },
    }

    response = client_logged_in.get("/media/generated/images/ab/abc.png")

    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("https://reels.s3")
    assert "Signature=" in location and "Expires=" in location


def test_download_asks_the_browser_to_save_the_file_under_the_given_name(client_logged_in, user):
    path = holding(owned_files()[0], user)

    response = client_logged_in.get(f"/media/{path}?download=glow-serum-9x16.mp4")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="glow-serum-9x16.mp4"'
    assert b"".join(response.streaming_content) == b"\x00secret bytes"


def test_a_download_name_keeps_only_safe_characters(client_logged_in, user, settings):
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/protected/"
    path = holding(owned_files()[0], user)

    response = client_logged_in.get(f"/media/{path}", {"download": '../my "film"\r\n.mp4'})

    assert response["Content-Disposition"] == 'attachment; filename="..my_film.mp4"'


def test_without_a_download_name_the_file_is_shown_inline(client_logged_in, user):
    path = holding(owned_files()[0], user)

    response = client_logged_in.get(f"/media/{path}?download=")

    assert response["Content-Disposition"] == f'inline; filename="{path.rsplit("/", 1)[-1]}"'
