"""Images, clips, composites and music from Replicate models (api-contracts.md §2).

A call creates a prediction (`Prefer: wait`, so a quick model answers at once), waits for
it (a webhook delivery when PUBLIC_BASE_URL is set, polling otherwise), downloads the
outputs straight away (Replicate deletes them after about an hour) and stores them.
Faults become ProviderErrors: transient ones retryable with the server's Retry-After,
the rest permanent with a message the user can act on. Retries are the task's job.
"""

import base64
import io
import logging
import math
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, NoReturn

import httpx
import replicate
from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError
from pydantic.v1 import ValidationError
from replicate.exceptions import ReplicateError
from replicate.helpers import FileOutput
from replicate.prediction import Prediction

from media_pipeline import clips, ffmpeg, storage, webhooks
from media_pipeline.base import ImageStyle, ProviderError, StoredMedia
from media_pipeline.metering import Meter, metered
from media_pipeline.retry import retry_after_seconds

logger = logging.getLogger(__name__)

BACKEND = "replicate"
TERMINAL_STATUSES = ("succeeded", "failed", "canceled")
WEBHOOK_EVENTS = ["completed"]
PREFER_WAIT_SECONDS = 60  # the API's maximum
CONNECT_TIMEOUT_SECONDS = 5.0
# Replicate cancels a prediction we stopped waiting for, even if this worker died.
CANCEL_AFTER_MARGIN_SECONDS = 30
DATA_URL_MAX_BYTES = 1_000_000  # Replicate's advice: data URLs below 1 MB, uploads above
EXPIRED_STATUSES = (403, 404, 410)

SDXL_MAX_OUTPUTS = 4
SDXL_SIZE_MULTIPLE = 8
SVD_FRAMES = 25
SVD_FPS_RANGE = (5, 30)
# SVD cannot steer the camera; the bucket only sets how much moves.
MOTION_BUCKETS = {"zoom_in": 110, "zoom_out": 110, "pan_left": 150, "pan_right": 150}
DEFAULT_MOTION_BUCKET = 127
FIT_TIMEOUT_SECONDS = 300
KONTEXT_ASPECT_RATIO = "9:16"
KONTEXT_PROMPT = (
    "Place the product from the second image into the scene of the first image. {instruction}"
)
MUSICGEN_MODEL_VERSION = "stereo-large"

NSFW_MESSAGE = "The image was flagged as unsafe; rephrase the prompt."
EXPIRED_MESSAGE = "Replicate deleted the result before it could be saved; generating it again."
ABORTED_MESSAGE = (
    "The prediction was aborted before it started (Replicate was too busy); try again later."
)


def build_client(*, cancel_after: float) -> replicate.Client:
    """The one place the Replicate credentials are read."""
    return replicate.Client(
        api_token=settings.REPLICATE_API_TOKEN,
        base_url=settings.REPLICATE_BASE_URL,
        timeout=httpx.Timeout(settings.PROVIDER_TIMEOUT_SECONDS, connect=CONNECT_TIMEOUT_SECONDS),
        event_hooks={"request": [_cancel_after(cancel_after)], "response": [_raise_transient]},
    )


