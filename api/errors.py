"""Every API error as RFC 9457 problem details, with a stable `code` a client can branch on.

    {"type": "/api/problems/not_found", "title": "Not found", "status": 404,
     "code": "not_found", "detail": "No scene 12 of yours exists."}

Validation errors add `errors` (each with `loc`, `msg`, `type`). Nothing reaches Django's
HTML error pages: an unexpected exception is logged and answered as a problem with status 500.
"""

import json
import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.parser import Parser

from media_pipeline.briefs import BriefError
from media_pipeline.jobs import BACKEND_DOWN_ERRORS
from nerf.services import CaptureError
from projects.ratelimit import RateLimited
from projects.services import ProjectError
from storyboards.compositions import CompositionRefused
from storyboards.scene_services import SceneError
from storyboards.services import MoodError

logger = logging.getLogger(__name__)

PROBLEM_TYPE = "application/problem+json"
# A request body of the API is a few fields of text; anything far larger is a mistake or abuse.
MAX_BODY_BYTES = 64 * 1024
# The failures config.middleware answers 503 for on the pages (api may not import config).
RETRY_AFTER_SECONDS = 5
TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Not possible now",
    413: "Too large",
    422: "Invalid request",
    429: "Too many requests",
    500: "Server error",
    503: "Service busy",
}
# Domain refusals: the request was understood, but the object's state does not allow it.
REFUSALS = {
    SceneError: "scene_refused",
    MoodError: "mood_refused",
    CompositionRefused: "composition_refused",
    ProjectError: "project_refused",
    CaptureError: "capture_refused",
}


class BodyTooLarge(Exception):
    pass


def problem(status: int, code: str, detail: str, **extra: Any) -> HttpResponse:
    body = {
        "type": f"/api/problems/{code}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "code": code,
        "detail": detail,
        **extra,
    }
    return HttpResponse(json.dumps(body), status=status, content_type=PROBLEM_TYPE)


class LimitedJsonParser(Parser):
    """The JSON parser, refusing a body past MAX_BODY_BYTES before reading it whole."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        if max(declared, len(request.body)) > MAX_BODY_BYTES:
            raise BodyTooLarge
        return super().parse_body(request)


def install(api: NinjaAPI) -> None:
    """Answer every exception the API can meet as a problem."""
    handlers = {
        ValidationError: _validation,
        AuthenticationError: _unauthenticated,
        HttpError: _http_error,
        AuthorizationError: _http_error,
        Http404: _not_found,
        RequestDataTooBig: _too_large,
        RateLimited: _rate_limited,
        BriefError: _invalid_brief,
        **dict.fromkeys(REFUSALS, _refused),
        **dict.fromkeys(BACKEND_DOWN_ERRORS, _busy),
        Exception: _unexpected,
    }
    for exception, handler in handlers.items():
        api.add_exception_handler(exception, handler)


def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"loc": list(error.get("loc", ())), "msg": error.get("msg", ""), "type": error.get("type")}
        for error in exc.errors
    ]
    detail = "Some fields are missing or have the wrong type; see `errors`."
    return problem(422, "validation_failed", detail, errors=errors)


def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    detail = "Send `Authorization: Bearer <token>` with a live token, or sign in."
    response = problem(401, "unauthenticated", detail)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, BodyTooLarge):
        return _too_large(request, exc)
    if exc.status_code == 400 and exc.__cause__ is not None:
        return problem(400, "invalid_json", "The request body is not valid JSON.")
    if isinstance(exc, AuthorizationError):
        return problem(403, "forbidden", str(exc))
    if exc.status_code == 403:
        detail = "The CSRF check failed: send the X-CSRFToken header, or use a token."
        return problem(403, "csrf_failed", detail)
    return problem(exc.status_code, "http_error", str(exc))


def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(404, "not_found", str(exc) or "Nothing of yours has this id.")


def _too_large(request: HttpRequest, exc: Exception) -> HttpResponse:
    detail = f"The request body is larger than {MAX_BODY_BYTES // 1024} KiB; send less."
    return problem(413, "body_too_large", detail)


def _rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    response = problem(429, "rate_limited", str(exc), retry_after=exc.retry_in)
    response["Retry-After"] = str(exc.retry_in)
    return response


def _invalid_brief(request: HttpRequest, exc: BriefError) -> HttpResponse:
    return problem(422, "invalid_brief", str(exc))


def _refused(request: HttpRequest, exc: Exception) -> HttpResponse:
    code = next(code for refusal, code in REFUSALS.items() if isinstance(exc, refusal))
    return problem(409, code, str(exc))


def _busy(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.warning("API %s %s answered 503: %s", request.method, request.path, exc)
    response = problem(503, "service_busy", "The service is busy, try again in a moment.")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API %s %s failed", request.method, request.path, exc_info=exc)
    return problem(500, "server_error", "Something went wrong on our side; try again later.")
