"""Who an API request acts for: a personal access token, or the pages' own session (with CSRF).

Either way `request.user` is set, so the owner-scoped selectors the pages use scope the API
the same way; `request.access_token` is the token, when one was used.
"""

from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from api.tokens import token_authenticate


class TokenAuth(HttpBearer):
    """`Authorization: Bearer rs_…`: a live token of an active user."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = token_authenticate(token)
        if found is None:
            return None
        request.user = found.user
        request.access_token = found
        return found.user


class ActiveSessionAuth(SessionAuth):
    """The browser session, CSRF-checked on unsafe methods, of an active user."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


API_AUTH = [TokenAuth(), ActiveSessionAuth()]


def session_signed_in(session_key: str | None, user_id: int) -> bool:
    """Whether the session, read afresh, still signs in this active user (not logged out)."""
    if not session_key:
        return False
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    if store.get(SESSION_KEY) != str(user_id):
        return False
    return get_user_model().objects.filter(pk=user_id, is_active=True).exists()
