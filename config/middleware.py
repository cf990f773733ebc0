"""Requests that cannot be served get a clear refusal, never a 500.

- Redis or the broker unreachable: 503 "busy, try again" with Retry-After. Sessions live in
  the database, so pages keep working; only requests that need Redis (the channel layer,
  enqueueing a job) are refused.
- An upload past MAX_UPLOAD_BYTES or MAX_UPLOAD_PIXELS (media_pipeline.uploads): 413.
- Text the moderation check flagged (403) or work past the user's monthly budget (402),
  wherever a service raised it: the message says why and what to do.

htmx requests get the message as text/plain, which the page shows as a toast
(static/js/app.js); other requests get a small page.

    MIDDLEWARE = [..., "config.middleware.BackendDownMiddleware",
                  "config.middleware.UploadLimitMiddleware",     # before CsrfViewMiddleware
                  ...]
    BackendDownGuard(websocket_app)                              # WebSocket handshakes
"""

import logging
from typing import Any

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.loader import render_to_string
from django.utils.deprecation import MiddlewareMixin

from media_pipeline.budgets import BudgetExceeded
from media_pipeline.jobs import BACKEND_DOWN_ERRORS
from media_pipeline.moderation import ContentRefused
from media_pipeline.uploads import UploadRefused

logger = logging.getLogger(__name__)

BUSY_MESSAGE = "The service is busy, try again in a moment."
RETRY_AFTER_SECONDS = 5
# RFC 6455 "Try Again Later", for a socket already accepted when Redis went away.
WEBSOCKET_TRY_AGAIN_LATER = 1013


def refusal_response(
    request: HttpRequest, *, status: int, title: str, message: str
) -> HttpResponse:
    """The message as plain text for htmx (shown as a toast), as a small page otherwise."""
    if getattr(request, "htmx", False):
        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    context = {"title": title, "message": message}
    return HttpResponse(render_to_string("refused.html", context, request=request), status=status)


def service_busy_response(request: HttpRequest) -> HttpResponse:
    response = refusal_response(request, status=503, title="One moment", message=BUSY_MESSAGE)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class BackendDownMiddleware(MiddlewareMixin):
    """Turns a view's Redis or broker connection error into service_busy_response."""

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, BACKEND_DOWN_ERRORS):
            return None
        logger.warning("%s %s answered 503: %s", request.method, request.path, exception)
        return service_busy_response(request)


class RequestRefusedMiddleware(MiddlewareMixin):
    """Turns a service's ContentRefused or BudgetExceeded into a polite refusal."""

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, ContentRefused):
            return refusal_response(
                request, status=403, title="Please rephrase", message=str(exception)
            )
        if isinstance(exception, BudgetExceeded):
            return refusal_response(
                request, status=402, title="Monthly budget reached", message=str(exception)
            )
        return None


class UploadLimitMiddleware(MiddlewareMixin):
    """Reads the request body before the CSRF check and the view, answering 413 past a limit.

    The limits are enforced while the body is parsed (LimitedUploadHandler); parsing here,
    first, lets one place turn a refusal into a response, whoever reads the body later.
    """

    def process_view(self, request: HttpRequest, *args: Any) -> HttpResponse | None:
        if request.method != "POST" or not request.content_type.startswith("multipart/"):
            return None
        try:
            request.POST  # noqa: B018 (parses the body, files included)
        except UploadRefused as refused:
            logger.info("Refused an upload to %s: %s", request.path, refused)
            return refusal_response(request, status=413, title="Too large", message=str(refused))
        return None


class SecurityHeadersMiddleware(CSPMiddleware):
    """django-csp's policy (settings.CONTENT_SECURITY_POLICY) plus Permissions-Policy.

    connect-src gains ws:// and wss:// of the host the page was served from: 'self' covers
    WebSockets only in newer browsers, and the host (with its port) is known per request.
    """

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        try:
            host = request.get_host()
        except DisallowedHost:
            return parts
        parts.update = {**(parts.update or {}), "connect-src": [f"ws://{host}", f"wss://{host}"]}
        return parts

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return super().process_response(request, response)


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
