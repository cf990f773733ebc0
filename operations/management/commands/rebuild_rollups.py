"""python manage.py rebuild_rollups — recompute the metrics page's daily roll-ups from the ledger."""

import time
from typing import Any

from django.core.management.base import BaseCommand

from operations import rollups
from operations.models import UsageDay, UsageDuration, UserSpendDay


class Command(BaseCommand):
    help = (
        "Recompute the daily usage roll-ups that the admin's metrics page reads (calls, cost and "
        "durations per capability and backend, spend per user) from the ProviderUsage ledger. "
        "They are kept up to date as calls are metered; run this after loading usage rows in "
        "bulk (COPY, a restore) that bypassed the application."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        rollups.rebuild()
        counts = ", ".join(
            f"{model._meta.verbose_name_plural}: {model.objects.count()} rows"
            for model in (UsageDay, UsageDuration, UserSpendDay)
        )
        self.stdout.write(f"Rebuilt in {time.perf_counter() - started:.1f} s: {counts}.")
