import uuid

import pytest
from django.test import override_settings

from media_pipeline.registry import providers
from tests.factories import UserFactory
from tests.profiles import SMALL_FRAMES

pytest_plugins = ["tests.fakes.fixtures"]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """SQLite tests run on a file: real worker threads then wait for locks instead of failing."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        database["TEST"]["NAME"] = str(tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    """Real hashers cost about 0.35 s per test user; hashing strength is not under test here."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def isolated_redis(settings):
    """Cache keys (rate limits) and channel groups under a prefix of this test's own, in real Redis."""
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
    }
    layer = settings.CHANNEL_LAYERS["default"]
    settings.CHANNEL_LAYERS = {
        "default": {**layer, "CONFIG": {**layer["CONFIG"], "prefix": f"test-{uuid.uuid4().hex}"}}
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
