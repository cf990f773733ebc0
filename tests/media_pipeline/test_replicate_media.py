import base64
import socket

import pytest
import replicate
from django.core.files.storage import default_storage
from PIL import Image

from media_pipeline import ffmpeg, storage
from media_pipeline.backends import replicate_media
from media_pipeline.backends.replicate_media import (
    ABORTED_MESSAGE,
    DOWNLOAD_ATTEMPTS,
    EXPIRED_MESSAGE,
    NSFW_MESSAGE,
    OUT_OF_MEMORY_MESSAGE,
    POLL_ATTEMPTS,
    ReplicateAudioBackend,
    ReplicateCompositingBackend,
    ReplicateImageBackend,
    ReplicateVideoBackend,
)
from media_pipeline.base import ImageStyle, ProviderError
from media_pipeline.deadlines import DeadlineExceeded
from media_pipeline.models import ProviderUsage
from tests.fakes.replicate_server import PredictionScript, png_bytes

pytestmark = pytest.mark.django_db

SDXL_VERSION = "7762fd07cf82c948538e41f63f77d685e02b063e37e496e96eefd46c929f9bdc"
SVD_VERSION = "3f0457e4619daac51203dedb472816fd4af51f3149fa7a9e0b5ffcf1b8172438"
MUSICGEN_VERSION = "671ac645ce5e552cc63a54a2bbff63fcf798043055d2dac5fc9e36a837eedcfb"
FAST = {"poll_interval": 0.01, "download_backoff": 0.01}


@pytest.fixture
def images(replicate_fake):
    return ReplicateImageBackend(**FAST)


@pytest.fixture
def scene_image(replicate_fake):
    return storage.store_bytes(png_bytes((64, 112), 3), kind="images", extension="png")


def generate(backend, **options):
    return backend.generate(
        **{"prompt": "a serum bottle", "width": 64, "height": 112, "seed": 7} | options
    )


def failure(call) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        call()
    return caught.value


def downloads(fake):
    return [request for request in fake.requests if request.path.startswith("/delivery/")]


def stored_files(media_root):
    return sorted(path for path in (media_root / "generated").rglob("*") if path.is_file())


def test_generate_sends_the_sdxl_inputs_and_stores_each_image(images, replicate_fake):
    style = ImageStyle(palette=["#112233", "#eeddcc"], keywords="soft morning light")

    stored = generate(images, negative_prompt="text, logo", style=style, count=2)

    (create,) = replicate_fake.created
    assert create.path == "/v1/predictions"
    assert create.headers["authorization"] == f"Bearer {replicate_fake.api_token}"
    assert create.headers["prefer"] == "wait=60"
    assert create.headers["cancel-after"] == "330s"
    assert create.json == {
        "version": SDXL_VERSION,
        "input": {
            "prompt": "a serum bottle, soft morning light, colour palette #112233, #eeddcc",
            "negative_prompt": "text, logo",
            "width": 64,
            "height": 112,
            "num_outputs": 2,
            "num_inference_steps": 4,
            "scheduler": "K_EULER",
            "seed": 7,
        },
    }
    assert [(media.content_type, media.width, media.height) for media in stored] == [
        ("image/png", 64, 112)
    ] * 2
    assert all(default_storage.exists(media.path) for media in stored)
    row = ProviderUsage.objects.get()
    assert (row.capability, row.backend, row.outcome) == ("image", "replicate", "success")
    assert row.model == f"stability-ai/sdxl:{SDXL_VERSION}"
    assert row.predict_seconds == 2.5


def test_sizes_go_to_sdxl_in_multiples_of_8_and_come_back_exact(images, replicate_fake):
    (media,) = generate(images, width=100, height=150)

    inputs = replicate_fake.created[0].json["input"]
    assert (inputs["width"], inputs["height"]) == (104, 152)
    assert (media.width, media.height) == (100, 150)
    with storage.local_copy(media.path) as local, Image.open(local) as image:
        assert image.size == (100, 150)


def test_a_slow_prediction_is_polled_until_it_finishes(images, replicate_fake):
    replicate_fake.script(PredictionScript(processing_polls=3, outlasts_wait=True))

    (media,) = generate(images)

    prediction_id = next(iter(replicate_fake.predictions))
    assert len(replicate_fake.polls(prediction_id)) == 4
    assert media.width == 64


