"""Views that need Redis, for the 503 tests: each makes one real call that fails while it is down."""

import kombu.exceptions
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.urls import include, path


@login_not_required
def read_cache(request: HttpRequest) -> HttpResponse:
    return HttpResponse(str(cache.get("anything")))


@login_not_required
def enqueue(request: HttpRequest) -> HttpResponse:
    raise kombu.exceptions.OperationalError("Error 111 connecting to the broker")


urlpatterns = [
    path("cache/", read_cache),
    path("enqueue/", enqueue),
    path("", include("config.urls")),
]
