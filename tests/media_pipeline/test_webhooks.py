import json
import secrets
import time

import pytest
from django.test import Client

from media_pipeline import webhooks
from media_pipeline.backends.replicate_media import ReplicateImageBackend
from media_pipeline.models import ProviderUsage
from tests.fakes.replicate_server import PredictionScript, sign

# Until config/urls.py includes media_pipeline.urls, these tests route with it alone.

WEBHOOK_PATH = "/webhooks/replicate/"


def prediction(status="succeeded"):
    prediction_id = secrets.token_hex(13)
    return {
        "id": prediction_id,
        "model": "stability-ai/sdxl",
        "version": "v",
        "status": status,
        "output": ["x"],
    }


def json_nested(depth: int) -> bytes:
    """A JSON value whose lists nest `depth` levels deep (an object adds one more)."""
    return b"[" * depth + b"]" * depth


def signature(fake, headers, body):
    timestamp = int(headers["webhook-timestamp"])
    return f"v1,{sign(fake.webhook_secret, headers['webhook-id'], timestamp, body)}"


def post(client, headers, body):
    return client.post(WEBHOOK_PATH, body, content_type="application/json", headers=headers)


@pytest.fixture
def client():
    return Client(enforce_csrf_checks=True)


def test_a_signed_delivery_is_queued_for_the_waiting_worker(client, replicate_fake):
    payload = prediction()
    headers, body = replicate_fake.signed_delivery(payload)

    response = post(client, headers, body)

    assert response.status_code == 204
    assert webhooks.wait_for_prediction(payload["id"], 0.5) == payload


def test_a_repeated_delivery_is_accepted_but_queued_once(client, replicate_fake):
    payload = prediction()
    headers, body = replicate_fake.signed_delivery(payload)

    assert post(client, headers, body).status_code == 204
    assert post(client, headers, body).status_code == 204

    assert webhooks.wait_for_prediction(payload["id"], 0.1) == payload
    assert webhooks.wait_for_prediction(payload["id"], 0.1) is None


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(
            lambda headers, body: (headers, body.replace(b"succeeded", b"failed")), id="body"
        ),
        pytest.param(
            lambda headers, body: (headers | {"webhook-signature": "v1,AAAA"}, body), id="signature"
        ),
        pytest.param(
            lambda headers, body: (headers | {"webhook-signature": "garbage"}, body), id="format"
        ),
        pytest.param(
            lambda headers, body: (headers | {"webhook-timestamp": "soon"}, body), id="timestamp"
        ),
        pytest.param(
            lambda headers, body: ({k: v for k, v in headers.items() if k != "webhook-id"}, body),
            id="missing",
        ),
    ],
)
def test_a_tampered_delivery_is_rejected(client, replicate_fake, tamper):
    payload = prediction()
    headers, body = tamper(*replicate_fake.signed_delivery(payload))

    assert post(client, headers, body).status_code == 400
    assert webhooks.wait_for_prediction(payload["id"], 0.05) is None


def test_a_delivery_signed_with_another_secret_is_rejected(client, replicate_fake):
    headers, body = replicate_fake.signed_delivery(prediction(), secret="whsec_" + "QUJD" * 8)

    assert post(client, headers, body).status_code == 400


def test_an_old_delivery_is_rejected_as_a_replay(client, replicate_fake):
    headers, body = replicate_fake.signed_delivery(prediction(), timestamp=int(time.time()) - 301)

    assert post(client, headers, body).status_code == 400


def test_without_a_signing_secret_every_delivery_is_rejected(settings, client, replicate_fake):
    headers, body = replicate_fake.signed_delivery(prediction())
    settings.REPLICATE_WEBHOOK_SECRET = ""

    assert post(client, headers, body).status_code == 400


def test_a_signed_body_that_is_not_a_prediction_is_rejected(client, replicate_fake):
    headers, body = replicate_fake.signed_delivery(["not", "a", "prediction"])

    assert post(client, headers, body).status_code == 400