def test_a_failed_prediction_is_permanent_with_the_models_message(images, replicate_fake):
    replicate_fake.script(PredictionScript(outcome="failed", error="Prompt must not be empty."))

    error = failure(lambda: generate(images))

    assert error.permanent
    assert "Prompt must not be empty." in error.message
    row = ProviderUsage.objects.get()
    assert (row.outcome, row.predict_seconds) == ("permanent", 2.5)


def test_an_unsafe_image_asks_for_another_prompt(images, replicate_fake):
    replicate_fake.script(
        PredictionScript(
            outcome="failed",
            error="NSFW content detected. Try running it again, or try a different prompt.",
        )
    )

    assert failure(lambda: generate(images)).message == NSFW_MESSAGE


def test_a_canceled_prediction_is_permanent(images, replicate_fake):
    replicate_fake.script(PredictionScript(outcome="canceled", outlasts_wait=True))

    error = failure(lambda: generate(images))

    assert error.permanent
    assert "canceled" in error.message


def test_an_aborted_prediction_is_retryable_though_the_client_cannot_parse_it(
    images, replicate_fake
):
    replicate_fake.script(
        PredictionScript(outcome="aborted", processing_polls=0, outlasts_wait=True)
    )

    error = failure(lambda: generate(images))

    assert (error.permanent, error.message) == (False, ABORTED_MESSAGE)


def test_a_throttled_create_is_retryable_after_the_servers_delay(images, replicate_fake):
    replicate_fake.throttle("POST", "/v1/predictions", retry_after=30)

    error = failure(lambda: generate(images))

    assert (error.permanent, error.retry_after) == (False, 30.0)
    assert len(replicate_fake.created) == 1
    assert ProviderUsage.objects.get().outcome == "retryable"


def test_a_server_error_on_create_is_retryable(images, replicate_fake):
    replicate_fake.fail_next("POST", "/v1/predictions", 500)

    assert not failure(lambda: generate(images)).permanent


def test_faults_while_polling_only_delay_the_next_look(images, replicate_fake):
    replicate_fake.script(PredictionScript(processing_polls=2, outlasts_wait=True))
    replicate_fake.fail_next("GET", r"/v1/predictions/\w+", 500)
    replicate_fake.drop_next("GET", r"/v1/predictions/\w+")
    replicate_fake.throttle("GET", r"/v1/predictions/\w+", retry_after=0)

    (media,) = generate(images)

    assert media.width == 64
    assert len(replicate_fake.created) == 1
    prediction_id = next(iter(replicate_fake.predictions))
    assert len(replicate_fake.polls(prediction_id)) == 3 + 3  # the three faults, then three answers


def test_a_rejected_token_is_permanent(settings, replicate_fake):
    settings.REPLICATE_API_TOKEN = "r8_wrong"

    error = failure(lambda: generate(ReplicateImageBackend(**FAST)))

    assert (error.permanent, error.message) == (
        True,
        "The Replicate token was rejected; check REPLICATE_API_TOKEN.",
    )


def test_an_unknown_version_is_permanent(replicate_fake):
    backend = ReplicateImageBackend(model=f"stability-ai/sdxl:{'0' * 64}", **FAST)

    error = failure(lambda: generate(backend))

    assert error.permanent
    assert "The specified version does not exist" in error.message


def test_a_community_model_without_a_version_is_permanent(replicate_fake):
    error = failure(lambda: generate(ReplicateImageBackend(model="stability-ai/sdxl", **FAST)))

    assert error.permanent
    assert "need a version" in error.message
    assert replicate_fake.created[0].path == "/v1/models/stability-ai/sdxl/predictions"


def test_an_expired_output_is_downloaded_again_then_retryable(images, replicate_fake, media_root):
    replicate_fake.script(PredictionScript(expire_outputs=True))

    error = failure(lambda: generate(images))

    assert (error.permanent, error.message) == (False, EXPIRED_MESSAGE)
    assert len(downloads(replicate_fake)) == DOWNLOAD_ATTEMPTS
    assert len(replicate_fake.created) == 1
    assert stored_files(media_root) == []


def test_outputs_are_downloaded_with_the_api_token(images, replicate_fake):
    generate(images)

    (download,) = [
        request for request in replicate_fake.requests if request.path.startswith("/delivery/")
    ]
    assert download.headers["authorization"] == f"Bearer {replicate_fake.api_token}"


def test_past_the_deadline_the_prediction_is_canceled_retryable_and_its_gpu_time_metered(
    replicate_fake,
):
    replicate_fake.script(
        PredictionScript(processing_polls=10_000, outlasts_wait=True, predict_time=0.15)
    )
    backend = ReplicateImageBackend(deadline_seconds=0.2, **FAST)

    error = failure(lambda: generate(backend))

    assert isinstance(error, DeadlineExceeded)
    assert (error.permanent, error.message) == (
        False,
        "Replicate did not finish within 0.2 s; trying again.",
    )
    prediction_id = next(iter(replicate_fake.predictions))
    assert replicate_fake.requests_to("POST", f"/v1/predictions/{prediction_id}/cancel")
    assert replicate_fake.predictions[prediction_id].data["status"] == "canceled"
    row = ProviderUsage.objects.get()
    assert (row.outcome, row.predict_seconds) == ("retryable", 0.15)
    assert row.cost_estimate > 0


def test_a_throttled_status_check_gives_up_at_the_deadline_not_after_the_retry_after(
    replicate_fake,
):
    replicate_fake.script(PredictionScript(processing_polls=10_000, outlasts_wait=True))
    replicate_fake.throttle("GET", r"/v1/predictions/\w+", retry_after=30, times=10)
    backend = ReplicateImageBackend(deadline_seconds=4, **FAST)

    error = failure(lambda: generate(backend))

    assert isinstance(error, DeadlineExceeded)
    assert (error.permanent, error.retry_after) == (False, 30.0)
    prediction_id = next(iter(replicate_fake.predictions))
    # One look, and one reading the billed time after the cancel: the SDK retried neither.
    assert len(replicate_fake.polls(prediction_id)) == 2
    assert replicate_fake.predictions[prediction_id].data["status"] == "canceled"


def test_a_status_check_that_stalls_is_cut_at_the_deadline(replicate_fake):
    replicate_fake.script(PredictionScript(processing_polls=10_000, outlasts_wait=True))
    replicate_fake.stall_next("GET", r"/v1/predictions/\w+", 5)
    backend = ReplicateImageBackend(deadline_seconds=0.5, **FAST)

    error = failure(lambda: generate(backend))

    assert isinstance(error, DeadlineExceeded)
    prediction_id = next(iter(replicate_fake.predictions))
    assert replicate_fake.predictions[prediction_id].data["status"] == "canceled"


def test_a_404_while_polling_is_looked_at_again(images, replicate_fake):
    replicate_fake.script(PredictionScript(processing_polls=1, outlasts_wait=True))
    replicate_fake.fail_next("GET", r"/v1/predictions/\w+", 404, {"detail": "Not found."})

    (media,) = generate(images)

    assert media.width == 64
    assert len(replicate_fake.created) == 1


def test_a_prediction_that_stays_unreadable_is_canceled_and_retryable(images, replicate_fake):
    replicate_fake.script(PredictionScript(processing_polls=10_000, outlasts_wait=True))
    replicate_fake.fail_next(
        "GET", r"/v1/predictions/\w+", 404, {"detail": "Not found."}, times=POLL_ATTEMPTS
    )

    error = failure(lambda: generate(images))

    prediction_id = next(iter(replicate_fake.predictions))
    assert (error.permanent, error.message) == (
        False,
        f"Could not read prediction {prediction_id} from Replicate; trying again.",
    )
    assert replicate_fake.predictions[prediction_id].data["status"] == "canceled"


@pytest.mark.parametrize(
    "reason",
    [
        "Prediction interrupted; please retry (code: PA)",
        "E6716: Timeout starting prediction",
        "Director: unexpected error handling prediction (E9243)",
    ],
)
def test_a_prediction_failed_by_replicates_side_is_retryable(images, replicate_fake, reason):
    replicate_fake.script(PredictionScript(outcome="failed", error=reason))

    error = failure(lambda: generate(images))

    assert not error.permanent
    assert reason in error.message
    assert ProviderUsage.objects.get().predict_seconds == 2.5


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("cannot identify image file for image", "cannot identify image file for image"),
        ("CUDA out of memory (E1001)", OUT_OF_MEMORY_MESSAGE),
    ],
)
def test_a_prediction_failed_by_its_input_is_permanent(images, replicate_fake, reason, message):
    replicate_fake.script(PredictionScript(outcome="failed", error=reason))

    error = failure(lambda: generate(images))

    assert error.permanent
    assert message in error.message


