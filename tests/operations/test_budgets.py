from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum

from media_pipeline.backends.replicate_media import ReplicateImageBackend
from media_pipeline.budgets import BudgetExceeded, budget_ignored, spend_check
from media_pipeline.estimates import TYPICAL_IMAGE_SECONDS_PER_STEP, estimate
from media_pipeline.metering import usage_context
from media_pipeline.models import ProviderUsage
from operations.models import Budget
from operations.spending import month_spend
from storyboards import scene_services
from storyboards.models import GenerationStatus, Scene
from tests.factories import SceneFactory
from tests.fakes.replicate_server import PredictionScript
from tests.operations.conftest import usage

pytestmark = pytest.mark.django_db
REPLICATE = "media_pipeline.backends.replicate_media."


@pytest.fixture
def paid_media(settings):
    settings.MEDIA_PIPELINE = {
        **settings.MEDIA_PIPELINE,
        "image": {"BACKEND": f"{REPLICATE}ReplicateImageBackend", "OPTIONS": {}},
        "video": {"BACKEND": f"{REPLICATE}ReplicateVideoBackend", "OPTIONS": {}},
    }


def test_spend_this_month_against_the_default_and_own_limit(settings, user):
    settings.MONTHLY_BUDGET_USD = "5"
    usage(user=user, cost="1.25")
    usage(user=user, cost="9", ago=timedelta(days=40))
    assert (month_spend(user.pk).spent, month_spend(user.pk).limit) == (Decimal("1.25"), 5)
    Budget.objects.create(user=user, monthly_limit=Decimal("2.00"))
    assert month_spend(user.pk).limit == Decimal("2.00")


def test_a_request_past_the_budget_is_refused_with_spend_and_reset(user):
    Budget.objects.create(user=user, monthly_limit=Decimal("1.00"))
    usage(user=user, cost="0.90")
    with pytest.raises(BudgetExceeded) as refused:
        spend_check(user_id=user.pk, estimate=Decimal("0.20"))
    message = str(refused.value)
    assert "you have spent $0.90 of your $1.00 budget this month" in message
    assert f"resets on {refused.value.spend.resets_on:%B} 1" in message
    spend_check(user_id=user.pk, estimate=Decimal("0.10"))
    with budget_ignored():
        spend_check(user_id=user.pk, estimate=Decimal("5"))


def test_local_work_is_free_and_never_refused(user):
    Budget.objects.create(user=user, monthly_limit=Decimal("0"))
    assert estimate("scene_video").label == "free (local)"
    scene = SceneFactory(
        storyboard__project__owner=user,
        state=Scene.State.IMAGE,
        text_status=GenerationStatus.DONE,
        image_status=GenerationStatus.FAILED,
    )
    scene_services.scene_generate_image(scene=scene)
    assert Scene.objects.get(pk=scene.pk).image_status == GenerationStatus.QUEUED


def test_scene_image_past_the_budget_is_refused(paid_media, user):
    Budget.objects.create(user=user, monthly_limit=Decimal("0.001"))
    usage(user=user, cost="0.001")
    scene = SceneFactory(
        storyboard__project__owner=user,
        storyboard__is_current=True,
        state=Scene.State.IMAGE,
        text_status=GenerationStatus.DONE,
        image_status=GenerationStatus.FAILED,
    )
    with pytest.raises(BudgetExceeded):
        scene_services.scene_generate_image(scene=scene)
    assert Scene.objects.get(pk=scene.pk).image_status == GenerationStatus.FAILED


def test_estimates_follow_the_price_table_and_profile(paid_media, settings):
    settings.QUALITY_PROFILE = {**settings.QUALITY_PROFILE, "image_steps": 50}
    # 50 steps × 0.08 s × $0.000725 = $0.0029 an image; a clip 40 s × $0.000725 = $0.029.
    assert estimate("scene_image", count=10).cost == Decimal("0.029")
    assert estimate("scene_video", count=10).label == "≈ $0.29"


def test_estimate_matches_what_metering_records_with_the_fakes(
    paid_media, replicate_fake, settings
):
    """The fake bills the typical GPU time; the estimate is within 1 % of the metered cost."""
    settings.QUALITY_PROFILE = {**settings.QUALITY_PROFILE, "image_steps": 50}
    seconds = 50 * TYPICAL_IMAGE_SECONDS_PER_STEP
    replicate_fake.script(*(PredictionScript(predict_time=seconds) for _ in range(3)))
    backend = ReplicateImageBackend(poll_interval=0.01, download_backoff=0.01)
    with usage_context(subject="estimate-check"):
        for seed in range(3):
            backend.generate(prompt="a serum bottle", width=64, height=112, seed=seed)
    metered = ProviderUsage.objects.filter(subject="estimate-check").aggregate(
        total=Sum("cost_estimate")
    )["total"]
    predicted = estimate("scene_image", count=3).cost
    assert abs(metered - predicted) <= predicted * Decimal("0.01")