@pytest.mark.parametrize(
    "nested",
    [
        pytest.param(lambda: json_nested(100_000), id="past-the-parsers-recursion"),
        pytest.param(lambda: json_nested(webhooks.MAX_DEPTH), id="past-the-depth-limit"),
    ],
)
def test_a_signed_but_deeply_nested_body_is_rejected(client, replicate_fake, nested):
    payload = prediction()
    body = json.dumps(payload)[:-1].encode() + b', "input": ' + nested() + b"}"
    headers, _ = replicate_fake.signed_delivery(payload)
    headers |= {"webhook-signature": signature(replicate_fake, headers, body)}

    assert post(client, headers, body).status_code == 400
    assert webhooks.wait_for_prediction(payload["id"], 0.05) is None


def test_a_signed_body_over_the_size_limit_is_rejected(client, replicate_fake):
    payload = prediction() | {"logs": "x" * webhooks.MAX_BODY_BYTES}
    headers, body = replicate_fake.signed_delivery(payload)

    assert post(client, headers, body).status_code == 400
    assert webhooks.wait_for_prediction(payload["id"], 0.05) is None


def test_a_prediction_nested_to_the_limit_is_accepted(client, replicate_fake):
    payload = prediction() | {"input": json.loads(json_nested(webhooks.MAX_DEPTH - 1))}
    headers, body = replicate_fake.signed_delivery(payload)

    assert post(client, headers, body).status_code == 204


def test_only_post_is_allowed(client):
    assert client.get(WEBHOOK_PATH).status_code == 405


def test_waiting_with_no_time_left_returns_at_once():
    # Redis reads a BLPOP timeout of 0 as "forever": a wrong mapping would hang here.
    assert webhooks.wait_for_prediction("never-delivered", 0) is None


def test_the_webhook_url_needs_a_public_url_and_a_secret(settings):
    settings.PUBLIC_BASE_URL, settings.REPLICATE_WEBHOOK_SECRET = (
        "https://reels.example.com",
        "whsec_x",
    )
    assert webhooks.webhook_url() == "https://reels.example.com/webhooks/replicate/"
    settings.REPLICATE_WEBHOOK_SECRET = ""
    assert webhooks.webhook_url() is None


@pytest.mark.django_db(transaction=True)
def test_the_backend_completes_from_the_webhook_delivery(settings, live_server, replicate_fake):
    settings.PUBLIC_BASE_URL = live_server.url
    replicate_fake.script(PredictionScript(processing_polls=3, outlasts_wait=True))
    backend = ReplicateImageBackend(webhook_poll_interval=30)

    (media,) = backend.generate(prompt="a serum bottle", width=64, height=112, seed=1)

    assert media.width == 64
    (create,) = replicate_fake.created
    assert create.json["webhook"] == f"{live_server.url}/webhooks/replicate/"
    assert create.json["webhook_events_filter"] == ["completed"]
    (fake_prediction,) = replicate_fake.predictions.values()
    assert [delivery["status"] for delivery in fake_prediction.deliveries] == [204]
    assert replicate_fake.polls(fake_prediction.data["id"]) == []
    assert ProviderUsage.objects.get().outcome == "success"


@pytest.mark.django_db
def test_a_lost_delivery_is_caught_by_the_safety_net_poll(settings, replicate_fake):
    settings.PUBLIC_BASE_URL = "https://reels.example.com"
    replicate_fake.script(
        PredictionScript(processing_polls=2, outlasts_wait=True, deliver_webhooks=False)
    )
    backend = ReplicateImageBackend(webhook_poll_interval=0.1)

    (media,) = backend.generate(prompt="a serum bottle", width=64, height=112, seed=1)

    assert media.width == 64
    (fake_prediction,) = replicate_fake.predictions.values()
    assert replicate_fake.polls(fake_prediction.data["id"])
