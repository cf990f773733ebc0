"""What users spent: this month's total against their budget, and each project's spend."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import DecimalField, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from media_pipeline.budgets import Spend
from operations.models import Budget, UserSpendDay


def month_start() -> timezone.datetime:
    now = timezone.localtime()
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def next_month(start: timezone.datetime) -> date:
    return (start.replace(day=28) + timezone.timedelta(days=4)).replace(day=1).date()


def default_limit() -> Decimal:
    return Decimal(str(settings.MONTHLY_BUDGET_USD))


def user_limit(user_id: int) -> Decimal:
    own = Budget.objects.filter(user_id=user_id).values_list("monthly_limit", flat=True).first()
    return default_limit() if own is None else own


def month_spend(user_id: int) -> Spend:
    """The registered spend provider of media_pipeline.budgets: the user's daily roll-ups
    this month (at most 31 rows) and their budget."""
    start = month_start()
    spent = UserSpendDay.objects.filter(user_id=user_id, day__gte=start.date()).aggregate(
        total=Coalesce(Sum("cost"), Value(0), output_field=DecimalField())
    )["total"]
    return Spend(spent=Decimal(spent), limit=user_limit(user_id), resets_on=next_month(start))
