from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from media_pipeline.models import ProviderUsage
from tests.storyboards.conftest import (  # noqa: F401 (fixtures shared with the scene tests)
    eager_tasks,
    image_backend,
    io_worker,
    media_worker,
    mood_engine,
)


def usage(
    *,
    capability: str = "image",
    backend: str = "replicate",
    outcome: str = "success",
    seconds: float = 1.0,
    cost: str = "0",
    user=None,
    subject: str = "",
    ago: timedelta = timedelta(minutes=1),
) -> ProviderUsage:
    """One usage row, created `ago` before now."""
    return ProviderUsage.objects.create(
        capability=capability,
        backend=backend,
        outcome=outcome,
        seconds=seconds,
        cost_estimate=Decimal(cost),
        user=user,
        subject=subject,
        created_at=timezone.now() - ago,
    )


@pytest.fixture
def staff_client(client, db):
    from tests.factories import UserFactory

    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    client.staff = staff
    return client
