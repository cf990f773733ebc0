"""A method the API path does not offer answers problem+json like every other API error.

django-ninja answers it with a bare `HttpResponseNotAllowed` before any exception handler
runs, so it is rewritten here, keeping the Allow header.
"""

from django.http import HttpRequest, HttpResponseBase
from django.utils.deprecation import MiddlewareMixin

from api.errors import PROBLEM_TYPE, problem

API_PREFIX = "/api/"


class ApiMethodNotAllowedMiddleware(MiddlewareMixin):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if (
            response.status_code != 405
            or not request.path.startswith(API_PREFIX)
            or response.get("Content-Type", "").startswith(PROBLEM_TYPE)
        ):
            return response
        allowed = response.get("Allow", "")
        detail = f"{request.method} is not offered here; this path takes {allowed}."
        answer = problem(405, "method_not_allowed", detail)
        answer["Allow"] = allowed
        return answer
