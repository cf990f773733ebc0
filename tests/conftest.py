import pytest

from media_pipeline.registry import providers
from tests.factories import UserFactory

pytest_plugins = ["tests.fakes.fixtures"]

SMALL_FRAMES = {
    "image_steps": 4,
    "frame_size": (64, 112),
    "images_per_mood": 1,
    "chat_model": "gpt-4o-mini",
    "fps": 8,
    "nerf_gpu": "T4",
}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Every test writes its media into its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def fresh_providers():
    providers.reset()
    yield
    providers.reset()


@pytest.fixture
def small_frames(settings):
    settings.QUALITY_PROFILE = dict(SMALL_FRAMES)
    providers.reset()
    return settings.QUALITY_PROFILE


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


@pytest.fixture
def client_logged_in(client, user):
    client.force_login(user)
    return client
