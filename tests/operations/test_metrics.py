import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from operations.metrics import metrics_for, queue_depths
from operations.models import Budget
from storyboards.models import Composition, GenerationStatus, Scene
from tests.factories import CompositionFactory, SceneFactory, UserFactory
from tests.operations.conftest import usage

pytestmark = pytest.mark.django_db


def test_capability_rows_count_started_done_failed_cost_and_percentiles():
    for seconds in range(1, 11):  # 1..10 s, the 10th failed
        outcome = "permanent" if seconds == 10 else "success"
        usage(seconds=float(seconds), outcome=outcome, cost="0.10")
    usage(capability="text", backend="openai", seconds=2.0, cost="0.01")
    rows = {(row.capability, row.backend): row for row in metrics_for("today").rows}
    image = rows["image", "replicate"]
    assert (image.started, image.done, image.failed) == (10, 9, 1)
    assert image.cost == Decimal("1.00")
    assert image.failure_rate == 0.1
    # Percentiles are read from 2% duration buckets: within 1% of the exact figures.
    assert (image.p50, image.p95) == (pytest.approx(5.0, rel=0.01), pytest.approx(10.0, rel=0.01))
    text = rows["text", "openai"]
    assert (text.started, text.cost) == (1, Decimal("0.01"))
    assert text.p50 == text.p95 == pytest.approx(2.0, rel=0.01)


def test_periods_leave_out_older_rows():
    usage(ago=timedelta(days=3))
    usage(ago=timedelta(days=20))
    usage(ago=timedelta(days=40))
    assert metrics_for("today").totals["started"] == 0
    assert metrics_for("7d").totals["started"] == 1
    assert metrics_for("30d").totals["started"] == 2


def test_daily_generations_active_users_and_top_spenders():
    alice, bob = UserFactory(email="alice@example.com"), UserFactory(email="bob@example.com")
    usage(user=alice, cost="2.00", ago=timedelta(days=1))
    usage(user=alice, cost="1.00", outcome="retryable", ago=timedelta(days=1))
    usage(user=bob, cost="0.50")
    usage(user=None, cost="0.25")
    figures = metrics_for("7d")
    assert figures.totals["active_users"] == 2
    assert [(day.started, day.failed) for day in figures.days] == [(0, 0)] * 5 + [(2, 1), (2, 0)]
    assert figures.days[-1].day == timezone.localdate()
    assert [(row["user__email"], row["spent"]) for row in figures.top_spenders] == [
        ("alice@example.com", Decimal("3.00")),
        ("bob@example.com", Decimal("0.50")),
    ]


def test_film_figures_count_success_rate_and_render_time():
    started = timezone.now() - timedelta(minutes=5)
    complete = CompositionFactory(status=Composition.Status.COMPLETE)
    Composition.objects.filter(pk=complete.pk).update(
        created_at=started, status_changed_at=started + timedelta(seconds=90)
    )
    CompositionFactory(status=Composition.Status.ERROR)
    CompositionFactory(status=Composition.Status.PROCESSING)
    films = metrics_for("today").films
    assert (films["count"], films["complete"], films["failed"]) == (3, 1, 1)
    assert films["success_rate"] == 0.5
    assert films["render_time"] == timedelta(seconds=90)


def test_placement_figures_count_average_lowest_and_low_scores(settings):
    settings.PRODUCT_MATCH_THRESHOLD = 0.5
    for score in (0.9, 0.7, 0.2):
        SceneFactory(product_match=score)
    SceneFactory(product_match=None)
    old = SceneFactory(product_match=0.1)
    Scene.objects.filter(pk=old.pk).update(status_changed_at=timezone.now() - timedelta(days=3))
    placements = metrics_for("today").placements
    assert (placements["count"], placements["low"]) == (3, 1)
    assert placements["average"] == pytest.approx(0.6)
    assert placements["lowest"] == 0.2
    assert metrics_for("7d").placements["count"] == 4


def test_stuck_artifacts_and_warnings(settings):
    settings.METRICS_FAILURE_RATE_WARNING = 0.2
    settings.METRICS_QUEUE_AGE_WARNING_MINUTES = 10
    long_ago = timezone.now() - timedelta(minutes=30)
    scene = SceneFactory(image_status=GenerationStatus.QUEUED)
    Scene.objects.filter(pk=scene.pk).update(status_changed_at=long_ago)
    SceneFactory(image_status=GenerationStatus.QUEUED)
    usage(outcome="permanent")
    spender = UserFactory(email="big@example.com")
    Budget.objects.create(user=spender, monthly_limit=Decimal("1.00"))
    usage(user=spender, cost="1.50", ago=timedelta(seconds=1))
    figures = metrics_for("today")
    scenes = next(item for item in figures.stuck if item.kind == "Scenes")
    assert scenes.stuck == 1
    assert scenes.oldest_waiting == long_ago
    assert figures.warnings == [
        "image/replicate: 50% of calls failed (warning above 20%).",
        "Scenes: a job has waited 30 minutes in the queue.",
        "Scenes: 1 stuck past the sweep's limit.",
        "big@example.com spent $1.50 this month, over their $1.00 budget.",
    ]


def test_page_is_staff_only(client, user):
    client.force_login(user)
    response = client.get(reverse("admin:metrics"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_page_shows_the_figures_and_is_linked_from_the_index(staff_client):
    usage(capability="video", backend="replicate", seconds=4.0, cost="0.42")
    index = staff_client.get(reverse("admin:index"))
    assert reverse("admin:metrics") in index.content.decode()
    page = staff_client.get(reverse("admin:metrics"), {"period": "7d"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "<td>video</td><td>replicate</td><td>1</td><td>1</td><td>0</td>" in html
    assert "$0.42" in html
    assert 'id="metrics-daily"' in html
    assert "No product was placed into a scene in this period." in html


def _page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("admin:metrics"), {"period": "30d"}).status_code == 200
    return len(queries)


def test_page_query_count_does_not_grow_with_usage_rows(staff_client):
    users = [UserFactory() for _ in range(3)]
    for index in range(5):
        usage(user=users[index % 3], seconds=index, ago=timedelta(days=index))
    few = _page_queries(staff_client)
    for index in range(60):
        capability = ("text", "image", "video")[index % 3]
        usage(capability=capability, user=users[index % 3], ago=timedelta(days=index % 20))
    assert _page_queries(staff_client) == few


@pytest.fixture
def fresh_queues(monkeypatch):
    """Two queue names of this test's own on the app's broker: (empty, full)."""
    names = (f"test-empty-{uuid.uuid4().hex}", f"test-full-{uuid.uuid4().hex}")
    monkeypatch.setattr("operations.metrics.QUEUES", names)
    return names


def test_queue_depths_count_waiting_messages_and_read_an_empty_queue_as_zero(fresh_queues):
    from celery import current_app

    empty, full = fresh_queues
    with current_app.connection_for_write() as connection:
        waiting = connection.SimpleQueue(full)
        for number in range(3):
            waiting.put({"job": number})
        depths = {queue.name: queue.depth for queue in queue_depths()}
        waiting.queue.delete()
        waiting.close()
    assert depths == {empty: 0, full: 3}


def test_queue_depths_say_none_when_the_broker_does_not_answer(fresh_queues, monkeypatch):
    from celery import current_app

    monkeypatch.setitem(current_app.conf, "broker_read_url", "redis://127.0.0.1:1/0")
    assert [queue.depth for queue in queue_depths()] == [None, None]
