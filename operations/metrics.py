"""The figures of the admin's metrics page, each from an aggregate query.

Usage figures come from the daily roll-ups of the ledger (operations.rollups), never from its
rows, so the page costs the same queries at ten calls or a million
(tests/operations/test_metrics.py counts them; bench/metrics.py times them). Python only
folds aggregated rows (one per capability and backend, or per duration bucket).
"""

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import groupby

from celery import current_app as celery_app
from django.conf import settings
from django.db.models import (
    Avg,
    Count,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from operations.models import UsageDay, UsageDuration, UserSpendDay
from operations.rollups import bucket_seconds
from operations.spending import default_limit, month_start
from projects.models import ANSWERING, ChatMessage
from projects.tasks import STUCK_AFTER as REPLY_STUCK_AFTER
from storyboards.models import (
    IN_FLIGHT,
    MOOD_IN_FLIGHT,
    Composition,
    GenerationStatus,
    Mood,
    MoodImage,
    Scene,
    Storyboard,
)
from storyboards.tasks import STUCK_AFTER

PERIODS = {"today": "Today", "7d": "7 days", "30d": "30 days"}
DEFAULT_PERIOD = "today"
PERCENTILES = (50, 95)
TOP_SPENDERS = 10
QUEUES = ("io", "media")
MONEY = DecimalField(max_digits=14, decimal_places=6)


@dataclass
class CapabilityRow:
    capability: str
    backend: str
    started: int
    done: int
    failed: int
    cost: Decimal
    p50: float | None = None
    p95: float | None = None

    @property
    def failure_rate(self) -> float:
        return self.failed / self.started if self.started else 0.0


@dataclass(frozen=True)
class Day:
    day: date
    started: int
    failed: int


@dataclass(frozen=True)
class Stuck:
    kind: str
    stuck: int
    oldest_waiting: datetime | None


@dataclass(frozen=True)
class QueueDepth:
    name: str
    depth: int | None  # None: the broker did not answer


@dataclass
class Metrics:
    period: str
    since: datetime
    rows: list[CapabilityRow]
    totals: dict
    days: list[Day]
    films: dict
    placements: dict
    top_spenders: list[dict]
    over_budget: list[dict]
    queues: list[QueueDepth]
    stuck: list[Stuck]
    warnings: list[str] = field(default_factory=list)


def period_start(period: str, *, now: datetime | None = None) -> datetime:
    now = timezone.localtime(now)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    days = {"today": 0, "7d": 6, "30d": 29}[period]
    return midnight - timedelta(days=days)


def metrics_for(period: str, *, now: datetime | None = None) -> Metrics:
    since = period_start(period, now=now)
    first_day = since.date()
    metrics = Metrics(
        period=period,
        since=since,
        rows=capability_rows(first_day),
        totals=usage_totals(first_day),
        days=daily_generations(first_day, timezone.localdate(now)),
        films=film_figures(since),
        placements=placement_figures(since),
        top_spenders=top_spenders(first_day),
        over_budget=users_over_budget(),
        queues=queue_depths(),
        stuck=stuck_now(now=now),
    )
    metrics.warnings = warnings_for(metrics, now=now)
    return metrics


def _calls(first_day: date) -> QuerySet[UsageDay]:
    return UsageDay.objects.filter(day__gte=first_day)


def _spend(first_day: date) -> QuerySet[UserSpendDay]:
    return UserSpendDay.objects.filter(day__gte=first_day)


CALLS = {
    "started": Coalesce(Sum("calls"), 0),
    "done": Coalesce(Sum("done"), 0),
    "cost": Coalesce(Sum("cost"), Value(0), output_field=MONEY),
}


def capability_rows(first_day: date) -> list[CapabilityRow]:
    """Started, done, failed, cost and p50/p95 seconds per capability and backend: two queries."""
    grouped = _calls(first_day).values("capability", "backend").annotate(**CALLS)
    rows = {
        (row["capability"], row["backend"]): CapabilityRow(
            failed=row["started"] - row["done"], **row
        )
        for row in grouped.order_by("capability", "backend")
    }
    for (capability, backend), percentile, seconds in duration_percentiles(first_day):
        setattr(rows[capability, backend], f"p{percentile}", seconds)
    return list(rows.values())


def duration_percentiles(first_day: date) -> list[tuple[tuple[str, str], int, float]]:
    """Nearest-rank percentiles of call durations per capability and backend, in one query.

    Read from the duration buckets' counts, so each is within 1% of the exact figure.
    """
    counts = (
        UsageDuration.objects.filter(day__gte=first_day)
        .values_list("capability", "backend", "bucket")
        .annotate(calls=Sum("calls"))
        .filter(calls__gt=0)
        .order_by("capability", "backend", "bucket")
    )
    found = []
    for group, buckets in groupby(counts, key=lambda row: (row[0], row[1])):
        buckets = [(bucket, calls) for _, _, bucket, calls in buckets]
        size = sum(calls for _, calls in buckets)
        for percentile in PERCENTILES:
            rank = max(1, math.ceil(size * percentile / 100))
            seen = 0
            for bucket, calls in buckets:
                seen += calls
                if seen >= rank:
                    found.append((group, percentile, bucket_seconds(bucket)))
                    break
    return found


def usage_totals(first_day: date) -> dict:
    totals = _calls(first_day).aggregate(**CALLS)
    totals["active_users"] = _spend(first_day).aggregate(users=Count("user", distinct=True))[
        "users"
    ]
    return totals


def daily_generations(first_day: date, last_day: date) -> list[Day]:
    """Calls started and failed on each day of the period, quiet days included (the seed's
    "daily-generations")."""
    per_day = {
        row["day"]: Day(row["day"], row["started"], row["started"] - row["done"])
        for row in _calls(first_day).values("day").annotate(**CALLS)
    }
    span = (last_day - first_day).days + 1
    days = (first_day + timedelta(days=offset) for offset in range(span))
    return [per_day.get(day, Day(day, 0, 0)) for day in days]


def film_figures(since: datetime) -> dict:
    """Compositions made since `since` (the seed's "composite"): count, success, render time."""
    films = Composition.objects.filter(created_at__gte=since)
    complete = Q(status=Composition.Status.COMPLETE)
    figures = films.aggregate(
        count=Count("id"),
        complete=Count("id", filter=complete),
        failed=Count("id", filter=Q(status=Composition.Status.ERROR)),
        render_time=Avg(
            ExpressionWrapper(
                F("status_changed_at") - F("created_at"), output_field=DurationField()
            ),
            filter=complete,
        ),
    )
    finished = figures["complete"] + figures["failed"]
    figures["success_rate"] = figures["complete"] / finished if finished else None
    return figures


def placement_figures(since: datetime) -> dict:
    """Products placed into scene images since `since`, and how faithful they came out.

    A scene keeps the score of its current placement, stamped when its image last changed;
    the calls themselves (count, failures, durations) are the "compositing" rows above.
    """
    placed = Scene.objects.filter(product_match__isnull=False, status_changed_at__gte=since)
    return placed.aggregate(
        count=Count("id"),
        average=Avg("product_match"),
        lowest=Min("product_match"),
        low=Count("id", filter=Q(product_match__lt=settings.PRODUCT_MATCH_THRESHOLD)),
    )


def top_spenders(first_day: date) -> list[dict]:
    spenders = (
        _spend(first_day)
        .values("user_id", "user__email")
        .annotate(calls=Sum("calls"), spent=Sum("cost"))
        .order_by("-spent", "user_id")
    )
    return list(spenders[:TOP_SPENDERS])


def users_over_budget() -> list[dict]:
    """Users whose spend this month is past their own budget or the default."""
    limit = Coalesce(F("user__budget__monthly_limit"), Value(default_limit()), output_field=MONEY)
    return list(
        _spend(month_start().date())
        .values("user_id", "user__email")
        .annotate(limit=limit, spent=Sum("cost"))
        .filter(spent__gt=F("limit"))
        .order_by("-spent")
    )


def queue_depths() -> list[QueueDepth]:
    """Messages waiting in each Celery queue, read from the broker (None: it did not answer)."""
    try:
        with celery_app.connection_for_read() as connection:
            connection.ensure_connection(max_retries=1)
            return [QueueDepth(name, _waiting(connection, name)) for name in QUEUES]
    except Exception:
        return [QueueDepth(name, None) for name in QUEUES]


def _waiting(connection, name: str) -> int:
    """A passive declare's message count; an empty Redis queue does not exist, so "not found"
    means nothing is waiting."""
    with connection.channel() as channel:
        try:
            return channel.queue_declare(name, passive=True).message_count
        except connection.channel_errors:
            return 0


def stuck_now(*, now: datetime | None = None) -> list[Stuck]:
    """Per kind of artifact: how many are in flight past the sweep's limit, and the oldest wait."""
    now = now or timezone.now()
    queued = GenerationStatus.QUEUED
    kinds = [
        (
            "Chat replies",
            ChatMessage.objects.filter(status__in=ANSWERING),
            REPLY_STUCK_AFTER,
            Q(status=ChatMessage.Status.PENDING),
        ),
        (
            "Mood boards",
            Mood.objects.filter(status__in=MOOD_IN_FLIGHT),
            STUCK_AFTER,
            Q(status=Mood.Status.PLANNING),
        ),
        (
            "Mood images",
            MoodImage.objects.filter(status__in=IN_FLIGHT),
            STUCK_AFTER,
            Q(status=queued),
        ),
        (
            "Storyboards",
            Storyboard.objects.filter(status=Storyboard.Status.GENERATING),
            STUCK_AFTER,
            Q(status=Storyboard.Status.GENERATING),
        ),
        (
            "Scenes",
            Scene.objects.filter(_scene_in_flight()),
            STUCK_AFTER,
            Q(text_status=queued) | Q(image_status=queued) | Q(video_status=queued),
        ),
        (
            "Films",
            Composition.objects.filter(status__in=_FILM_IN_FLIGHT),
            STUCK_AFTER,
            Q(status=Composition.Status.PENDING),
        ),
    ]
    return [_stuck(name, rows, now - after, waiting) for name, rows, after, waiting in kinds]


_FILM_IN_FLIGHT = (Composition.Status.PENDING, Composition.Status.PROCESSING)


def _scene_in_flight() -> Q:
    return (
        Q(text_status__in=IN_FLIGHT) | Q(image_status__in=IN_FLIGHT) | Q(video_status__in=IN_FLIGHT)
    )


def _stuck(kind: str, rows: QuerySet, cutoff: datetime, waiting: Q) -> Stuck:
    figures = rows.aggregate(
        stuck=Count("pk", filter=Q(status_changed_at__lt=cutoff)),
        oldest=Min("status_changed_at", filter=waiting),
    )
    return Stuck(kind, figures["stuck"], figures["oldest"])


def warnings_for(metrics: Metrics, *, now: datetime | None = None) -> list[str]:
    """The seed's health-with-warnings: failure rates, old queued jobs, spend past budgets."""
    now = now or timezone.now()
    found = []
    threshold = settings.METRICS_FAILURE_RATE_WARNING
    for row in metrics.rows:
        if row.failure_rate > threshold:
            found.append(
                f"{row.capability}/{row.backend}: {row.failure_rate:.0%} of calls failed "
                f"(warning above {threshold:.0%})."
            )
    too_old = timedelta(minutes=settings.METRICS_QUEUE_AGE_WARNING_MINUTES)
    for item in metrics.stuck:
        if item.oldest_waiting and now - item.oldest_waiting > too_old:
            minutes = int((now - item.oldest_waiting).total_seconds() // 60)
            found.append(f"{item.kind}: a job has waited {minutes} minutes in the queue.")
        if item.stuck:
            found.append(f"{item.kind}: {item.stuck} stuck past the sweep's limit.")
    for user in metrics.over_budget:
        found.append(
            f"{user['user__email']} spent ${user['spent']:.2f} this month, "
            f"over their ${user['limit']:.2f} budget."
        )
    return found
