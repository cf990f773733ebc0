"""The engine's one endpoint: Replicate calling back when a prediction finishes."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from media_pipeline import webhooks


@csrf_exempt
@login_not_required
@require_POST
def replicate_webhook(request: HttpRequest) -> HttpResponse:
    """Accept a signed prediction event; a repeated delivery is acknowledged and ignored."""
    if not webhooks.verify(request.headers, request.body):
        return HttpResponseBadRequest("Invalid webhook signature.")
    payload = webhooks.parse_prediction(request.body)
    if payload is None:
        return HttpResponseBadRequest("Expected a prediction object.")
    webhooks.deliver_prediction(payload)
    return HttpResponse(status=204)
