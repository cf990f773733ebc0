"""python manage.py usage_report --since 2025-01-01 --format csv > usage.csv"""

import csv
import re
from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.dateparse import parse_date

from media_pipeline.models import ProviderUsage
from operations.spending import month_start

PROJECT = re.compile(r"^project:(\d+)")
COLUMNS = ("user", "project", "capability", "calls", "failed", "seconds", "cost_usd")


class Command(BaseCommand):
    help = (
        "Provider usage per user, project and capability: calls, failed calls, seconds and "
        "estimated cost in US$. The period starts at --since (default: the 1st of this month) "
        "and ends before --until (default: now). --format table to read, csv for a spreadsheet."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", help="First day included (YYYY-MM-DD).")
        parser.add_argument("--until", help="First day no longer included (YYYY-MM-DD).")
        parser.add_argument("--format", choices=("table", "csv"), default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        since = _day(options["since"]) or month_start()
        usage = ProviderUsage.objects.filter(created_at__gte=since)
        if options["until"]:
            usage = usage.filter(created_at__lt=_day(options["until"]))
        rows = report_rows(usage)
        if options["format"] == "csv":
            writer = csv.writer(self.stdout)
            writer.writerow(COLUMNS)
            writer.writerows(rows)
            return
        self._table(rows, since)

    def _table(self, rows: list[tuple], since: datetime) -> None:
        self.stdout.write(f"Usage since {since:%Y-%m-%d}")
        widths = [
            max(len(str(value)) for value in column) for column in zip(COLUMNS, *rows, strict=True)
        ]
        for row in (COLUMNS, *rows):
            self.stdout.write(
                "  ".join(str(value).ljust(width) for value, width in zip(row, widths, strict=True))
            )
        total = sum((row[-1] for row in rows), Decimal(0))
        self.stdout.write(f"Total: ${total:.2f} over {sum(row[3] for row in rows)} calls")


def report_rows(usage) -> list[tuple]:
    """One row per user, project and capability; subjects of a project's storyboards fold in."""
    grouped = usage.values("user__email", "subject", "capability").annotate(
        calls=Count("id"),
        failed=Count("id", filter=~Q(outcome=ProviderUsage.Outcome.SUCCESS)),
        seconds=Sum("seconds"),
        cost=Sum("cost_estimate"),
    )
    folded: dict[tuple, list] = defaultdict(lambda: [0, 0, 0.0, Decimal(0)])
    for row in grouped:
        match = PROJECT.match(row["subject"])
        key = (row["user__email"] or "-", match[1] if match else "-", row["capability"])
        totals = folded[key]
        totals[0] += row["calls"]
        totals[1] += row["failed"]
        totals[2] += row["seconds"] or 0.0
        totals[3] += row["cost"] or Decimal(0)
    return [
        (*key, calls, failed, round(seconds, 1), cost.quantize(Decimal("0.000001")))
        for key, (calls, failed, seconds, cost) in sorted(folded.items())
    ]


def _day(value: str | None) -> datetime | None:
    if not value:
        return None
    day = parse_date(value)
    if day is None:
        raise CommandError(f"{value!r} is not a date; use YYYY-MM-DD.")
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))
