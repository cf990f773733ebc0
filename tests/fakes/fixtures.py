"""Pytest fixtures that start the fakes and point the engine's settings at them.

Register with `pytest_plugins = ["tests.fakes.fixtures"]`.
"""

from collections.abc import Iterator

import pytest

from media_pipeline.registry import providers
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.replicate_server import FakeReplicate


@pytest.fixture
def openai_fake(settings) -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        settings.OPENAI_API_KEY = fake.api_key
        settings.OPENAI_BASE_URL = fake.base_url
        providers.reset()
        yield fake
        assert not fake.errors, fake.errors[0]
    providers.reset()


@pytest.fixture
def replicate_fake(settings) -> Iterator[FakeReplicate]:
    with FakeReplicate() as fake:
        settings.REPLICATE_API_TOKEN = fake.api_token
        settings.REPLICATE_BASE_URL = fake.url
        settings.REPLICATE_WEBHOOK_SECRET = fake.webhook_secret
        settings.PUBLIC_BASE_URL = ""
        providers.reset()
        yield fake
        assert not fake.errors, fake.errors[0]
    providers.reset()
