"""When Redis or the broker cannot be reached, say "busy, try again" (503) instead of failing (500).

Sessions live in the database, so pages keep working; only the requests that need Redis (the
channel layer, enqueueing a job) are refused, with a message the page shows as a toast
(static/js/app.js) and a Retry-After for clients that honour it.

    MIDDLEWARE = [..., "config.middleware.BackendDownMiddleware", ...]   # HTTP views
    BackendDownGuard(websocket_app)                                     # WebSocket handshakes
"""

import logging
from typing import Any

import kombu.exceptions
import redis
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.deprecation import MiddlewareMixin

logger = logging.getLogger(__name__)

BACKEND_DOWN_ERRORS = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    kombu.exceptions.OperationalError,
)
BUSY_MESSAGE = "The service is busy, try again in a moment."
RETRY_AFTER_SECONDS = 5
# RFC 6455 "Try Again Later", for a socket already accepted when Redis went away.
WEBSOCKET_TRY_AGAIN_LATER = 1013


def service_busy_response(request: HttpRequest) -> HttpResponse:
    """503 with the busy message: plain text for htmx (shown as a toast), a small page otherwise."""
    if getattr(request, "htmx", False):
        response = HttpResponse(BUSY_MESSAGE, status=503, content_type="text/plain; charset=utf-8")
    else:
        html = render_to_string("503.html", {"message": BUSY_MESSAGE}, request=request)
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class BackendDownMiddleware(MiddlewareMixin):
    """Turns a view's Redis or broker connection error into service_busy_response."""

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, BACKEND_DOWN_ERRORS):
            return None
        logger.warning("%s %s answered 503: %s", request.method, request.path, exception)
        return service_busy_response(request)


class BackendDownGuard:
    """ASGI wrapper for WebSocket routes: a Redis outage closes the socket instead of a 500.

    Before the handshake is accepted the close rejects it (the page's reconnect logic tries
    again later); after, the socket closes with 1013 "try again later".
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        accepted = False

        async def tracking_send(message: dict) -> None:
            nonlocal accepted
            accepted = accepted or message["type"] == "websocket.accept"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except BACKEND_DOWN_ERRORS as error:
            logger.warning("WebSocket %s closed, Redis unreachable: %s", scope.get("path"), error)
            close = {"type": "websocket.close"}
            if accepted:
                close["code"] = WEBSOCKET_TRY_AGAIN_LATER
            await send(close)
