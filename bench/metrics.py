"""Time and query count of the admin metrics page's figures at 10⁴, 10⁵ and 10⁶ usage rows.

    createdb -h 127.0.0.1 -U postgres reelsmith_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reelsmith_bench .venv/bin/python bench/metrics.py

Rows spread over the last 60 days across 5 capabilities, 2 backends, 500 users; bulk-loaded
with COPY, which bypasses the application, so the daily roll-ups the page reads are then
rebuilt (`operations.rollups.rebuild`, timed). Each figure is the best of three runs of
`operations.metrics.metrics_for`. It also times writing one usage row the way metering
does (the row and its three roll-up upserts, in one transaction).

Results (PostgreSQL 15, 2 vCPUs; today / 7 days / 30 days, 15 queries each):
10⁴ rows 64 / 79 / 94 ms, 10⁵ rows 50 / 82 / 83 ms, 10⁶ rows 109 / 143 / 168 ms (before the
roll-ups: 1,062 / 2,497 / 5,758 ms at 10⁶). Rebuilding the roll-ups from 10⁶ rows: 14 s.
Writing a usage row with its roll-ups: 4.9 ms.
"""

import os
import random
import sys
import time
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/reelsmith_bench")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from media_pipeline.models import ProviderUsage  # noqa: E402
from operations import rollups  # noqa: E402
from operations.metrics import PERIODS, metrics_for  # noqa: E402

SIZES = (10_000, 100_000, 1_000_000)
USERS = 500
DAYS = 60
CAPABILITIES = ("text", "image", "video", "compositing", "audio")
OUTCOMES = ("success",) * 9 + ("permanent",)


def users() -> list[int]:
    model = get_user_model()
    model.objects.filter(username__startswith="bench-").delete()
    model.objects.bulk_create(
        model(username=f"bench-{n}", email=f"bench-{n}@example.com") for n in range(USERS)
    )
    return list(model.objects.filter(username__startswith="bench-").values_list("pk", flat=True))


def load(count: int, user_ids: list[int]) -> None:
    """Add rows until the table holds `count`, with COPY."""
    missing = count - ProviderUsage.objects.count()
    rng = random.Random(count)
    now = timezone.now()
    buffer = StringIO()
    for _ in range(missing):
        created = now - timezone.timedelta(seconds=rng.uniform(0, DAYS * 86400))
        capability = rng.choice(CAPABILITIES)
        backend = "openai" if capability == "text" else rng.choice(("replicate", "local"))
        user = rng.choice(user_ids)
        buffer.write(
            f"{capability}\t{backend}\t\t{rng.choice(OUTCOMES)}\t{rng.uniform(0.1, 60):.3f}\t"
            f"{rng.uniform(0, 0.05):.6f}\t\t{user}\tproject:{user}\t{created.isoformat()}\n"
        )
    buffer.seek(0)
    columns = (
        "capability, backend, model, outcome, seconds, cost_estimate, error, user_id, subject, "
        "created_at"
    )
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY media_pipeline_providerusage ({columns}) FROM STDIN") as copy:
            copy.write(buffer.read())
        cursor.execute("ANALYZE media_pipeline_providerusage")


def rebuild() -> float:
    started = time.perf_counter()
    rollups.rebuild()
    return time.perf_counter() - started


def write_cost(user_ids: list[int], count: int = 300) -> float:
    """Milliseconds to write one usage row with its roll-ups, as metering does."""
    from django.db import transaction

    started = time.perf_counter()
    for index in range(count):
        with transaction.atomic():
            ProviderUsage.objects.create(
                capability="image",
                backend="replicate",
                outcome="success",
                seconds=1 + index % 30,
                cost_estimate="0.003",
                user_id=user_ids[index % len(user_ids)],
                subject="project:1",
            )
    return (time.perf_counter() - started) / count * 1000


def measure(period: str) -> tuple[float, int]:
    best, queries = float("inf"), 0
    for _ in range(3):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            metrics_for(period)
            best = min(best, time.perf_counter() - started)
        queries = len(captured)
    return best * 1000, queries


def main() -> None:
    assert connection.vendor == "postgresql", "Run against PostgreSQL (DATABASE_URL)."
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE media_pipeline_providerusage")
    user_ids = users()
    labels = "  ".join(f"{label:>16}" for label in PERIODS.values())
    print(f"{'rows':>10}  {labels}  {'rebuild':>9}")
    for size in SIZES:
        load(size, user_ids)
        rebuilt = rebuild()
        figures = [measure(period) for period in PERIODS]
        cells = "  ".join(f"{ms:8.1f} ms {queries:2d} q" for ms, queries in figures)
        print(f"{size:>10,}  {cells}  {rebuilt:7.1f} s", flush=True)
    print(f"Writing one usage row with its roll-ups: {write_cost(user_ids):.2f} ms")


if __name__ == "__main__":
    main()
