import csv
import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from media_pipeline.base import ProviderError
from media_pipeline.models import ProviderUsage
from storyboards.models import Composition, GenerationStatus, Mood, Scene
from tests.factories import (
    CompositionFactory,
    MoodFactory,
    SceneFactory,
    StoryboardFactory,
    UserFactory,
)
from tests.operations.conftest import usage

FAILED = GenerationStatus.FAILED
DONE = GenerationStatus.DONE


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def failed_images(count: int, *, owner=None) -> list[Scene]:
    storyboard = StoryboardFactory(is_current=True, **({"project__owner": owner} if owner else {}))
    return [
        SceneFactory(
            storyboard=storyboard,
            position=index,
            state=Scene.State.IMAGE,
            text_status=DONE,
            image_status=FAILED,
        )
        for index in range(count)
    ]


@pytest.mark.django_db
def test_regenerate_dry_run_lists_and_costs_and_starts_nothing():
    scenes = failed_images(2)
    SceneFactory(state=Scene.State.IMAGE, text_status=DONE, image_status=DONE)
    output = run("regenerate", "--kind", "scene-images", "--dry-run")
    assert output.count("would start scene") == 2
    assert f"scene {scenes[0].pk} of project" in output
    assert "2 to start, free (local) in all. Nothing was started." in output
    assert set(Scene.objects.values_list("image_status", flat=True)) == {FAILED, DONE}


@pytest.mark.django_db
def test_regenerate_dry_run_prices_real_backends(settings):
    settings.MEDIA_PIPELINE = {
        **settings.MEDIA_PIPELINE,
        "image": {"BACKEND": "media_pipeline.backends.replicate_media.ReplicateImageBackend"},
    }
    failed_images(3)
    output = run("regenerate", "--kind", "scene-images", "--dry-run")
    # 15 steps × 0.08 s × $0.000725 a second, three times.
    assert "3 to start, < $0.01 in all." in output


@pytest.mark.django_db
def test_regenerate_filters_by_user_project_since_and_limit():
    ann = UserFactory(email="ann@example.com")
    mine = failed_images(3, owner=ann)
    failed_images(2)
    assert (
        run("regenerate", "--kind", "scene-images", "--user", "ann@example.com", "--dry-run").count(
            "would start"
        )
        == 3
    )
    project = mine[0].storyboard.project_id
    assert (
        run(
            "regenerate",
            "--kind",
            "scene-images",
            "--project",
            str(project),
            "--limit",
            "1",
            "--dry-run",
        ).count("would start")
        == 1
    )
    Scene.objects.filter(pk=mine[0].pk).update(status_changed_at=timezone.now() - timedelta(days=5))
    since = (timezone.now() - timedelta(days=1)).date().isoformat()
    assert (
        run(
            "regenerate",
            "--kind",
            "scene-images",
            "--user",
            str(ann.pk),
            "--since",
            since,
            "--dry-run",
        ).count("would start")
        == 2
    )


@pytest.mark.slow
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_regenerate_waits_for_a_real_worker_and_summarises(io_worker):
    scenes = failed_images(2)
    output = run("regenerate", "--kind", "scene-images", "--wait")
    assert "Started 2, refused 0" in output
    assert "Done 2, failed 0." in output
    assert list(
        Scene.objects.filter(pk__in=[s.pk for s in scenes]).values_list("image_status", flat=True)
    ) == [DONE, DONE]
    assert ProviderUsage.objects.filter(capability="image", outcome="success").count() == 2


@pytest.mark.slow
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_regenerate_exits_non_zero_when_a_job_fails(io_worker, image_backend):
    failed_images(1)
    image_backend.errors.append(ProviderError("Refused by the model.", permanent=True))
    with pytest.raises(CommandError, match="1 failed and 0 refused"):
        run("regenerate", "--kind", "scene-images", "--wait")
    assert Scene.objects.get().image_status == FAILED


@pytest.mark.django_db
def test_regenerate_moods_and_films_go_through_their_services():
    mood = MoodFactory(status=Mood.Status.FAILED)
    film = CompositionFactory(status=Composition.Status.CANCELLED)
    run("regenerate", "--kind", "moods")
    restarted = Mood.objects.get(pk=mood.pk)
    assert (restarted.status, restarted.variation) == (Mood.Status.PLANNING, mood.variation + 1)
    assert "Started 1, refused 0" in run("regenerate", "--kind", "compositions")
    assert Composition.objects.get(pk=film.pk).status == Composition.Status.PENDING


@pytest.mark.django_db
def test_sweep_stuck_fails_what_is_stuck_and_leaves_the_rest():
    stuck = SceneFactory(image_status=GenerationStatus.RUNNING, state=Scene.State.IMAGE)
    fresh = SceneFactory(image_status=GenerationStatus.RUNNING, state=Scene.State.IMAGE)
    Scene.objects.filter(pk=stuck.pk).update(status_changed_at=timezone.now() - timedelta(hours=1))
    output = run("sweep_stuck")
    assert "storyboards and scenes: failed 1 stuck" in output
    assert "Swept: 1 stuck artifact(s) marked failed." in output
    assert Scene.objects.get(pk=stuck.pk).image_status == FAILED
    assert Scene.objects.get(pk=fresh.pk).image_status == GenerationStatus.RUNNING


@pytest.mark.django_db
def test_usage_report_groups_per_user_project_and_capability():
    ann = UserFactory(email="ann@example.com")
    usage(user=ann, subject="project:7", capability="image", cost="0.10", seconds=2)
    usage(
        user=ann,
        subject="project:7:storyboard:3",
        capability="image",
        cost="0.20",
        outcome="permanent",
        seconds=3,
    )
    usage(user=ann, subject="project:7", capability="text", cost="0.01")
    usage(user=None, subject="generate_sample", capability="video", cost="0")
    usage(user=ann, subject="project:7", cost="9", ago=timedelta(days=60))
    since = (timezone.now() - timedelta(days=2)).date().isoformat()
    rows = list(csv.reader(io.StringIO(run("usage_report", "--since", since, "--format", "csv"))))
    assert rows == [
        ["user", "project", "capability", "calls", "failed", "seconds", "cost_usd"],
        ["-", "-", "video", "1", "0", "1.0", "0.000000"],
        ["ann@example.com", "7", "image", "2", "1", "5.0", "0.300000"],
        ["ann@example.com", "7", "text", "1", "0", "1.0", "0.010000"],
    ]
    table = run("usage_report", "--since", since)
    assert "Total: $0.31 over 4 calls" in table


def test_every_command_explains_itself():
    for name in ("regenerate", "sweep_stuck", "usage_report"):
        out = io.StringIO()
        with pytest.raises(SystemExit):
            call_command(name, "--help", stdout=out)
