"""What each live push renders, what a page's snapshot holds, and who may follow a project.

Domain apps declare their kinds where they render them, in a module imported from their
AppConfig.ready(), and publish the constant, so "who renders this push?" is one hop away:

    CHAT = live.kind("chat", page=BRIEF, render=render_chat)    # projects/live.py
    live.snapshot(BRIEF, render_brief_page)                      # one region of the snapshot
    live.authorise(project_is_theirs)                            # who may join a project's group
    live.publish(project.pk, CHAT, project.pk)                   # projects/services.py
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    User = AbstractBaseUser | AnonymousUser
else:
    User = Any

# (user, object id) -> the object's partial as out-of-band HTML, or "" when the user may not see it.
Render = Callable[[User, int], str]
# (user, project id) -> one region of a page as out-of-band HTML, or "".
SnapshotRender = Callable[[User, int], str]
Authorise = Callable[[User, int], bool]


@dataclass(frozen=True)
class Kind:
    """A kind of push: the page (a step) whose region it redraws, and what draws it."""

    name: str
    page: str
    render: Render


logger = logging.getLogger(__name__)

_kinds: dict[str, Kind] = {}
_snapshots: list[tuple[str, SnapshotRender]] = []
_authorise: list[Authorise] = []


def kind(name: str, *, page: str, render: Render) -> Kind:
    """Register a kind of push and return it, to be kept as the module's constant."""
    declared = Kind(name=name, page=page, render=render)
    if _kinds.setdefault(name, declared) != declared:
        raise ImproperlyConfigured(f"The live kind {name!r} is declared twice; rename one.")
    return _kinds[name]


def snapshot(page: str, render: SnapshotRender) -> None:
    """Add a region to `page`'s snapshot, sent on connect and polled while the socket is down."""
    if (page, render) not in _snapshots:
        _snapshots.append((page, render))


def authorise(check: Authorise) -> Authorise:
    """Set who may follow a project's pages: `check(user, project_id)` for a signed-in user."""
    _authorise[:] = [check]
    return check


def may_follow(user: User, project_id: int) -> bool:
    # Nobody may follow anything until a domain app says who may.
    if user is None or not user.is_authenticated or not _authorise:
        return False
    return _authorise[0](user, project_id)


def kind_for_page(name: str, page: str) -> Kind | None:
    """The kind a `page` draws, or None when that page does not show it."""
    declared = _kinds.get(name)
    if declared is None:
        logger.warning("No live kind is declared as %r", name)
        return None
    return declared if declared.page == page else None


def snapshot_html(user: User, project_id: int, page: str) -> str:
    return "".join(render(user, project_id) for for_page, render in _snapshots if for_page == page)