class ReplicateBackend:
    """Runs one Replicate model: create, wait, check the outcome, download."""

    capability = ""
    default_deadline_seconds = 300.0

    def __init__(
        self,
        *,
        model: str | None = None,
        poll_interval: float = 1.0,
        webhook_poll_interval: float = 15.0,
        deadline_seconds: float | None = None,
    ) -> None:
        self.model = model or settings.REPLICATE_MODELS[self.capability]
        self.poll_interval = poll_interval
        self.webhook_poll_interval = webhook_poll_interval
        self.deadline_seconds = deadline_seconds or self.default_deadline_seconds
        self.webhook = webhooks.webhook_url()
        self.client = build_client(cancel_after=self.deadline_seconds + CANCEL_AFTER_MARGIN_SECONDS)

    def run(self, inputs: dict[str, Any], meter: Meter) -> list[str]:
        """The output URLs of a successful prediction of this model."""
        with _replicate_errors():
            prediction = self._create(inputs)
            logger.info("Replicate prediction %s started for %s", prediction.id, self.model)
            self._wait(prediction)
        meter.predict_seconds = (prediction.metrics or {}).get("predict_time")
        return _outputs(prediction)

    def file_input(self, path: str) -> str:
        """A stored file as a model input: a data URL when small, else an uploaded file's URL."""
        content_type = storage.guess_content_type(path)
        with storage.local_copy(path) as local:
            if local.stat().st_size <= DATA_URL_MAX_BYTES:
                return f"data:{content_type};base64,{base64.b64encode(local.read_bytes()).decode()}"
            with local.open("rb") as handle, _replicate_errors():
                upload = self.client.files.create(
                    handle, filename=local.name, content_type=content_type
                )
        return upload.urls["get"]

    def download(self, url: str, target: BinaryIO) -> None:
        """Copy an output file into `target`, with the API token as the client sends it."""
        try:
            for chunk in FileOutput(url, self.client):
                target.write(chunk)
        except httpx.HTTPStatusError as error:
            if error.response.status_code in EXPIRED_STATUSES:
                raise ProviderError(EXPIRED_MESSAGE, permanent=False) from error
            raise ProviderError(
                "Could not download Replicate's result; trying again.", permanent=False
            ) from error
        except httpx.TransportError as error:
            raise ProviderError(
                "The download from Replicate broke off; trying again.", permanent=False
            ) from error

    def download_bytes(self, url: str) -> bytes:
        buffer = io.BytesIO()
        self.download(url, buffer)
        return buffer.getvalue()

    def store_image(self, url: str, size: tuple[int, int], *, kind: str) -> StoredMedia:
        """Download an output image and store it as a PNG of exactly `size`."""
        path = storage.store_bytes(
            _fit_image(self.download_bytes(url), size), kind=kind, extension="png"
        )
        return storage.describe(path, "image/png")

    def _create(self, inputs: dict[str, Any]) -> Prediction:
        options: dict[str, Any] = {"wait": PREFER_WAIT_SECONDS}
        if self.webhook:
            options |= {"webhook": self.webhook, "webhook_events_filter": WEBHOOK_EVENTS}
        name, _, version = self.model.partition(":")
        if version:
            return self.client.predictions.create(version=version, input=inputs, **options)
        return self.client.models.predictions.create(model=name, input=inputs, **options)

    def _wait(self, prediction: Prediction) -> None:
        deadline = time.monotonic() + self.deadline_seconds
        while prediction.status not in TERMINAL_STATUSES:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._give_up(prediction)
            if self.webhook:
                delivery = webhooks.wait_for_prediction(
                    prediction.id, min(self.webhook_poll_interval, remaining)
                )
                if delivery:
                    _update(prediction, delivery)
                    continue
            else:
                time.sleep(min(self.poll_interval, remaining))
            self._reload(prediction)

    def _reload(self, prediction: Prediction) -> None:
        """Fetch the prediction; a transient fault only delays the next look, it keeps running."""
        try:
            prediction.reload()
            return
        except ProviderError as error:
            if error.permanent:
                raise
            delay = max(self.poll_interval, error.retry_after or 0)
        except httpx.TransportError:
            delay = self.poll_interval
        logger.warning("Polling prediction %s failed; will look again.", prediction.id)
        time.sleep(delay)

    def _give_up(self, prediction: Prediction) -> NoReturn:
        try:
            prediction.cancel()
        except (ReplicateError, ProviderError, httpx.HTTPError):
            logger.warning("Could not cancel prediction %s; Cancel-After will.", prediction.id)
        raise ProviderError(
            f"Replicate did not finish within {self.deadline_seconds:g} s; trying again.",
            permanent=False,
        )


class ReplicateImageBackend(ReplicateBackend):
    """Stable Diffusion XL (`stability-ai/sdxl`)."""

    capability = "image"

    def __init__(self, *, scheduler: str = "K_EULER", **options: Any) -> None:
        super().__init__(**options)
        self.scheduler = scheduler

    def generate(
        self,
        *,
        prompt: str,
        negative_prompt: str = "",
        width: int,
        height: int,
        seed: int,
        style: ImageStyle | None = None,
        count: int = 1,
    ) -> list[StoredMedia]:
        if not 1 <= count <= SDXL_MAX_OUTPUTS:
            raise ValueError(f"SDXL makes 1 to {SDXL_MAX_OUTPUTS} images per call, not {count}.")
        inputs = {
            "prompt": _styled(prompt, style),
            "negative_prompt": negative_prompt,
            "width": _round_up(width, SDXL_SIZE_MULTIPLE),
            "height": _round_up(height, SDXL_SIZE_MULTIPLE),
            "num_outputs": count,
            "num_inference_steps": settings.QUALITY_PROFILE["image_steps"],
            "scheduler": self.scheduler,
            "seed": seed,
        }
        with metered(self.capability, BACKEND, self.model) as meter:
            urls = self.run(inputs, meter)
            return [self.store_image(url, (width, height), kind="images") for url in urls]


