"""Personal access tokens: made, listed, revoked on the account page; checked on each API call.

A token is `rs_` and 43 random URL-safe characters. Only its SHA-256 is stored (a fast hash
is enough for a secret this long: there is nothing to guess), so a database leak gives away
no token. The secret is returned once, by `token_create`, and never again.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from api.models import AccessToken

SECRET_PREFIX = "rs_"
PREFIX_LENGTH = 10
# Stamping last use on every call would be a write per request; once a minute says enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_create(
    *, user: AbstractBaseUser, name: str, expires_at: datetime | None = None
) -> tuple[AccessToken, str]:
    """A new token and its secret, which the caller shows once."""
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = AccessToken.objects.create(
        user=user,
        name=name.strip() or "Token",
        digest=_digest(secret),
        prefix=secret[:PREFIX_LENGTH],
        expires_at=expires_at,
    )
    return token, secret


def token_revoke(*, token: AccessToken) -> None:
    AccessToken.objects.filter(pk=token.pk, revoked_at=None).update(revoked_at=timezone.now())


def _live_tokens() -> QuerySet[AccessToken]:
    now = timezone.now()
    unexpired = Q(expires_at=None) | Q(expires_at__gt=now)
    return AccessToken.objects.filter(unexpired, revoked_at=None, user__is_active=True)


def token_authenticate(secret: str) -> AccessToken | None:
    """The live token with this secret (its user active), or None; stamps its last use."""
    token = _live_tokens().select_related("user").filter(digest=_digest(secret)).first()
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def token_is_live(token_id: int) -> bool:
    return _live_tokens().filter(pk=token_id).exists()


def token_list_for_user(user: AbstractBaseUser | AnonymousUser) -> QuerySet[AccessToken]:
    if not user.is_authenticated:
        return AccessToken.objects.none()
    return AccessToken.objects.filter(user=user)


def token_get_for_user(user: AbstractBaseUser | AnonymousUser, token_id: int) -> AccessToken:
    return get_object_or_404(token_list_for_user(user), pk=token_id)