def test_a_dropped_connection_on_create_is_retryable(images, replicate_fake):
    replicate_fake.drop_next("POST", "/v1/predictions")

    error = failure(lambda: generate(images))

    assert (error.permanent, error.message) == (
        False,
        "Could not reach Replicate; trying again shortly.",
    )


def test_an_unreachable_server_is_retryable(settings, replicate_fake):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        settings.REPLICATE_BASE_URL = f"http://127.0.0.1:{closed.getsockname()[1]}"

    error = failure(lambda: generate(ReplicateImageBackend(**FAST)))

    assert (error.permanent, error.message) == (
        False,
        "Could not reach Replicate; trying again shortly.",
    )


def test_animate_sends_the_image_to_svd_and_normalises_the_clip(replicate_fake, scene_image):
    clip = ReplicateVideoBackend(**FAST).animate(
        image_path=scene_image, duration=3, motion="pan_left", seed=3
    )

    inputs = replicate_fake.created[0].json["input"]
    assert replicate_fake.created[0].json["version"] == SVD_VERSION
    assert inputs == {
        "input_image": "data:image/png;base64,"
        + base64.b64encode(png_bytes((64, 112), 3)).decode(),
        "video_length": "25_frames_with_svd_xt",
        "sizing_strategy": "maintain_aspect_ratio",
        "frames_per_second": 8,
        "motion_bucket_id": 150,
        "seed": 3,
    }
    assert (clip.content_type, clip.width, clip.height, clip.fps) == ("video/mp4", 64, 112, 8)
    assert clip.duration == pytest.approx(3, abs=0.15)
    assert clip.original_path and default_storage.exists(clip.original_path)
    assert ProviderUsage.objects.get().capability == "video"


def test_a_scene_longer_than_the_svd_clip_plays_it_back_and_forth(replicate_fake, scene_image):
    clip = ReplicateVideoBackend(**FAST).animate(
        image_path=scene_image, duration=8, motion="zoom_in", seed=1
    )

    assert replicate_fake.created[0].json["input"]["frames_per_second"] == 5
    assert clip.duration == pytest.approx(8, abs=0.15)
    with storage.local_copy(clip.path) as local:
        assert ffmpeg.probe(local).duration == pytest.approx(8, abs=0.15)


def test_large_inputs_are_uploaded_instead_of_inlined(monkeypatch, replicate_fake, scene_image):
    monkeypatch.setattr(replicate_media, "DATA_URL_MAX_BYTES", 10)

    ReplicateVideoBackend(**FAST).animate(
        image_path=scene_image, duration=2, motion="zoom_out", seed=1
    )

    (upload,) = replicate_fake.requests_to("POST", "/v1/files")
    (file_id,) = replicate_fake.uploads
    assert replicate_fake.uploads[file_id].content == png_bytes((64, 112), 3)
    assert (
        replicate_fake.created[0].json["input"]["input_image"]
        == f"{replicate_fake.url}/v1/files/{file_id}"
    )
    assert upload.headers["authorization"] == f"Bearer {replicate_fake.api_token}"


def test_composite_sends_both_images_to_kontext_and_keeps_the_scene_size(
    replicate_fake, scene_image
):
    product = storage.store_bytes(png_bytes((40, 40), 5), kind="products", extension="png")

    media = ReplicateCompositingBackend(**FAST).composite(
        scene_image_path=scene_image,
        product_image_path=product,
        instruction="On the marble shelf.",
        seed=9,
    )

    (create,) = replicate_fake.created
    assert create.path == "/v1/models/flux-kontext-apps/multi-image-kontext-pro/predictions"
    inputs = create.json["input"]
    assert inputs["prompt"].endswith("On the marble shelf.")
    assert (
        inputs["input_image_2"]
        == "data:image/png;base64," + base64.b64encode(png_bytes((40, 40), 5)).decode()
    )
    assert (inputs["aspect_ratio"], inputs["output_format"], inputs["seed"]) == ("9:16", "png", 9)
    assert (media.width, media.height, media.content_type) == (64, 112, "image/png")
    assert media.path.startswith("generated/composites/")


