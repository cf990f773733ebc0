"""Provider backends chosen in settings, built once per capability (like django's `storages`).

from media_pipeline.registry import providers
providers["image"].generate(prompt=..., width=512, height=912, seed=7)
"""

from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

CAPABILITIES = ("text", "image", "video", "compositing", "audio", "cutout", "capture")


class ProviderHandler:
    def __init__(self) -> None:
        self._backends: dict[str, Any] = {}

    @cached_property
    def config(self) -> dict[str, dict[str, Any]]:
        return settings.MEDIA_PIPELINE

    def __getitem__(self, capability: str) -> Any:
        if capability not in CAPABILITIES:
            raise KeyError(f"Unknown capability {capability!r}; expected one of {CAPABILITIES}.")
        if capability not in self._backends:
            self._backends[capability] = self.create(capability)
        return self._backends[capability]

    def create(self, capability: str) -> Any:
        entry = self.config[capability]
        backend_class = import_string(entry["BACKEND"])
        return backend_class(**entry.get("OPTIONS", {}))

    def reset(self) -> None:
        self._backends.clear()
        self.__dict__.pop("config", None)


providers = ProviderHandler()


def _reset_on_settings_change(*, setting: str, **kwargs: Any) -> None:
    if setting in ("MEDIA_PIPELINE", "QUALITY_PROFILE"):
        providers.reset()


setting_changed.connect(_reset_on_settings_change)
