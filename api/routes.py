"""The API under /api/: django-ninja, its auth, its problem errors, and its URL patterns.

django-ninja rather than Django REST framework: request and response bodies are pydantic
schemas (validated, and described in the OpenAPI document from the same code), views are
plain functions that may be async (the SSE streams hold no thread), and there is far less
machinery to learn for a small API that only wraps existing services.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from ninja import NinjaAPI

from api import errors
from api.auth import API_AUTH
from api.endpoints import router

DOCS_URL_NAME = "openapi-view"

api = NinjaAPI(
    title="Reelsmith API",
    version="1",
    description=(
        "The whole flow, from a brief to a film. Authenticate with "
        "`Authorization: Bearer <token>` (make one on your account's Access tokens page)."
    ),
    auth=API_AUTH,
    parser=errors.LimitedJsonParser(),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
api.add_router("", router)
errors.install(api)


@login_not_required
def unknown(request: HttpRequest, rest: str) -> HttpResponse:
    return errors.problem(404, "not_found", f"There is no API endpoint at /api/{rest}.")


def _patterns() -> list[URLPattern]:
    """The API's patterns; all but the interactive docs answer scripts without a session."""
    patterns, _, _ = api.urls
    for pattern in patterns:
        if pattern.name != DOCS_URL_NAME:
            login_not_required(pattern.callback)
    return [*patterns, path("<path:rest>", unknown, name="unknown")]


urls = (_patterns(), "api", "api")
