"""python manage.py regenerate --kind scene-images [--user …] [--project …] [--dry-run] [--wait]"""

import time
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from rich.console import Console
from rich.progress import Progress

from media_pipeline.budgets import BudgetExceeded, budget_ignored
from media_pipeline.estimates import estimate
from operations.regeneration import KINDS, REFUSALS, Kind
from projects.ratelimit import RateLimited

POLL_SECONDS = 1.0
RATE_LIMIT_PATIENCE = 3


class Command(BaseCommand):
    help = (
        "Start again artifacts that failed (or, with --status done, that finished), through the "
        "same services as the pages: the same guards, metering, rate limits and budgets. "
        "Try --dry-run first: it lists what would start and its estimated cost. "
        "Example: manage.py regenerate --kind scene-images --user ann@example.com --wait"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", required=True, choices=sorted(KINDS), help="What to redo.")
        parser.add_argument(
            "--status",
            default="failed",
            choices=("failed", "done"),
            help="Redo failed artifacts (default) or finished ones.",
        )
        parser.add_argument("--user", help="Only this owner's artifacts (email or user id).")
        parser.add_argument("--project", type=int, help="Only this project's artifacts (its id).")
        parser.add_argument(
            "--since", help="Only artifacts whose status changed since this date (YYYY-MM-DD)."
        )
        parser.add_argument("--limit", type=int, help="At most this many artifacts.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List what would start and its cost; start nothing.",
        )
        parser.add_argument(
            "--wait",
            action="store_true",
            help="Wait for the jobs with a progress bar; exit 1 if any failed.",
        )
        parser.add_argument(
            "--ignore-budget",
            action="store_true",
            help="Start even past the owners' monthly budgets (staff decision; still metered).",
        )
        parser.add_argument(
            "--timeout", type=float, default=1800, help="Seconds --wait waits at most (1800)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        kind = KINDS[options["kind"]]
        artifacts = kind.selected(
            status=options["status"],
            user=options["user"],
            project=options["project"],
            since=_since(options["since"]),
            limit=options["limit"],
        )
        unit = estimate(kind.estimate)
        cost = estimate(kind.estimate, count=len(artifacts)).label
        if options["dry_run"]:
            for artifact in artifacts:
                self.stdout.write(f"would start {self._describe(kind, artifact)}  {unit.label}")
            self.stdout.write(f"{len(artifacts)} to start, {cost} in all. Nothing was started.")
            return
        started, refused = self._start_all(kind, artifacts, ignore_budget=options["ignore_budget"])
        self.stdout.write(f"Started {len(started)}, refused {len(refused)} ({cost} estimated).")
        failed = self._wait(kind, started, options["timeout"]) if options["wait"] else []
        self._summary(kind, started, refused, failed, waited=options["wait"])

    def _start_all(
        self, kind: Kind, artifacts: list, *, ignore_budget: bool
    ) -> tuple[list[int], list[tuple[Any, str]]]:
        started, refused = [], []
        for artifact in artifacts:
            try:
                if ignore_budget:
                    with budget_ignored():
                        self._start(kind, artifact)
                else:
                    self._start(kind, artifact)
            except (*REFUSALS, BudgetExceeded, RateLimited) as error:
                refused.append((artifact, str(error)))
                self.stderr.write(f"refused {self._describe(kind, artifact)}: {error}")
            else:
                started.append(artifact.pk)
        return started, refused

    def _start(self, kind: Kind, artifact: Any) -> None:
        """Start one; a rate limit (the owner's, shared with the pages) is waited out."""
        for _ in range(RATE_LIMIT_PATIENCE):
            try:
                kind.start(artifact)
                return
            except RateLimited as limited:
                self.stdout.write(f"rate limited, waiting {limited.retry_in} s")
                time.sleep(limited.retry_in)
        kind.start(artifact)

    def _wait(self, kind: Kind, ids: list[int], timeout: float) -> list[int]:
        """Poll the artifacts' statuses until none is in flight; the ids that did not finish."""
        deadline = time.monotonic() + timeout
        console = Console(file=self.stdout, force_terminal=False)
        with Progress(console=console, transient=False) as progress:
            bar = progress.add_task("regenerating", total=len(ids))
            while True:
                statuses = kind.statuses(ids)
                waiting = [pk for pk, status in statuses.items() if status in kind.in_flight]
                progress.update(bar, completed=len(ids) - len(waiting))
                if not waiting or time.monotonic() > deadline:
                    break
                time.sleep(POLL_SECONDS)
        return [pk for pk, status in kind.statuses(ids).items() if status not in kind.succeeded]

    def _summary(self, kind, started, refused, failed, *, waited: bool) -> None:
        if waited:
            self.stdout.write(f"Done {len(started) - len(failed)}, failed {len(failed)}.")
        if failed or refused:
            raise CommandError(
                f"{len(failed)} failed and {len(refused)} refused; see the messages above."
            )

    def _describe(self, kind: Kind, artifact: Any) -> str:
        project = kind.project_of(artifact)
        return f"{artifact._meta.verbose_name} {artifact.pk} of project {project.pk} ({project.owner.email})"


def _since(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = parse_datetime(value) or (
        datetime.combine(day, datetime.min.time()) if (day := parse_date(value)) else None
    )
    if parsed is None:
        raise CommandError(f"--since {value!r} is not a date; use YYYY-MM-DD.")
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed
