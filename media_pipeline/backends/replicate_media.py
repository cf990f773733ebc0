"""Images, clips, composites and music from Replicate models (docs/providers.md).

A call creates a prediction (`Prefer: wait`, so a quick model answers at once), waits for
it (a webhook delivery when PUBLIC_BASE_URL is set, polling otherwise), downloads the
outputs straight away (Replicate deletes them after about an hour), decodes them and only
then stores them. Each public call runs under a deadline (`deadline_seconds`) that bounds
every wait inside it, the SDK's HTTP requests included; a prediction we stop waiting for
is cancelled and the GPU time it used is still metered. Faults become ProviderErrors:
transient ones retryable with the server's Retry-After, the rest permanent with a
message the user can act on. Retrying a whole call is the task's job.
"""

import base64
import io
import logging
import math
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from itertools import count
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import replicate
from django.conf import settings
from PIL import Image, ImageOps
from pydantic.v1 import ValidationError
from replicate.exceptions import ReplicateError
from replicate.helpers import FileOutput
from replicate.prediction import Prediction

from media_pipeline import clips, deadlines, ffmpeg, storage, webhooks
from media_pipeline.backends import local_cutout
from media_pipeline.base import ImageStyle, ProviderError, StoredMedia
from media_pipeline.deadlines import Deadline, DeadlineExceeded
from media_pipeline.metering import Meter, metered
from media_pipeline.retry import backoff_delay, retry_after_seconds

logger = logging.getLogger(__name__)

BACKEND = "replicate"
PROVIDER = "Replicate"
TERMINAL_STATUSES = ("succeeded", "failed", "canceled")
WEBHOOK_EVENTS = ["completed"]
PREFER_WAIT_SECONDS = 60  # the API's maximum
PREFER_WAIT_MARGIN_SECONDS = 2  # the blocking create must answer before our deadline
CONNECT_TIMEOUT_SECONDS = 5.0
# Replicate cancels a prediction we stopped waiting for, even if this worker died.
CANCEL_AFTER_MARGIN_SECONDS = 30
# Cancelling and reading the billed time happen after the deadline, in a short time of their own.
CLEANUP_SECONDS = 10.0
DATA_URL_MAX_BYTES = 1_000_000  # Replicate's advice: data URLs below 1 MB, uploads above
# Replicate deletes outputs about an hour after the prediction ends; a call's deadline must
# be shorter, so every download retry happens while the URL still works.
OUTPUT_LIFETIME_SECONDS = 3600
EXPIRED_STATUSES = (403, 404, 410)
REJECTED_STATUSES = (401, 402, 403)  # polling cannot go on with these
POLL_ATTEMPTS = 5  # consecutive failed looks at one prediction before giving up on it
POLL_BACKOFF_CAP_SECONDS = 30.0
DOWNLOAD_ATTEMPTS = 4
DOWNLOAD_BACKOFF_CAP_SECONDS = 8.0
DURATION_TOLERANCE_SECONDS = 0.5
DURATION_TOLERANCE_FRACTION = 0.05

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

# Failures Replicate documents as its own, worth running again: its E#### codes for unknown
# errors, start timeouts, stopped predictions, failed health checks and its director's
# faults, and the interruption it reports as "Prediction interrupted; please retry (code: PA)".
TRANSIENT_FAILURE_RE = re.compile(
    r"\b(?:E1000|E6716|E8367|E8765|E9243|E9825)\b|\(code: PA\)|interrupted|please retry"
    r"|timed out|timeout|out of capacity|try again later",
    re.IGNORECASE,
)
OUT_OF_MEMORY_RE = re.compile(r"\bE1001\b|out of memory", re.IGNORECASE)

