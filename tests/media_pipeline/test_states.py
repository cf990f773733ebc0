"""The state graphs: every declared transition happens once, undeclared ones are refused."""

from datetime import timedelta

import pytest
from django.utils import timezone

from media_pipeline.states import LeaseHeld, UndeclaredTransition, claim, renew, transition
from projects.models import REPLY_STATES, ChatMessage
from storyboards.models import (
    ARTIFACT_STATES,
    COMPOSITION_STATES,
    MOOD_STATES,
    SCENE_IMAGE_STATES,
    SCENE_TEXT_STATES,
    SCENE_VIDEO_STATES,
    STORYBOARD_STATES,
    Composition,
    Mood,
    Scene,
    Storyboard,
)
from tests.factories import (
    ChatMessageFactory,
    MoodFactory,
    MoodImageFactory,
    SceneFactory,
    StoryboardFactory,
)

pytestmark = pytest.mark.django_db


def composition_factory(**fields):
    return Composition.objects.create(storyboard=StoryboardFactory(), **fields)


# (graph, a factory making a row in a given state, the model) for every status field.
GRAPHS = {
    "reply": (REPLY_STATES, lambda state: ChatMessageFactory(role="assistant", status=state)),
    "mood": (MOOD_STATES, lambda state: MoodFactory(status=state)),
    "mood image": (ARTIFACT_STATES, lambda state: MoodImageFactory(status=state)),
    "storyboard": (STORYBOARD_STATES, lambda state: StoryboardFactory(status=state)),
    "scene text": (SCENE_TEXT_STATES, lambda state: SceneFactory(text_status=state)),
    "scene image": (SCENE_IMAGE_STATES, lambda state: SceneFactory(image_status=state)),
    "scene video": (SCENE_VIDEO_STATES, lambda state: SceneFactory(video_status=state)),
    "composition": (COMPOSITION_STATES, lambda state: composition_factory(status=state)),
}


def _graph(name):
    return GRAPHS[name]


def _edges(refused: bool):
    cases = []
    for name in GRAPHS:
        graph, _ = _graph(name)
        states = graph.states.values
        for source in states:
            for target in states:
                if graph.allows(source, target) != refused:
                    cases.append(
                        pytest.param(name, source, target, id=f"{name}:{source}->{target}")
                    )
    return cases


@pytest.mark.parametrize(("name", "source", "target"), _edges(refused=False))
def test_every_declared_transition_moves_the_row_once(name, source, target):
    graph, make = _graph(name)
    row = make(source)
    rows = type(row).objects.filter(pk=row.pk)
    before = rows.values_list(graph.changed_at, flat=True).get()

    assert transition(rows, graph, to=target, sources=[source]) == 1

    moved_to, changed_at = rows.values_list(graph.field, graph.changed_at).get()
    assert moved_to == target and changed_at >= before
    if source != target:
        assert transition(rows, graph, to=target, sources=[source]) == 0


@pytest.mark.parametrize(("name", "source", "target"), _edges(refused=True))
def test_every_undeclared_transition_is_refused(name, source, target):
    graph, make = _graph(name)
    row = make(source)
    rows = type(row).objects.filter(pk=row.pk)

    with pytest.raises(UndeclaredTransition):
        transition(rows, graph, to=target, sources=[source])

    assert rows.values_list(graph.field, flat=True).get() == source


def test_a_transition_from_every_declared_source_moves_only_rows_in_those_sources():
    done = MoodFactory(status=Mood.Status.DONE)
    drawing = MoodFactory(status=Mood.Status.DRAWING)
    rows = Mood.objects.filter(pk__in=[done.pk, drawing.pk])

    assert transition(rows, MOOD_STATES, to=Mood.Status.PLANNING) == 1

    assert Mood.objects.get(pk=done.pk).status == Mood.Status.PLANNING
    assert Mood.objects.get(pk=drawing.pk).status == Mood.Status.DRAWING


def test_claim_takes_a_waiting_row_once_then_refuses_while_the_lease_lives():
    reply = ChatMessageFactory(role="assistant", status=ChatMessage.Status.PENDING)
    rows = ChatMessage.objects.filter(pk=reply.pk)
    lease = timedelta(minutes=4)
    kwargs = {"waiting": "pending", "running": "streaming", "lease": lease}

    assert claim(rows, REPLY_STATES, **kwargs) is True
    with pytest.raises(LeaseHeld) as held:
        claim(rows, REPLY_STATES, **kwargs)

    assert 235 < held.value.seconds <= 240


def test_claim_takes_back_a_running_row_whose_lease_ran_out():
    expired = timezone.now() - timedelta(minutes=5)
    reply = ChatMessageFactory(role="assistant", status="streaming", status_changed_at=expired)
    rows = ChatMessage.objects.filter(pk=reply.pk)

    assert claim(
        rows, REPLY_STATES, waiting="pending", running="streaming", lease=timedelta(minutes=4)
    )
    assert rows.get().status_changed_at > expired


def test_claim_of_a_finished_row_is_false():
    reply = ChatMessageFactory(role="assistant", status=ChatMessage.Status.DONE)
    rows = ChatMessage.objects.filter(pk=reply.pk)

    assert not claim(rows, REPLY_STATES, waiting="pending", running="streaming", lease=timedelta(1))


def test_renew_extends_only_a_running_lease():
    long_ago = timezone.now() - timedelta(hours=1)
    running = composition_factory(status="processing", status_changed_at=long_ago)
    failed = composition_factory(status="error", status_changed_at=long_ago)
    rows = Composition.objects.filter(pk__in=[running.pk, failed.pk])

    assert renew(rows, COMPOSITION_STATES, running="processing", progress=40) == 1

    running.refresh_from_db()
    failed.refresh_from_db()
    assert running.progress == 40 and running.status_changed_at > long_ago
    assert failed.status_changed_at == long_ago


def test_a_graph_naming_a_state_its_model_lacks_is_refused_at_once():
    from media_pipeline.states import StateGraph

    with pytest.raises(ValueError, match="no states"):
        StateGraph(Storyboard.Status, {"generating": ["published"]})


def test_scene_graphs_change_only_their_own_field():
    scene = SceneFactory()
    rows = Scene.objects.filter(pk=scene.pk)

    transition(rows, SCENE_IMAGE_STATES, to="queued")

    assert rows.values_list("text_status", "image_status", "video_status").get() == (
        "idle",
        "queued",
        "idle",
    )