def test_audio_asks_musicgen_for_whole_seconds_of_wav(replicate_fake):
    media = ReplicateAudioBackend(**FAST).generate(prompt="warm lo-fi", duration=4.2, seed=11)

    (create,) = replicate_fake.created
    assert create.json == {
        "version": MUSICGEN_VERSION,
        "input": {
            "prompt": "warm lo-fi",
            "duration": 5,
            "model_version": "stereo-large",
            "output_format": "wav",
            "seed": 11,
        },
    }
    assert media.content_type == "audio/wav"
    assert media.duration == pytest.approx(5, abs=0.05)


def test_the_fake_also_serves_the_sdks_run_helper(replicate_fake):
    client = replicate.Client(api_token=replicate_fake.api_token, base_url=replicate_fake.url)

    output = client.run(
        f"stability-ai/sdxl:{SDXL_VERSION}", input={"prompt": "x", "width": 64, "height": 64}
    )

    assert replicate_fake.requests_to(
        "GET", f"/v1/models/stability-ai/sdxl/versions/{SDXL_VERSION}"
    )
    # http:// outputs are not wrapped in FileOutput (docs/providers.md, Replicate).
    assert isinstance(output[0], str)
    assert output[0].startswith(f"{replicate_fake.url}/delivery/")


def test_a_truncated_image_is_downloaded_again_and_only_the_good_copy_stored(
    images, replicate_fake, media_root
):
    replicate_fake.corrupt_downloads("truncated")

    (media,) = generate(images)

    assert len(downloads(replicate_fake)) == 2
    assert len(replicate_fake.created) == 1
    assert stored_files(media_root) == [media_root / media.path]
    with storage.local_copy(media.path) as local, Image.open(local) as image:
        image.load()
        assert image.size == (64, 112)


def test_a_download_that_404s_once_is_fetched_again_not_regenerated(images, replicate_fake):
    replicate_fake.fail_next("GET", "/delivery/.*", 404)

    (media,) = generate(images)

    assert media.width == 64
    assert len(downloads(replicate_fake)) == 2
    assert len(replicate_fake.created) == 1
    assert ProviderUsage.objects.get().outcome == "success"


def test_junk_that_never_decodes_is_retryable_and_nothing_is_stored(
    images, replicate_fake, media_root
):
    replicate_fake.corrupt_downloads(*["junk"] * DOWNLOAD_ATTEMPTS)

    error = failure(lambda: generate(images))

    assert (error.permanent, error.message) == (
        False,
        "Replicate sent an image that could not be read; trying again.",
    )
    assert len(downloads(replicate_fake)) == DOWNLOAD_ATTEMPTS
    assert stored_files(media_root) == []


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("html", "Replicate sent a track that could not be read; trying again."),
        ("junk", "Replicate sent a track that could not be read; trying again."),
        ("truncated", "Replicate's track is 2.0 s long, not the 3 s asked; making it again."),
    ],
)
def test_a_track_that_is_not_whole_wav_audio_is_never_stored(
    replicate_fake, media_root, kind, message
):
    replicate_fake.corrupt_downloads(*[kind] * DOWNLOAD_ATTEMPTS)

    error = failure(
        lambda: ReplicateAudioBackend(**FAST).generate(prompt="lo-fi", duration=3, seed=1)
    )

    assert (error.permanent, error.message) == (False, message)
    assert len(downloads(replicate_fake)) == DOWNLOAD_ATTEMPTS
    assert stored_files(media_root) == []


def test_a_track_shorter_than_asked_is_retryable_and_not_stored(replicate_fake, media_root):
    replicate_fake.script(PredictionScript(output_seconds=9))

    error = failure(
        lambda: ReplicateAudioBackend(**FAST).generate(prompt="lo-fi", duration=15, seed=1)
    )

    assert (error.permanent, error.message) == (
        False,
        "Replicate's track is 9.0 s long, not the 15 s asked; making it again.",
    )
    assert len(downloads(replicate_fake)) == DOWNLOAD_ATTEMPTS
    assert stored_files(media_root) == []


def test_a_truncated_clip_is_downloaded_again(replicate_fake, scene_image):
    replicate_fake.corrupt_downloads("truncated")

    clip = ReplicateVideoBackend(**FAST).animate(
        image_path=scene_image, duration=3, motion="zoom_in", seed=2
    )

    assert clip.duration == pytest.approx(3, abs=0.15)
    assert len(downloads(replicate_fake)) == 2
    assert len(replicate_fake.created) == 1