NSFW_MESSAGE = "The image was flagged as unsafe; rephrase the prompt."
OUT_OF_MEMORY_MESSAGE = "The model ran out of memory on this input; use a smaller image or size."
EXPIRED_MESSAGE = "Replicate's result could not be downloaded (it may have expired); trying again."
DOWNLOAD_MESSAGE = "Could not download Replicate's result; trying again."
BROKEN_DOWNLOAD_MESSAGE = "The download from Replicate broke off; trying again."
UNREADABLE_MESSAGE = "Replicate sent {what} that could not be read; trying again."
ABORTED_MESSAGE = (
    "Replicate was too busy to start the prediction before its deadline (aborted); trying again."
)


def build_client(*, cancel_after: float) -> replicate.Client:
    """The one place the Replicate credentials are read."""
    return replicate.Client(
        api_token=settings.REPLICATE_API_TOKEN,
        base_url=settings.REPLICATE_BASE_URL,
        timeout=httpx.Timeout(settings.PROVIDER_TIMEOUT_SECONDS, connect=CONNECT_TIMEOUT_SECONDS),
        transport=DeadlineTransport(),
        event_hooks={"request": [_cancel_after(cancel_after)]},
    )


class DeadlineTransport(httpx.BaseTransport):
    """The transport under the SDK's own RetryTransport, which it cannot be built without.

    That retry layer repeats a GET on 429/503/504 up to ten times, sleeping whatever each
    Retry-After says, and its errors drop the headers. Here each request's timeouts are cut
    to the active deadline, and 429 and 5xx answers become retryable ProviderErrors carrying
    the Retry-After before the SDK sees them, so it never retries: the backend decides.
    """

    def __init__(self) -> None:
        self._wrapped = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        deadline = deadlines.active()
        if deadline is not None:
            deadline.check()
            limits = request.extensions.get("timeout", {})
            request.extensions["timeout"] = {
                name: deadline.timeout(math.inf if limit is None else limit)
                for name, limit in limits.items()
            }
        try:
            response = self._wrapped.handle_request(request)
        except httpx.TimeoutException as error:
            if deadline is not None and deadline.remaining() <= 0:
                raise deadline.exceeded() from error
            raise
        _raise_transient(response)
        return response

    def close(self) -> None:
        self._wrapped.close()


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
        download_backoff: float = 1.0,
    ) -> None:
        self.model = model or settings.REPLICATE_MODELS[self.capability]
        self.poll_interval = poll_interval
        self.webhook_poll_interval = webhook_poll_interval
        self.deadline_seconds = deadline_seconds or self.default_deadline_seconds
        if self.deadline_seconds >= OUTPUT_LIFETIME_SECONDS:
            raise ValueError(
                f"deadline_seconds must be under {OUTPUT_LIFETIME_SECONDS} s, "
                "the time Replicate keeps a prediction's outputs."
            )
        self.download_backoff = download_backoff
        self.webhook = webhooks.webhook_url()
        self.client = build_client(cancel_after=self.deadline_seconds + CANCEL_AFTER_MARGIN_SECONDS)

    @contextmanager
    def call(self) -> Iterator[Meter]:
        """One metered provider call; every wait inside it ends by `deadline_seconds`."""
        deadline = Deadline(self.deadline_seconds, provider=PROVIDER)
        with metered(self.capability, BACKEND, self.model) as meter, deadlines.within(deadline):
            yield meter

    def run(self, inputs: dict[str, Any], meter: Meter) -> list[str]:
        """The output URLs of a successful prediction of this model (inside `call()`)."""
        with _replicate_errors():
            prediction = self._create(inputs)
            logger.info("Replicate prediction %s started for %s", prediction.id, self.model)
            try:
                self._wait(prediction)
            except Exception:
                self._cancel(prediction)
                raise
            finally:
                meter.predict_seconds = _predict_seconds(prediction)
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

    @contextmanager
    def downloaded(self, url: str, check: Callable[[Path], None]) -> Iterator[Path]:
        """An output in a temporary file that `check` has decoded; nothing is stored before.

        A download that fails or does not decode is fetched again with backoff, within
        the deadline (and so within the hour the URL lives); the prediction is not re-run.
        """
        with tempfile.TemporaryDirectory(prefix="reelsmith-replicate-") as directory:
            local = Path(directory) / f"output{Path(urlsplit(url).path).suffix}"
            self._fetch(url, local, check)
            yield local

    def store_image(self, url: str, size: tuple[int, int], *, kind: str) -> StoredMedia:
        """Download an output image and store it as a PNG of exactly `size`."""
        with self.downloaded(url, _check_image) as local:
            data = _fit_image(local, size)
        return storage.describe(storage.store_bytes(data, kind=kind, extension="png"), "image/png")

    def _create(self, inputs: dict[str, Any]) -> Prediction:
        options: dict[str, Any] = {"wait": _prefer_wait(deadlines.current())}
        if self.webhook:
            options |= {"webhook": self.webhook, "webhook_events_filter": WEBHOOK_EVENTS}
        name, _, version = self.model.partition(":")
        if version:
            return self.client.predictions.create(version=version, input=inputs, **options)
        return self.client.models.predictions.create(model=name, input=inputs, **options)

    def _wait(self, prediction: Prediction) -> None:
        deadline = deadlines.current()
        while prediction.status not in TERMINAL_STATUSES:
            deadline.check()
            if self.webhook:
                delivery = webhooks.wait_for_prediction(
                    prediction.id, min(self.webhook_poll_interval, deadline.remaining())
                )
                if delivery:
                    _update(prediction, delivery)
                    continue
            else:
                deadline.sleep(self.poll_interval)
            self._reload(prediction, deadline)

    def _reload(self, prediction: Prediction, deadline: Deadline) -> None:
        """Fetch the prediction; a passing fault (even a 404) only delays the next look."""
        for attempt in count():
            try:
                prediction.reload()
                return
            except DeadlineExceeded:
                raise
            except ReplicateError as error:
                if error.status in REJECTED_STATUSES:
                    raise
                fault: Exception = error
            except (ProviderError, httpx.TransportError) as error:
                fault = error
            delay = backoff_delay(
                attempt,
                retry_after=getattr(fault, "retry_after", None),
                base=self.poll_interval,
                cap=POLL_BACKOFF_CAP_SECONDS,
            )
            if attempt + 1 >= POLL_ATTEMPTS:
                raise ProviderError(
                    f"Could not read prediction {prediction.id} from Replicate; trying again.",
                    permanent=False,
                ) from fault
            if not deadline.allows(delay):
                raise deadline.exceeded(retry_after=delay) from fault
            logger.warning(
                "Polling prediction %s failed (%r); looking again.", prediction.id, fault
            )
            deadline.sleep(delay)

    def _cancel(self, prediction: Prediction) -> None:
        """Stop a prediction we no longer wait for, and read the GPU time it was billed."""
        if prediction.status in TERMINAL_STATUSES:
            return
        with deadlines.within(Deadline(CLEANUP_SECONDS, provider=PROVIDER)):
            try:
                prediction.cancel()
                if (prediction.metrics or {}).get("predict_time") is None:
                    prediction.reload()
            except (ReplicateError, ProviderError, ValidationError, httpx.HTTPError):
                logger.warning("Could not cancel prediction %s; Cancel-After will.", prediction.id)

    def _fetch(self, url: str, local: Path, check: Callable[[Path], None]) -> None:
        deadline = deadlines.current()
        for attempt in count():
            try:
                self._download(url, local)
                check(local)
                return
            except _BadDownload as fault:
                delay = backoff_delay(
                    attempt,
                    retry_after=fault.retry_after,
                    base=self.download_backoff,
                    cap=DOWNLOAD_BACKOFF_CAP_SECONDS,
                )
                if attempt + 1 >= DOWNLOAD_ATTEMPTS or not deadline.allows(delay):
                    raise ProviderError(
                        fault.message, permanent=False, retry_after=fault.retry_after
                    ) from fault
                logger.warning("Download %d of %s failed: %s", attempt + 1, url, fault.message)
                deadline.sleep(delay)

    def _download(self, url: str, local: Path) -> None:
        """Copy an output file to `local`, with the API token as the client sends it."""
        deadline = deadlines.current()
        try:
            with local.open("wb") as target:
                for chunk in FileOutput(url, self.client):
                    deadline.check()
                    target.write(chunk)
        except DeadlineExceeded:
            raise
        except ProviderError as error:
            raise _BadDownload(DOWNLOAD_MESSAGE, retry_after=error.retry_after) from error
        except httpx.HTTPStatusError as error:
            expired = error.response.status_code in EXPIRED_STATUSES
            raise _BadDownload(EXPIRED_MESSAGE if expired else DOWNLOAD_MESSAGE) from error
        except httpx.TransportError as error:
            raise _BadDownload(BROKEN_DOWNLOAD_MESSAGE) from error


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
        with self.call() as meter:
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
        fps = _svd_fps(duration)
        with self.call() as meter:
            inputs = {
                "input_image": self.file_input(image_path),
                "video_length": "25_frames_with_svd_xt",
                "sizing_strategy": "maintain_aspect_ratio",
                "frames_per_second": fps,
                "motion_bucket_id": MOTION_BUCKETS.get(motion, DEFAULT_MOTION_BUCKET),
                "seed": seed,
            }
            url = self.run(inputs, meter)[0]
            check = partial(_check_clip, seconds=SVD_FRAMES / fps)
            with self.downloaded(url, check) as download:
                fitted = download.with_name("fitted.mp4")
                _loop_to_duration(download, fitted, duration)
                return clips.normalise_clip(fitted, width=width, height=height, fps=profile["fps"])