class ReplicateVideoBackend(ReplicateBackend):
    """Stable Video Diffusion img2vid-xt (`stability-ai/stable-video-diffusion`).

    SVD makes 25 frames. The frame rate is chosen so they span the scene (up to 5 s at
    5 fps); a longer scene plays the clip forward then backward, which hides the loop.
    The clip then goes through `clips.normalise_clip`, whose `original_path` is that
    looped clip.
    """

    capability = "video"
    default_deadline_seconds = 480.0

    def animate(self, *, image_path: str, duration: float, motion: str, seed: int) -> StoredMedia:
        profile = settings.QUALITY_PROFILE
        width, height = profile["frame_size"]
        with metered(self.capability, BACKEND, self.model) as meter:
            inputs = {
                "input_image": self.file_input(image_path),
                "video_length": "25_frames_with_svd_xt",
                "sizing_strategy": "maintain_aspect_ratio",
                "frames_per_second": _svd_fps(duration),
                "motion_bucket_id": MOTION_BUCKETS.get(motion, DEFAULT_MOTION_BUCKET),
                "seed": seed,
            }
            url = self.run(inputs, meter)[0]
            with tempfile.TemporaryDirectory(prefix="reelsmith-svd-") as directory:
                download, fitted = Path(directory) / "svd.mp4", Path(directory) / "fitted.mp4"
                with download.open("wb") as target:
                    self.download(url, target)
                _loop_to_duration(download, fitted, duration)
                return clips.normalise_clip(fitted, width=width, height=height, fps=profile["fps"])


class ReplicateCompositingBackend(ReplicateBackend):
    """FLUX Kontext with two images (`flux-kontext-apps/multi-image-kontext-pro`)."""

    capability = "compositing"

    def composite(
        self, *, scene_image_path: str, product_image_path: str, instruction: str, seed: int
    ) -> StoredMedia:
        size = _image_size(scene_image_path)
        with metered(self.capability, BACKEND, self.model) as meter:
            inputs = {
                "prompt": KONTEXT_PROMPT.format(instruction=instruction).strip(),
                "input_image_1": self.file_input(scene_image_path),
                "input_image_2": self.file_input(product_image_path),
                "aspect_ratio": KONTEXT_ASPECT_RATIO,
                "output_format": "png",
                "seed": seed,
            }
            url = self.run(inputs, meter)[0]
            return self.store_image(url, size, kind="composites")


class ReplicateAudioBackend(ReplicateBackend):
    """MusicGen (`meta/musicgen`): a music bed at least `duration` long."""

    capability = "audio"

    def generate(self, *, prompt: str, duration: float, seed: int) -> StoredMedia:
        inputs = {
            "prompt": prompt,
            "duration": math.ceil(duration),
            "model_version": MUSICGEN_MODEL_VERSION,
            "output_format": "wav",
            "seed": seed,
        }
        with metered(self.capability, BACKEND, self.model) as meter:
            url = self.run(inputs, meter)[0]
            path = storage.store_bytes(self.download_bytes(url), kind="audio", extension="wav")
            return storage.describe(path, "audio/wav")


# --- inputs and outputs ----------------------------------------------------------------


def _svd_fps(duration: float) -> int:
    low, high = SVD_FPS_RANGE
    return min(max(round(SVD_FRAMES / max(duration, 1.0)), low), high)


def _styled(prompt: str, style: ImageStyle | None) -> str:
    if style is None:
        return prompt
    parts = [prompt, style.keywords]
    if style.palette:
        parts.append(f"colour palette {', '.join(style.palette)}")
    return ", ".join(part for part in parts if part)


def _round_up(value: int, multiple: int) -> int:
    """Up, so the stored image is scaled down to the requested size, never up."""
    return max(multiple, math.ceil(value / multiple) * multiple)


def _image_size(path: str) -> tuple[int, int]:
    with storage.local_copy(path) as local, Image.open(local) as image:
        return image.size


