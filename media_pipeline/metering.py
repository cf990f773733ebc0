"""One ProviderUsage row per provider call: how long it took, what it cost, how it ended.

with usage_context(user_id=request.user.id, subject=f"project:{project.id}"):
    with metered("text", "openai", model="gpt-4o") as meter:
        ...
        meter.input_tokens = response.usage.prompt_tokens
"""

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction

from media_pipeline.base import ProviderError
from media_pipeline.models import ProviderUsage

logger = logging.getLogger(__name__)

MAX_ERROR_LENGTH = 500
MAX_SUBJECT_LENGTH = 60
COST_PLACES = Decimal("0.000001")
TOKENS_PER_MILLION = Decimal(1_000_000)


@dataclass(frozen=True)
class UsageContext:
    user_id: int | None = None
    subject: str = ""


@dataclass
class Meter:
    """What a backend reports about its call while it runs."""

    model: str = ""
    input_tokens: int | None = None
    output_tokens: int | None = None
    predict_seconds: float | None = None


NO_CONTEXT = UsageContext()
_current: ContextVar[UsageContext] = ContextVar("media_pipeline_usage", default=NO_CONTEXT)


@contextmanager
def usage_context(*, user_id: int | None = None, subject: str = "") -> Iterator[UsageContext]:
    """Tag every metered call made inside the block with this user and subject."""
    context = UsageContext(user_id=user_id, subject=subject[:MAX_SUBJECT_LENGTH])
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


@contextmanager
def metered(capability: str, backend: str, model: str = "") -> Iterator[Meter]:
    """Time the block and record its outcome; exceptions pass through unchanged."""
    meter = Meter(model=model)
    started = time.monotonic()
    try:
        yield meter
    except ProviderError as error:
        outcome = "permanent" if error.permanent else "retryable"
        _record(capability, backend, meter, started, outcome=outcome, error=error.message)
        raise
    except Exception as error:
        _record(
            capability,
            backend,
            meter,
            started,
            outcome="retryable",
            error=str(error) or repr(error),
        )
        raise
    _record(capability, backend, meter, started, outcome="success", error="")


def estimate_cost(backend: str, meter: Meter) -> Decimal:
    """US$ from settings.PROVIDER_PRICES: tokens for text models, billed seconds for Replicate."""
    prices = _prices_for(backend, meter.model)
    cost = Decimal(0)
    if meter.input_tokens:
        cost += (
            Decimal(meter.input_tokens) * _price(prices, "input_per_million") / TOKENS_PER_MILLION
        )
    if meter.output_tokens:
        cost += (
            Decimal(meter.output_tokens) * _price(prices, "output_per_million") / TOKENS_PER_MILLION
        )
    if meter.predict_seconds:
        cost += Decimal(str(meter.predict_seconds)) * _price(prices, "per_second")
    return cost.quantize(COST_PLACES)


def _prices_for(backend: str, model: str) -> dict[str, Any]:
    """The model's own prices (a dated snapshot uses its family's), else the backend's, else none."""
    table = getattr(settings, "PROVIDER_PRICES", {})
    if model in table:
        return table[model]
    family = max((name for name in table if model.startswith(f"{name}-")), key=len, default=None)
    return table[family] if family else table.get(backend, {})


def _price(prices: dict[str, Any], unit: str) -> Decimal:
    return Decimal(str(prices.get(unit, 0)))


def _record(
    capability: str, backend: str, meter: Meter, started: float, *, outcome: str, error: str
) -> None:
    """Write the usage row; a failure here is logged and swallowed so the call's result survives."""
    context = _current.get()
    try:
        with transaction.atomic():
            ProviderUsage.objects.create(
                capability=capability,
                backend=backend,
                model=meter.model,
                outcome=outcome,
                seconds=time.monotonic() - started,
                predict_seconds=meter.predict_seconds,
                input_tokens=meter.input_tokens,
                output_tokens=meter.output_tokens,
                cost_estimate=estimate_cost(backend, meter),
                error=error[:MAX_ERROR_LENGTH],
                user_id=context.user_id,
                subject=context.subject,
            )
    except Exception:
        logger.exception("Could not record usage of %s/%s (%s)", capability, backend, outcome)
