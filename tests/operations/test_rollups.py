from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from media_pipeline import metering
from media_pipeline.models import ProviderUsage
from operations import rollups
from operations.models import UsageDay, UsageDuration, UserSpendDay
from tests.factories import UserFactory
from tests.operations.conftest import usage

pytestmark = pytest.mark.django_db


def _snapshot() -> dict:
    return {
        "days": sorted(
            UsageDay.objects.filter(calls__gt=0).values_list(
                "day", "capability", "backend", "calls", "done", "cost"
            )
        ),
        "durations": sorted(
            UsageDuration.objects.filter(calls__gt=0).values_list(
                "day", "capability", "backend", "bucket", "calls"
            )
        ),
        "spend": sorted(
            UserSpendDay.objects.filter(calls__gt=0).values_list("day", "user_id", "calls", "cost")
        ),
    }


def test_each_metered_call_moves_the_three_rollups():
    alice = UserFactory()
    with metering.usage_context(user_id=alice.pk), metering.metered("image", "local"):
        pass
    row = ProviderUsage.objects.get()
    day = UsageDay.objects.get()
    assert (day.day, day.capability, day.backend, day.calls, day.done) == (
        row.created_at.date(),
        "image",
        "local",
        1,
        1,
    )
    assert UsageDuration.objects.get().bucket == rollups.duration_bucket(row.seconds)
    assert UserSpendDay.objects.get().user == alice


def test_rollups_add_up_per_day_and_take_away_deleted_rows():
    alice = UserFactory()
    usage(user=alice, cost="0.25", seconds=3.0)
    usage(user=alice, cost="0.50", seconds=3.0, outcome="permanent")
    gone = usage(user=alice, cost="1.00", seconds=9.0)
    usage(user=alice, cost="2.00", ago=timedelta(days=2))
    gone.delete()
    today = UsageDay.objects.order_by("-day").first()
    assert (today.calls, today.done, today.cost) == (2, 1, Decimal("0.75"))
    spent = dict(UserSpendDay.objects.values_list("day", "cost"))
    assert sorted(spent.values()) == [Decimal("0.75"), Decimal("2.00")]
    buckets = dict(UsageDuration.objects.filter(day=today.day).values_list("bucket", "calls"))
    assert buckets == {rollups.duration_bucket(3.0): 2, rollups.duration_bucket(9.0): 0}


def test_deleting_a_user_drops_their_spend_but_keeps_the_calls():
    alice = UserFactory()
    usage(user=alice, cost="0.25")
    alice.delete()
    assert not UserSpendDay.objects.exists()
    assert UsageDay.objects.get().calls == 1


def test_rebuild_gives_what_was_kept_on_write():
    alice, bob = UserFactory(), UserFactory()
    for index in range(12):
        usage(
            capability=("text", "image", "video")[index % 3],
            backend=("openai", "replicate")[index % 2],
            outcome=("success", "permanent")[index % 4 == 0],
            seconds=0.3 * (index + 1),
            cost=f"0.0{index % 10}",
            user=(alice, bob, None)[index % 3],
            ago=timedelta(days=index % 4, hours=index),
        )
    kept = _snapshot()
    UsageDay.objects.all().delete()
    output = StringIO()
    call_command("rebuild_rollups", stdout=output)
    assert _snapshot() == kept
    assert "Rebuilt in" in output.getvalue()


@pytest.mark.parametrize("seconds", [0.004, 0.5, 1.0, 2.0, 5.0, 10.0, 59.9, 3600.0])
def test_bucket_middles_are_within_one_percent(seconds):
    assert rollups.bucket_seconds(rollups.duration_bucket(seconds)) == pytest.approx(
        seconds, rel=0.01
    )
