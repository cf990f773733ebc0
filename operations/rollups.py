"""Daily roll-ups of the usage ledger, kept as it is written: what the metrics page reads.

Every ProviderUsage row added (or deleted by staff) moves three counters in the same
transaction: its capability and backend's day (UsageDay), its duration bucket's day
(UsageDuration) and its user's day (UserSpendDay). Each move is one atomic upsert, so any
number of workers can meter at once. A million calls over a month are a few thousand
roll-up rows, and the page's cost no longer grows with the calls (bench/metrics.py).

The ledger is append-only: rows are never edited. `rebuild()` (manage.py rebuild_rollups)
recomputes everything from the ledger, after a bulk import for instance.
"""

import math
from decimal import Decimal

from django.apps import apps as global_apps
from django.db import connection, transaction
from django.db.models import Count, F, FloatField, IntegerField, Q, Sum, Value
from django.db.models.functions import Cast, Floor, Greatest, Ln, TruncDate
from django.utils import timezone

from media_pipeline.models import ProviderUsage

# Durations fall in buckets 2% wide: a bucket's middle is within 1% of any value in it.
BUCKET_RATIO = 1.02
SHORTEST_SECONDS = 0.001


def duration_bucket(seconds: float) -> int:
    return math.floor(math.log(max(seconds, SHORTEST_SECONDS)) / math.log(BUCKET_RATIO))


def bucket_seconds(bucket: int) -> float:
    """The bucket's geometric middle."""
    return BUCKET_RATIO ** (bucket + 0.5)


def record(usage: ProviderUsage, *, sign: int = 1) -> None:
    """Add one ledger row to the roll-ups (or take it away, with sign=-1)."""
    day = timezone.localdate(usage.created_at)
    kind = {"day": day, "capability": usage.capability, "backend": usage.backend}
    done = sign if usage.outcome == ProviderUsage.Outcome.SUCCESS else 0
    cost = sign * Decimal(usage.cost_estimate)
    _add("operations_usageday", kind, {"calls": sign, "done": done, "cost": cost})
    bucket = {**kind, "bucket": duration_bucket(usage.seconds)}
    _add("operations_usageduration", bucket, {"calls": sign})
    if usage.user_id is not None:
        owner = {"day": day, "user_id": usage.user_id}
        _add("operations_userspendday", owner, {"calls": sign, "cost": cost})


def _add(table: str, keys: dict, counts: dict) -> None:
    """INSERT … ON CONFLICT DO UPDATE adding `counts` (PostgreSQL and SQLite alike)."""
    quote = connection.ops.quote_name
    columns = [*keys, *counts]
    names = ", ".join(quote(name) for name in columns)
    conflict = ", ".join(quote(name) for name in keys)
    added = ", ".join(
        f"{quote(name)} = {quote(table)}.{quote(name)} + excluded.{quote(name)}" for name in counts
    )
    placeholders = ", ".join(["%s"] * len(columns))
    sql = (
        f"INSERT INTO {quote(table)} ({names}) VALUES ({placeholders}) "
        f"ON CONFLICT ({conflict}) DO UPDATE SET {added}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*keys.values(), *counts.values()])


def rebuild(apps=global_apps) -> None:
    """Recompute every roll-up from the ledger (three grouped passes)."""
    usage = apps.get_model("media_pipeline", "ProviderUsage").objects.annotate(
        day=TruncDate("created_at")
    )
    models = {
        name: apps.get_model("operations", name)
        for name in ("UsageDay", "UsageDuration", "UserSpendDay")
    }
    success = Q(outcome=ProviderUsage.Outcome.SUCCESS)
    bucket = Cast(
        Floor(
            Ln(Greatest(F("seconds"), Value(SHORTEST_SECONDS)))
            / Value(math.log(BUCKET_RATIO), output_field=FloatField())
        ),
        IntegerField(),
    )
    groups = {
        "UsageDay": usage.values("day", "capability", "backend").annotate(
            calls=Count("id"), done=Count("id", filter=success), cost=Sum("cost_estimate")
        ),
        "UsageDuration": usage.annotate(bucket=bucket)
        .values("day", "capability", "backend", "bucket")
        .annotate(calls=Count("id")),
        "UserSpendDay": usage.filter(user__isnull=False)
        .values("day", "user_id")
        .annotate(calls=Count("id"), cost=Sum("cost_estimate")),
    }
    with transaction.atomic():
        for name, rows in groups.items():
            model = models[name]
            model.objects.all().delete()
            model.objects.bulk_create(
                (model(**row) for row in rows.order_by()),
                batch_size=5000,
            )
    if connection.vendor == "postgresql":
        # Fresh statistics at once, not at autovacuum's next pass: the planner's estimates
        # for the page's queries are off by orders of magnitude on a just-filled table.
        with connection.cursor() as cursor:
            for model in models.values():
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