class ReplicateCompositingBackend(ReplicateBackend):
    """FLUX Kontext with two images (`flux-kontext-apps/multi-image-kontext-pro`)."""

    capability = "compositing"

    def composite(
        self, *, scene_image_path: str, product_image_path: str, instruction: str, seed: int
    ) -> StoredMedia:
        size = _image_size(scene_image_path)
        with self.call() as meter:
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


class ReplicateCutoutBackend(ReplicateBackend):
    """Background removal with rembg (`cjwbw/rembg`, a community model: pinned by version).

    Its output is a PNG of the input's size with the backdrop transparent; it is stored
    cropped to the product's outline, like the local cutouts.
    """

    capability = "cutout"
    default_deadline_seconds = 120.0

    def cutout(self, *, image_path: str) -> StoredMedia:
        with self.call() as meter:
            url = self.run({"image": self.file_input(image_path)}, meter)[0]
            with self.downloaded(url, _check_image) as local, Image.open(local) as image:
                rgba = image.convert("RGBA")
        box = rgba.getchannel("A").getbbox()
        if box is None:
            raise ProviderError(
                "Replicate found no product in this photo; use one with the product in view.",
                permanent=True,
            )
        return local_cutout.store_rgba(rgba.crop(box))


class ReplicateAudioBackend(ReplicateBackend):
    """MusicGen (`meta/musicgen`): a music bed at least `duration` long."""

    capability = "audio"

    def generate(self, *, prompt: str, duration: float, seed: int) -> StoredMedia:
        seconds = math.ceil(duration)
        inputs = {
            "prompt": prompt,
            "duration": seconds,
            "model_version": MUSICGEN_MODEL_VERSION,
            "output_format": "wav",
            "seed": seed,
        }
        with self.call() as meter:
            url = self.run(inputs, meter)[0]
            with self.downloaded(url, partial(_check_audio, seconds=seconds)) as local:
                path = storage.store_file(local, kind="audio", extension="wav")
                return storage.describe_local(path, local, "audio/wav")


