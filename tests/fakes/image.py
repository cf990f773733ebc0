"""Image backends for the Mood tests: the local drawing, slowed down or failing on cue."""

import threading
import time

from media_pipeline.backends.local_image import LocalImageBackend
from media_pipeline.base import StoredMedia


class ScriptedImageBackend(LocalImageBackend):
    """Sleeps `delay` seconds per call, raises the queued `errors` one per call, then draws.

    `most_at_once` records how many calls were in flight together: the parallelism a worker
    really gave, observed rather than inferred from timings.
    """

    def __init__(self, *, delay: float = 0.0, **options) -> None:
        super().__init__(**options)
        self.delay = delay
        self.errors: list[Exception] = []
        self.calls = 0
        self.in_flight = 0
        self.most_at_once = 0
        self._lock = threading.Lock()

    def generate(self, **kwargs) -> list[StoredMedia]:
        with self._lock:
            self.calls += 1
            self.in_flight += 1
            self.most_at_once = max(self.most_at_once, self.in_flight)
        try:
            if self.delay:
                time.sleep(self.delay)
            if self.errors:
                raise self.errors.pop(0)
            return super().generate(**kwargs)
        finally:
            with self._lock:
                self.in_flight -= 1
