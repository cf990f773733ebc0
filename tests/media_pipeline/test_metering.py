from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse

from media_pipeline.base import ProviderError
from media_pipeline.metering import metered, usage_context
from media_pipeline.models import ProviderUsage

pytestmark = pytest.mark.django_db


def test_successful_call_writes_one_row_with_its_duration():
    with metered("image", "local", model="procedural"):
        pass

    usage = ProviderUsage.objects.get()
    assert (usage.capability, usage.backend, usage.model) == ("image", "local", "procedural")
    assert usage.outcome == "success" and usage.error == ""
    assert usage.seconds >= 0
    assert usage.cost_estimate == 0


def test_text_cost_comes_from_tokens_and_model_prices():
    with metered("text", "openai", model="gpt-4o") as meter:
        meter.input_tokens, meter.output_tokens = 1000, 500

    usage = ProviderUsage.objects.get()
    assert (usage.input_tokens, usage.output_tokens) == (1000, 500)
    assert usage.cost_estimate == Decimal("0.007500")


def test_dated_model_snapshot_is_priced_as_its_family():
    with metered("text", "openai", model="gpt-4o-mini-2024-07-18") as meter:
        meter.input_tokens = 1_000_000

    assert ProviderUsage.objects.get().cost_estimate == Decimal("0.150000")


def test_replicate_cost_comes_from_predict_seconds(settings):
    settings.PROVIDER_PRICES = {"replicate": {"per_second": 0.001}}

    with metered("video", "replicate", model="stability-ai/stable-video-diffusion") as meter:
        meter.predict_seconds = 12.5

    usage = ProviderUsage.objects.get()
    assert usage.predict_seconds == 12.5
    assert usage.cost_estimate == Decimal("0.012500")


def test_model_reported_during_the_call_is_recorded():
    with metered("text", "openai") as meter:
        meter.model = "gpt-4o-mini"
        meter.output_tokens = 2_000_000

    usage = ProviderUsage.objects.get()
    assert usage.model == "gpt-4o-mini"
    assert usage.cost_estimate == Decimal("1.200000")


@pytest.mark.parametrize(("permanent", "outcome"), [(True, "permanent"), (False, "retryable")])
def test_provider_error_is_recorded_by_kind_and_reraised(permanent, outcome):
    error = ProviderError("The prompt was refused; rephrase it.", permanent=permanent)

    with pytest.raises(ProviderError) as raised, metered("image", "replicate"):
        raise error

    assert raised.value is error
    usage = ProviderUsage.objects.get()
    assert (usage.outcome, usage.error) == (outcome, "The prompt was refused; rephrase it.")


def test_unexpected_error_counts_as_retryable_and_passes_through_unchanged():
    with pytest.raises(KeyError), metered("audio", "local"):
        raise KeyError("boom")

    usage = ProviderUsage.objects.get()
    assert usage.outcome == "retryable"
    assert "boom" in usage.error


def test_long_error_text_is_truncated():
    with pytest.raises(ProviderError), metered("text", "openai"):
        raise ProviderError("x" * 2000, permanent=True)

    assert len(ProviderUsage.objects.get().error) == 500


def test_usage_context_tags_user_and_subject(user):
    with usage_context(user_id=user.id, subject="project:12"), metered("text", "local"):
        pass
    with metered("text", "local"):
        pass

    tagged, untagged = ProviderUsage.objects.order_by("id")
    assert (tagged.user, tagged.subject) == (user, "project:12")
    assert (untagged.user, untagged.subject) == (None, "")


def test_nested_usage_contexts_restore_the_outer_one():
    with usage_context(subject="outer"):
        with usage_context(subject="inner"), metered("text", "local"):
            pass
        with metered("text", "local"):
            pass

    assert list(ProviderUsage.objects.order_by("id").values_list("subject", flat=True)) == [
        "inner",
        "outer",
    ]


def test_failing_database_write_does_not_break_the_call(monkeypatch, caplog):
    def broken_create(**kwargs):
        raise DatabaseError("database is locked")

    monkeypatch.setattr(ProviderUsage.objects, "create", broken_create)

    with metered("text", "local") as meter:
        meter.output_tokens = 3

    assert "Could not record usage of text/local" in caplog.text


def test_failing_database_write_keeps_the_provider_error(monkeypatch):
    monkeypatch.setattr(ProviderUsage.objects, "create", lambda **kwargs: 1 / 0)

    with pytest.raises(ProviderError, match="rate limited"), metered("text", "openai"):
        raise ProviderError("rate limited", permanent=False)


def test_outer_transaction_survives_a_failed_usage_write(monkeypatch, user):
    monkeypatch.setattr(ProviderUsage._meta, "db_table", "no_such_table")

    with transaction.atomic():
        with metered("text", "local"):
            pass
        user.first_name = "Still"
        user.save()

    user.refresh_from_db()
    assert user.first_name == "Still"


def test_usage_admin_lists_rows_but_never_edits_or_adds(admin_client):
    with metered("text", "openai", model="gpt-4o"):
        pass
    usage = ProviderUsage.objects.get()

    listing = admin_client.get(reverse("admin:media_pipeline_providerusage_changelist"))
    adding = admin_client.get(reverse("admin:media_pipeline_providerusage_add"))
    admin_client.post(
        reverse("admin:media_pipeline_providerusage_change", args=[usage.pk]), {"model": "edited"}
    )

    assert listing.status_code == 200 and b"gpt-4o" in listing.content
    assert adding.status_code == 403
    usage.refresh_from_db()
    assert usage.model == "gpt-4o"
