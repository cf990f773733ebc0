import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from tests.factories import (
    ChatMessageFactory,
    MoodImageFactory,
    ProductImageFactory,
    SceneFactory,
    UserFactory,
)

OUR_APPS = ("projects", "storyboards", "nerf", "media_pipeline", "operations")


@pytest.mark.django_db
def test_migrations_match_the_models():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_every_model_has_an_admin():
    models = [model for app in OUR_APPS for model in apps.get_app_config(app).get_models()]
    missing = [model.__name__ for model in models if not admin.site.is_registered(model)]
    assert missing == []


@pytest.mark.django_db
def test_every_admin_list_and_change_page_renders(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    objects = [
        ChatMessageFactory(),
        MoodImageFactory(),
        SceneFactory(),
        ProductImageFactory(),
    ]
    for model in (type(obj) for obj in objects):
        opts = model._meta
        assert (
            client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code
            == 200
        )
    for app in OUR_APPS:
        for model in apps.get_app_config(app).get_models():
            opts = model._meta
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            assert client.get(url).status_code == 200, url
    for obj in objects + [obj.project for obj in objects[:1]] + [objects[2].storyboard]:
        opts = obj._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        assert client.get(url).status_code == 200, url
