"""State graphs: the allowed transitions of a status field, declared once as data beside its model.

    MOOD_STATES = StateGraph(Mood.Status, {IDLE: [PLANNING], PLANNING: [DRAWING, FAILED], ...})
    moved = transition(Mood.objects.filter(pk=mood.pk), MOOD_STATES, to=DONE, on_commit=push)

`transition` is the one way a status changes: a conditional UPDATE from the states declared
as sources of the target (or a subset of them), so two clicks, two tabs or a redelivered job
move a row once. It stamps `status_changed_at`, which doubles as the lease of a running job:
a row `running` for longer than its job's hard limit may be claimed again (see `claim`).
"""

from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

CHANGED_AT = "status_changed_at"


class UndeclaredTransition(ValueError):
    """A transition the graph does not declare: a bug in the caller, never a user error."""


class LeaseHeld(Exception):
    """The artifact is running under another delivery's live lease; try again in `seconds`."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"Lease held for another {seconds:.0f} s")
        self.seconds = max(1.0, seconds)


class StateGraph:
    def __init__(
        self,
        states: type[models.TextChoices],
        edges: Mapping[str, Iterable[str]],
        *,
        field: str = "status",
        changed_at: str = CHANGED_AT,
    ) -> None:
        self.states = states
        self.field = field
        self.changed_at = changed_at
        self.edges = {
            str(source): frozenset(map(str, targets)) for source, targets in edges.items()
        }
        unknown = (set(self.edges) | set().union(*self.edges.values())) - set(states.values)
        if unknown:
            raise ValueError(f"{states.__name__} has no states {sorted(unknown)}.")

    def for_field(self, field: str) -> "StateGraph":
        """The same graph over another field of the same states (a scene's text, image, clip)."""
        return StateGraph(self.states, self.edges, field=field, changed_at=self.changed_at)

    def allows(self, source: str, target: str) -> bool:
        return target in self.edges.get(source, ())

    def sources_of(self, target: str) -> list[str]:
        return [source for source, targets in self.edges.items() if target in targets]

    def pairs(self) -> list[tuple[str, str]]:
        """Every declared (source, target), for tests that walk the graph."""
        return [(source, target) for source, targets in self.edges.items() for target in targets]

    def check(self, sources: Iterable[str], target: str) -> list[str]:
        sources = [str(source) for source in sources]
        refused = [source for source in sources if not self.allows(source, target)]
        if refused:
            raise UndeclaredTransition(
                f"{self.states.__name__}: {', '.join(refused)} → {target} is not declared."
            )
        return sources


def transition(
    rows: models.QuerySet,
    graph: StateGraph,
    *,
    to: str,
    sources: Iterable[str] | None = None,
    on_commit: Callable[[], None] | None = None,
    **fields: object,
) -> int:
    """Move `rows` that are in `sources` (default: every declared source of `to`) to `to`.

    Returns how many rows moved; zero means another request or job got there first.
    """
    allowed = graph.check(graph.sources_of(to) if sources is None else sources, to)
    moved = rows.filter(**{f"{graph.field}__in": allowed}).update(
        **{graph.field: to, graph.changed_at: timezone.now()}, **fields
    )
    if moved and on_commit is not None:
        transaction.on_commit(on_commit)
    return moved


def claim(
    rows: models.QuerySet,
    graph: StateGraph,
    *,
    waiting: str,
    running: str,
    lease: timedelta,
    on_commit: Callable[[], None] | None = None,
    **fields: object,
) -> bool:
    """Take the `waiting` row to `running`, or a `running` one whose lease ran out (its worker died).

    False when the row is in neither state (done, failed, gone). Raises LeaseHeld when it is
    running under a live lease: the lease outlasts the job's hard time limit, so a live job is
    never claimed twice, and the caller tries again once the lease has run out.
    """
    graph.check([waiting, running], running)
    now = timezone.now()
    claimable = Q(**{graph.field: waiting}) | Q(
        **{graph.field: running, f"{graph.changed_at}__lt": now - lease}
    )
    if rows.filter(claimable).update(**{graph.field: running, graph.changed_at: now}, **fields):
        if on_commit is not None:
            transaction.on_commit(on_commit)
        return True
    held_since = rows.filter(**{graph.field: running}).values_list(graph.changed_at, flat=True)
    if held_since:
        raise LeaseHeld((held_since[0] + lease - now).total_seconds())
    return False


def renew(rows: models.QuerySet, graph: StateGraph, *, running: str, **fields: object) -> int:
    """Extend the lease of a running row (a long job's heartbeat), with any progress fields."""
    return rows.filter(**{graph.field: running}).update(
        **{graph.changed_at: timezone.now()}, **fields
    )