# --- inputs and outputs ----------------------------------------------------------------


def _prefer_wait(deadline: Deadline) -> int | None:
    """How long the create may block: `Prefer: wait=N` answers before our deadline passes."""
    seconds = math.floor(deadline.remaining()) - PREFER_WAIT_MARGIN_SECONDS
    return min(seconds, PREFER_WAIT_SECONDS) if seconds >= 1 else None


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


def _fit_image(local: Path, size: tuple[int, int]) -> bytes:
    """The image as a PNG of exactly `size`, scaled to cover it and centre-cropped."""
    with Image.open(local) as image:
        if image.size == size and image.format == "PNG":
            return local.read_bytes()
        fitted = ImageOps.fit(image.convert("RGB"), size, Image.Resampling.LANCZOS)
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


# --- checking downloads ----------------------------------------------------------------


class _BadDownload(Exception):
    """A download that failed or did not decode: worth fetching again."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


def _check_image(local: Path) -> None:
    """Decode every pixel: a truncated PNG still has a valid header with the right size."""
    try:
        with Image.open(local) as image:
            image.verify()
        with Image.open(local) as image:
            image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise _BadDownload(UNREADABLE_MESSAGE.format(what="an image")) from error


def _check_clip(local: Path, *, seconds: float) -> None:
    facts = _probe(local, "a clip")
    if not facts.has_video:
        raise _BadDownload(UNREADABLE_MESSAGE.format(what="a clip"))
    _check_duration(facts, seconds, "clip")


def _check_audio(local: Path, *, seconds: float) -> None:
    facts = _probe(local, "a track")
    if facts.format != "wav" or not facts.has_audio:
        raise _BadDownload(UNREADABLE_MESSAGE.format(what="a track"))
    _check_duration(facts, seconds, "track")


def _probe(local: Path, what: str) -> ffmpeg.MediaFacts:
    try:
        return ffmpeg.probe(local)
    except ffmpeg.FFmpegError as error:
        raise _BadDownload(UNREADABLE_MESSAGE.format(what=what)) from error


def _check_duration(facts: ffmpeg.MediaFacts, seconds: float, what: str) -> None:
    """A cut-off file can still decode, so a wrong length is fetched again like any bad download."""
    tolerance = max(DURATION_TOLERANCE_SECONDS, seconds * DURATION_TOLERANCE_FRACTION)
    if facts.duration is None or abs(facts.duration - seconds) > tolerance:
        length = "of unknown length" if facts.duration is None else f"{facts.duration:.1f} s long"
        raise _BadDownload(
            f"Replicate's {what} is {length}, not the {seconds:g} s asked; making it again."
        )


# --- outcomes --------------------------------------------------------------------------


def _outputs(prediction: Prediction) -> list[str]:
    if prediction.status == "failed":
        raise _failure(prediction.error)
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


def _failure(error: str | None) -> ProviderError:
    """A failed prediction: retryable when Replicate's side broke, else the model's reason."""
    reason = (error or "no reason given").strip()
    if "nsfw" in reason.lower():
        return ProviderError(NSFW_MESSAGE, permanent=True)
    if OUT_OF_MEMORY_RE.search(reason):
        return ProviderError(OUT_OF_MEMORY_MESSAGE, permanent=True)
    if TRANSIENT_FAILURE_RE.search(reason):
        return ProviderError(
            f"Replicate could not finish the prediction ({reason}); trying again.",
            permanent=False,
        )
    return ProviderError(
        f"The model failed: {reason}. Change the input and try again.", permanent=True
    )


def _predict_seconds(prediction: Prediction) -> float | None:
    """The GPU time Replicate bills: its metrics, else the time since the prediction started."""
    predict_time = (prediction.metrics or {}).get("predict_time")
    if predict_time is not None:
        return float(predict_time)
    if not prediction.started_at:
        return None
    started = datetime.fromisoformat(prediction.started_at)
    ended = datetime.fromisoformat(prediction.completed_at) if prediction.completed_at else None
    return max(0.0, ((ended or datetime.now(UTC)) - started).total_seconds())


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
    """429 and 5xx become retryable errors carrying the server's Retry-After."""
    status = response.status_code
    if status == 429:
        message = "Replicate is rate limiting us; trying again shortly."
    elif status >= 500:
        message = f"Replicate had a server error ({status}); trying again shortly."
    else:
        return
    response.close()
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
            raise ProviderError(ABORTED_MESSAGE, permanent=False) from error
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
