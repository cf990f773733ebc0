"""Live updates for a project's pages: events go to the project's group, partials come back.

Services and workers publish ids, never HTML. Each web process follows the projects its
sockets show (`live.feeds`) and renders the kind's registered partial once per viewer and
page, so what a page receives is exactly what its user may see. Domain apps register their
kinds (see `live.registry`):

    CHAT = live.kind("chat", page=BRIEF, render=render_chat)   # where it renders
    live.publish(project.pk, CHAT, project.pk)                  # from a service or a task

On connect a socket receives its page's snapshot, so a reconnecting page misses nothing.

Degraded mode: while the socket is down (after a few seconds' grace, or at once when it never
opened) the page polls the same snapshot every few seconds and says so. That is slower and
heavier than the push (a full snapshot render per poll) and streamed chat text arrives in
whole-message steps rather than token by token, but nothing is lost.

A socket belongs to the session that opened it: logout closes that session's sockets,
deactivation the user's, and an expired session is found within a minute; the page then
says that it is signed out and stops polling.

This app imports no domain app: they register with it, never the other way round.
"""

from live.publishing import end_session, end_user, publish, publish_append
from live.registry import Kind, authorise, kind, snapshot

__all__ = [
    "Kind",
    "authorise",
    "end_session",
    "end_user",
    "kind",
    "publish",
    "publish_append",
    "snapshot",
]
