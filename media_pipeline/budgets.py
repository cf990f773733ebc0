"""Monthly spending limits, checked before work that costs money is queued.

    spend_check(user_id=user.pk, estimate=estimate("scene_image").cost)   # BudgetExceeded

The engine knows no users' budgets: the app that stores them registers a provider of
"spent this month, limit, when it resets" (`register_spend_provider`). Without one, or for an
estimate of nothing (local backends), every request passes. Staff batch work may run inside
`budget_ignored()`.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

CENTS = Decimal("0.01")


@dataclass(frozen=True)
class Spend:
    spent: Decimal
    limit: Decimal
    resets_on: date


class BudgetExceeded(Exception):
    """Work refused because it would take the user past their monthly budget."""

    def __init__(self, spend: Spend, estimate: Decimal) -> None:
        self.spend = spend
        self.estimate = estimate
        super().__init__(
            f"This would cost about ${estimate.quantize(CENTS)}, and you have spent "
            f"${spend.spent.quantize(CENTS)} of your ${spend.limit.quantize(CENTS)} budget "
            f"this month. It resets on {spend.resets_on:%B} {spend.resets_on.day}; "
            "ask us to raise it if you need more sooner."
        )


SpendProvider = Callable[[int], Spend]
_provider: list[SpendProvider] = []
_ignored: ContextVar[bool] = ContextVar("media_pipeline_budget_ignored", default=False)


def register_spend_provider(provider: SpendProvider) -> None:
    """Set what `spend_check` asks for a user's spend and limit (one provider; the last wins)."""
    _provider[:] = [provider]


def spend_check(*, user_id: int, estimate: Decimal) -> None:
    """Raise BudgetExceeded when `estimate` more would take the user past their limit."""
    if estimate <= 0 or not _provider or _ignored.get():
        return
    spend = _provider[0](user_id)
    if spend.spent + estimate > spend.limit:
        raise BudgetExceeded(spend, estimate)


@contextmanager
def budget_ignored() -> Iterator[None]:
    """Skip budget checks inside the block (staff batch regeneration with --ignore-budget)."""
    token = _ignored.set(True)
    try:
        yield
    finally:
        _ignored.reset(token)
