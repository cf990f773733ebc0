"""Image backends for the Mood tests: the local drawing, slowed down or failing on cue."""

import time

from media_pipeline.backends.local_image import LocalImageBackend
from media_pipeline.base import StoredMedia


class ScriptedImageBackend(LocalImageBackend):
    """Sleeps `delay` seconds per call, raises the queued `errors` one per call, then draws."""

    def __init__(self, *, delay: float = 0.0, **options) -> None:
        super().__init__(**options)
        self.delay = delay
        self.errors: list[Exception] = []
        self.calls = 0

    def generate(self, **kwargs) -> list[StoredMedia]:
        self.calls += 1
        if self.delay:
            time.sleep(self.delay)
        if self.errors:
            raise self.errors.pop(0)
        return super().generate(**kwargs)
