"""python manage.py sweep_stuck — what Celery beat runs every minute, once, now."""

from typing import Any

from django.core.management.base import BaseCommand

from projects.tasks import chat_reply_sweep_task
from storyboards.tasks import mood_sweep_task, scene_sweep_task

SWEEPS = {
    "chat replies": chat_reply_sweep_task,
    "mood boards and images": mood_sweep_task,
    "storyboards and scenes": scene_sweep_task,
}


class Command(BaseCommand):
    help = (
        "Fail what is stuck past every lease and retry (it gets a Retry button) and enqueue "
        "again what waited too long for its job: the sweep Celery beat runs every minute. "
        "Safe to run at any time; use it when beat is not running."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        for name, sweep in SWEEPS.items():
            failed = sweep()  # runs here, in this process, like beat's worker would
            total += failed
            self.stdout.write(f"{name}: failed {failed} stuck")
        self.stdout.write(f"Swept: {total} stuck artifact(s) marked failed.")