def _fit_image(data: bytes, size: tuple[int, int]) -> bytes:
    """The image as a PNG of exactly `size`, scaled to cover it and centre-cropped."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.size == size and image.format == "PNG":
                return data
            fitted = ImageOps.fit(image.convert("RGB"), size, Image.Resampling.LANCZOS)
    except (UnidentifiedImageError, OSError) as error:
        raise ProviderError(
            "Replicate sent an image that could not be read; trying again.", permanent=False
        ) from error
    buffer = io.BytesIO()
    fitted.save(buffer, format="PNG")
    return buffer.getvalue()


def _loop_to_duration(source: Path, output: Path, duration: float) -> None:
    """Play the clip forward then backward, repeating, and cut it at `duration`."""
    graph = (
        "[0:v]split[forward][back];[back]reverse[backward];"
        "[forward][backward]concat=n=2:v=1:a=0,loop=loop=-1:size=32767,setpts=N/FRAME_RATE/TB[v]"
    )
    args = [
        "-i", str(source),
        "-filter_complex", graph,
        "-map", "[v]",
        "-t", f"{duration:.3f}",
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "16", "-pix_fmt", "yuv420p",
        str(output),
    ]  # fmt: skip
    try:
        ffmpeg.run_ffmpeg(args, timeout=FIT_TIMEOUT_SECONDS)
    except ffmpeg.FFmpegError as error:
        raise ProviderError(
            "Replicate sent a clip that could not be read; trying again.", permanent=False
        ) from error


def _outputs(prediction: Prediction) -> list[str]:
    if prediction.status == "failed":
        raise ProviderError(_failure_message(prediction.error), permanent=True)
    if prediction.status == "canceled":
        raise ProviderError(
            "The prediction was canceled on Replicate; start it again.", permanent=True
        )
    output = prediction.output
    urls = output if isinstance(output, list) else [output]
    if not urls or not all(isinstance(url, str) and url for url in urls):
        raise ProviderError(
            "Replicate finished without a result file; trying again.", permanent=False
        )
    return urls


def _failure_message(error: str | None) -> str:
    if error and "nsfw" in error.lower():
        return NSFW_MESSAGE
    return f"The model failed: {error or 'no reason given'}. Change the input and try again."


def _update(prediction: Prediction, data: dict[str, Any]) -> None:
    """Take a webhook's copy of the prediction, as `Prediction.reload` takes the API's."""
    for name, value in Prediction(**data).dict().items():
        setattr(prediction, name, value)


# --- errors ----------------------------------------------------------------------------


def _cancel_after(seconds: float) -> Callable[[httpx.Request], None]:
    """A request hook adding `Cancel-After` to prediction creates (client 1.0.7 has no option)."""
    header = f"{math.ceil(seconds)}s"

    def add_header(request: httpx.Request) -> None:
        if request.method == "POST" and request.url.path.endswith("/predictions"):
            request.headers["Cancel-After"] = header

    return add_header


def _raise_transient(response: httpx.Response) -> None:
    """A response hook: 429 and 5xx become retryable errors carrying the server's Retry-After.

    The client's own error drops the headers, and it never retries a POST.
    """
    status = response.status_code
    if status == 429:
        message = "Replicate is rate limiting us; trying again shortly."
    elif status >= 500:
        message = f"Replicate had a server error ({status}); trying again shortly."
    else:
        return
    raise ProviderError(message, permanent=False, retry_after=retry_after_seconds(response.headers))


@contextmanager
def _replicate_errors() -> Iterator[None]:
    try:
        yield
    except ReplicateError as error:
        raise ProviderError(_rejection_message(error), permanent=True) from error
    except ValidationError as error:
        # The 1.0.7 client knows five statuses; "aborted" (the deadline passed in the queue) breaks it.
        if any(issue["loc"] == ("status",) for issue in error.errors()):
            raise ProviderError(ABORTED_MESSAGE, permanent=True) from error
        raise ProviderError(
            "Replicate sent a prediction this client cannot read.", permanent=True
        ) from error
    except httpx.TimeoutException as error:
        raise ProviderError(
            "Replicate did not answer in time; trying again.", permanent=False
        ) from error
    except httpx.TransportError as error:
        raise ProviderError(
            "Could not reach Replicate; trying again shortly.", permanent=False
        ) from error


def _rejection_message(error: ReplicateError) -> str:
    if error.status in (401, 403):
        return "The Replicate token was rejected; check REPLICATE_API_TOKEN."
    if error.status == 402:
        return "Replicate needs billing details or more credit; check the account."
    if error.status == 404:
        return (
            "Replicate has no such model; check REPLICATE_MODELS (community models need a version)."
        )
    return f"Replicate rejected the request: {error.detail or error.title or error.status}"
