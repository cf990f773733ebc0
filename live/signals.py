"""Ending a session ends its live updates: logout closes its sockets, deactivation the user's."""

from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.db.models.signals import post_save
from django.http import HttpRequest

from live.publishing import end_session, end_user


def connect() -> None:
    user_logged_out.connect(_logged_out, dispatch_uid="live-logged-out")
    post_save.connect(_user_saved, sender=settings.AUTH_USER_MODEL, dispatch_uid="live-user-saved")


def _logged_out(sender: Any, request: HttpRequest, **kwargs: Any) -> None:
    # Sent before the session is flushed, so its key still names the sockets it opened.
    session_key = request.session.session_key
    if session_key:
        end_session(session_key)


def _user_saved(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    if instance.is_active or (update_fields and "is_active" not in update_fields):
        return
    transaction.on_commit(partial(end_user, instance.pk))
