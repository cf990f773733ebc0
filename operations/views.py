from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from operations.charts import bar_chart
from operations.metrics import DEFAULT_PERIOD, PERIODS, metrics_for


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """The staff metrics page (admin_view checks staff): `?period=today|7d|30d`."""
    period = request.GET.get("period", DEFAULT_PERIOD)
    if period not in PERIODS:
        period = DEFAULT_PERIOD
    figures = metrics_for(period)
    context = {
        **admin.site.each_context(request),
        "title": "Metrics",
        "periods": PERIODS,
        "metrics": figures,
        "chart": bar_chart(figures.days),
        "match_threshold": settings.PRODUCT_MATCH_THRESHOLD,
    }
    return render(request, "operations/metrics.html", context)
