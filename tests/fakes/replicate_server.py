"""A fake of Replicate's HTTP API (docs/providers.md), for the real `replicate` 1.0.7 client.

    with FakeReplicate() as fake:                    # base_url: http://127.0.0.1:PORT (host only)
        fake.script(PredictionScript(processing_polls=3))      # the next prediction is slow
        fake.fail_next("POST", "/v1/predictions", 429, ...)    # the next create is throttled
        replicate.Client(api_token=fake.api_token, base_url=fake.url).predictions.create(...)

Predictions advance one step per `GET /v1/predictions/{id}`: `starting`, `processing`
(`processing_polls` times), then the scripted outcome. With `Prefer: wait` the create is
answered finished, or `starting` when the script `outlasts_wait`, never `processing`. A prediction
created with a `webhook` runs on its own in the background instead, and its events are
POSTed to the webhook signed the Standard Webhooks way. Outputs are real media (PNG, MP4,
WAV) served by the fake itself under `/delivery/`, behind the API token like
replicate.delivery; they come back as `http://` URLs, which the client leaves as plain str.
"""

import base64
import email.parser
import email.policy
import hashlib
import hmac
import io
import json
import re
import secrets
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
import wave
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from PIL import Image, UnidentifiedImageError

from media_pipeline.ffmpeg import ffmpeg_binary
from tests.fakes import FakeServer, RecordedRequest, Response

DEFAULT_API_TOKEN = "r8_fakeTokenForTests0000000000000000000"
STEP_SECONDS = 0.02  # how fast a webhook-driven prediction moves on
SVD_FRAME_SIZE = (72, 128)
KONTEXT_FRAME_SIZE = (72, 128)
MUSICGEN_SAMPLE_RATE = 32000
ERROR_PAGE = (
    b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
    b"<body><h1>502 Bad Gateway</h1></body></html>"
)
TERMINAL = ("succeeded", "failed", "canceled", "aborted")
EVENTS = ("start", "output", "logs", "completed")
PREFER_RE = re.compile(r"^wait(=([1-9]|[1-9][0-9]|60))?$")
CANCEL_AFTER_RE = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
PREDICTION_PATH_RE = re.compile(r"^/v1/predictions/(?P<id>[a-z0-9]+)(?P<cancel>/cancel)?$")
MODEL_PREDICTIONS_RE = re.compile(r"^/v1/models/(?P<owner>[^/]+)/(?P<name>[^/]+)/predictions$")
VERSION_PATH_RE = re.compile(r"^/v1/models/(?P<owner>[^/]+)/(?P<name>[^/]+)/versions/(?P<id>\w+)$")
FILE_PATH_RE = re.compile(r"^/v1/files/(?P<id>\w+)$")
CREATE_KEYS = {"version", "input", "webhook", "webhook_events_filter", "stream"}

SDXL = "stability-ai/sdxl"
SVD = "stability-ai/stable-video-diffusion"
KONTEXT = "flux-kontext-apps/multi-image-kontext-pro"
MUSICGEN = "meta/musicgen"
REMBG = "cjwbw/rembg"
VERSIONS = {
    "7762fd07cf82c948538e41f63f77d685e02b063e37e496e96eefd46c929f9bdc": SDXL,
    "39ed52f2a78e934b3ba6e2a89f5b1c712de7dfea535525255b1aa35c5565e08b": SDXL,
    "3f0457e4619daac51203dedb472816fd4af51f3149fa7a9e0b5ffcf1b8172438": SVD,
    "6d14f9b3d25a9400c4a5e5f0f6842ae7537fefcf68df86dad9533f66204f2bb2": KONTEXT,
    "671ac645ce5e552cc63a54a2bbff63fcf798043055d2dac5fc9e36a837eedcfb": MUSICGEN,
    "fb8af171cfa1616ddcf1242c093f9c46bcada5ad4cf6f2fbe8b81b330ec5c003": REMBG,
}
OFFICIAL_MODELS = {KONTEXT, "minimax/speech-02-turbo"}
REQUIRED_INPUTS = {
    SVD: ("input_image",),
    KONTEXT: ("prompt", "input_image_1", "input_image_2"),
    REMBG: ("image",),
}
IMAGE_INPUTS = {
    SDXL: ("image", "mask"),
    SVD: ("input_image",),
    KONTEXT: ("input_image_1", "input_image_2"),
    REMBG: ("image",),
}
ENUM_INPUTS = {
    SDXL: {
        "scheduler": ("DDIM", "DPMSolverMultistep", "HeunDiscrete", "KarrasDPM", "K_EULER_ANCESTRAL", "K_EULER", "PNDM"),
        "refine": ("no_refiner", "expert_ensemble_refiner", "base_image_refiner"),
    },
    SVD: {
        "video_length": ("14_frames_with_svd", "25_frames_with_svd_xt"),
        "sizing_strategy": ("maintain_aspect_ratio", "crop_to_16_9", "use_image_dimensions"),
    },
    KONTEXT: {
        "aspect_ratio": ("match_input_image", "1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3", "4:5", "5:4", "21:9", "9:21", "2:1", "1:2"),
        "output_format": ("jpg", "png"),
    },
    MUSICGEN: {
        "model_version": ("stereo-melody-large", "stereo-large", "melody-large", "large"),
        "output_format": ("wav", "mp3"),
        "normalization_strategy": ("loudness", "clip", "peak", "rms"),
    },
}  # fmt: skip
RANGE_INPUTS = {
    SDXL: {"num_outputs": (1, 4), "num_inference_steps": (1, 500)},
    SVD: {"frames_per_second": (5, 30), "motion_bucket_id": (1, 255)},
    KONTEXT: {"safety_tolerance": (0, 2)},
}


@dataclass
class PredictionScript:
    """How the next prediction created behaves."""

    outcome: str = "succeeded"  # or "failed", "canceled", "aborted" (1.0.7 cannot parse that one)
    error: str | None = None  # a failed prediction's message
    processing_polls: int = 1  # GETs answered "processing" before the outcome
    outlasts_wait: bool = False  # a `Prefer: wait` create comes back "starting", not finished
    output: Any = None  # instead of the model's generated media
    output_seconds: float | None = None  # a MusicGen track this long, not the duration asked
    expire_outputs: bool = False  # output URLs answer 404, as after Replicate deletes them
    predict_time: float = 2.5  # also the GPU time billed when it is canceled while processing
    deliver_webhooks: bool = True


@dataclass
class Prediction:
    data: dict[str, Any]
    script: PredictionScript
    steps: deque[str]
    webhook: str | None
    events: list[str]
    deliveries: list[dict[str, Any]] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.data["status"] in TERMINAL


@dataclass
class StoredFile:
    content: bytes
    content_type: str
    expired: bool = False


@dataclass
class Failure:
    method: str
    path: re.Pattern[str]
    response: Response
    times: int


class FakeReplicate(FakeServer):
    def __init__(self, api_token: str = DEFAULT_API_TOKEN) -> None:
        super().__init__()
        self.api_token = api_token
        self.webhook_secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
        self.predictions: dict[str, Prediction] = {}
        self.files: dict[str, StoredFile] = {}  # by URL path
        self.uploads: dict[str, StoredFile] = {}  # POST /v1/files, by file id
        self._scripts: deque[PredictionScript] = deque()
        self._failures: list[Failure] = []
        self._corruptions: deque[str] = deque()

    # --- scripting -------------------------------------------------------------------

    def script(self, *scripts: PredictionScript) -> None:
        self._scripts.extend(scripts)

    def fail_next(
        self,
        method: str,
        path: str,
        status: int,
        body: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` requests matching `method` and the `path` regex with an error."""
        body = body or {"detail": "Internal server error", "status": status}
        response = Response.json(body, status=status, headers=headers)
        self._failures.append(Failure(method, re.compile(f"^{path}$"), response, times))

    def drop_next(self, method: str, path: str, *, times: int = 1) -> None:
        """Close the connection on the next `times` matching requests, as a network fault."""
        self._failures.append(Failure(method, re.compile(f"^{path}$"), Response(drop=True), times))

    def stall_next(self, method: str, path: str, seconds: float, *, times: int = 1) -> None:
        """Answer the next `times` matching requests only after `seconds` (a 504 by then)."""
        response = _problem(504, "Gateway timeout.")
        response.delay = seconds
        self._failures.append(Failure(method, re.compile(f"^{path}$"), response, times))

    def corrupt_downloads(self, *kinds: str) -> None:
        """Serve the next output downloads broken, one per kind: "truncated", "html" or "junk".

        Each comes with a 200 and a matching Content-Length, as a broken file at the source
        or a proxy's error page would, so only decoding it shows the fault.
        """
        self._corruptions.extend(kinds)

    def throttle(self, method: str, path: str, *, retry_after: int = 30, times: int = 1) -> None:
        body = {
            "detail": f"Request was throttled. Your rate limit resets in ~{retry_after}s.",
            "status": 429,
        }
        self.fail_next(
            method, path, 429, body, headers={"Retry-After": str(retry_after)}, times=times
        )

    # --- what tests read -------------------------------------------------------------

    @property
    def created(self) -> list[RecordedRequest]:
        """The prediction-creating requests, in order."""
        return [
            request
            for request in self.requests
            if request.method == "POST"
            and (request.path == "/v1/predictions" or MODEL_PREDICTIONS_RE.match(request.path))
        ]

    def polls(self, prediction_id: str) -> list[RecordedRequest]:
        return self.requests_to("GET", f"/v1/predictions/{prediction_id}")

    def signed_delivery(
        self, payload: dict[str, Any], *, timestamp: int | None = None, secret: str | None = None
    ) -> tuple[dict[str, str], bytes]:
        """The headers and body Replicate would POST to a webhook for `payload`."""
        body = json.dumps(payload).encode()
        webhook_id = f"msg_{secrets.token_hex(12)}"
        timestamp = int(time.time()) if timestamp is None else timestamp
        signature = sign(secret or self.webhook_secret, webhook_id, timestamp, body)
        headers = {
            "Content-Type": "application/json",
            "webhook-id": webhook_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": f"v1,{signature}",
        }
        return headers, body

    # --- serving ---------------------------------------------------------------------

    def handle(self, request: RecordedRequest) -> Response:
        failure = self._take_failure(request)
        if failure:
            return failure
        if request.path.startswith("/delivery/"):
            return self._download(request)
        if request.headers.get("authorization") != f"Bearer {self.api_token}":
            return _problem(
                401, "You did not pass a valid authentication token", title="Unauthenticated"
            )
        return self._route(request)

    def _route(self, request: RecordedRequest) -> Response:
        method, path = request.method, request.path
        if method == "POST" and path == "/v1/predictions":
            return self._create_versioned(request)
        if method == "POST" and (match := MODEL_PREDICTIONS_RE.match(path)):
            return self._create_official(request, f"{match['owner']}/{match['name']}")
        if match := PREDICTION_PATH_RE.match(path):
            return self._prediction(method, match["id"], cancel=bool(match["cancel"]))
        if method == "GET" and (match := VERSION_PATH_RE.match(path)):
            return self._version(f"{match['owner']}/{match['name']}", match["id"])
        if method == "POST" and path == "/v1/files":
            return self._upload(request)
        return _problem(404, "The requested resource could not be found.")

    def _take_failure(self, request: RecordedRequest) -> Response | None:
        with self.lock:
            for failure in self._failures:
                if failure.method == request.method and failure.path.match(request.path):
                    failure.times -= 1
                    if failure.times <= 0:
                        self._failures.remove(failure)
                    return failure.response
        return None

    # --- predictions -----------------------------------------------------------------

    def _create_versioned(self, request: RecordedRequest) -> Response:
        body = request.json
        if not isinstance(body, dict) or not body.get("version"):
            return _problem(422, "- version: version is required", title="Input validation failed")
        # "owner/name:id" or a bare "id" names a version; a bare "owner/name" an official model.
        model, _, version = body["version"].rpartition(":")
        if VERSIONS.get(version) and model in ("", VERSIONS[version]):
            return self._create(request, VERSIONS[version], version)
        if not model and version in OFFICIAL_MODELS:
            return self._create(request, version, "hidden")
        return _problem(
            422,
            "The specified version does not exist (or perhaps you don't have permission to use it?)",
            title="Invalid version or not permitted",
        )

    def _create_official(self, request: RecordedRequest, model: str) -> Response:
        if model not in OFFICIAL_MODELS:
            return _problem(404, "The requested resource could not be found.")
        if isinstance(request.json, dict) and "version" in request.json:
            return _problem(
                422, "Additional property version is not allowed", title="Invalid request"
            )
        response = self._create(request, model, "hidden")
        response.status = 200 if response.status == 201 else response.status
        return response

    def _create(self, request: RecordedRequest, model: str, version: str) -> Response:
        body = request.json
        problem = _create_problem(request, body, model)
        if problem:
            return problem
        prediction = self._new_prediction(request, body, model, version)
        prefer = request.headers.get("prefer", "")
        if prefer and not prediction.script.outlasts_wait:
            self._finish(prediction)
        if body.get("webhook"):
            threading.Thread(
                target=self._run_with_webhooks, args=(prediction,), daemon=True
            ).start()
        return Response.json(prediction.data, status=201)

    def _new_prediction(
        self, request: RecordedRequest, body: dict[str, Any], model: str, version: str
    ) -> Prediction:
        script = self._scripts.popleft() if self._scripts else PredictionScript()
        prediction_id = base64.b32encode(secrets.token_bytes(15)).decode().lower()
        steps = deque(["processing"] * script.processing_polls + [script.outcome])
        data = {
            "id": prediction_id,
            "model": model,
            "version": version,
            "input": body["input"],
            "logs": "",
            "output": None,
            "data_removed": False,
            "error": None,
            "status": "starting",
            "source": "api",
            "created_at": _now(),
            "started_at": None,
            "completed_at": None,
            "deadline": _deadline(request.headers.get("cancel-after")),
            "urls": {
                "get": f"{self.url}/v1/predictions/{prediction_id}",
                "cancel": f"{self.url}/v1/predictions/{prediction_id}/cancel",
                "web": f"https://replicate.com/p/{prediction_id}",
            },
        }
        events = body.get("webhook_events_filter", ["output", "completed"])
        prediction = Prediction(data, script, steps, body.get("webhook"), events)
        with self.lock:
            self.predictions[prediction_id] = prediction
        return prediction

    def _prediction(self, method: str, prediction_id: str, *, cancel: bool) -> Response:
        prediction = self.predictions.get(prediction_id)
        if prediction is None:
            return _problem(404, "Not found.")
        if cancel and method == "POST":
            self._cancel(prediction)
        elif method == "GET" and not prediction.webhook:
            self._advance(prediction)
        elif method != "GET":
            return _problem(405, "Method not allowed.")
        return Response.json(prediction.data)

    def _advance(self, prediction: Prediction) -> None:
        with self.lock:
            if prediction.finished or not prediction.steps:
                return
            status = prediction.steps.popleft()
            if status == "processing":
                prediction.data |= {
                    "status": "processing",
                    "started_at": prediction.data["started_at"] or _now(),
                }
            else:
                self._finish(prediction)

    def _finish(self, prediction: Prediction) -> None:
        script, data = prediction.script, prediction.data
        with self.lock:
            prediction.steps.clear()
            data["status"] = script.outcome
            data["completed_at"] = _now()
            if script.outcome != "aborted":
                data["started_at"] = data["started_at"] or data["created_at"]
                data["metrics"] = {
                    "predict_time": script.predict_time,
                    "total_time": script.predict_time + 0.4,
                }
            if script.outcome == "failed":
                data["error"] = script.error or "Prediction failed for an unknown reason."
            if script.outcome == "succeeded":
                self._succeed(prediction)

    def _succeed(self, prediction: Prediction) -> None:
        data = prediction.data
        problem = _input_file_problem(self, data["model"], data["input"])
        if problem:
            data |= {"status": "failed", "error": problem}
            return
        if prediction.script.output is not None:
            data["output"] = prediction.script.output
            return
        values = data["input"]
        if prediction.script.output_seconds is not None:
            values = values | {"duration": prediction.script.output_seconds}
        if data["model"] == REMBG:
            values = values | {"image_bytes": self.resolve_file(values["image"])}
        files = _model_output(data["model"], values)
        urls = [
            self._serve_file(data["id"], name, content, prediction.script.expire_outputs)
            for name, content in files
        ]
        data["output"] = urls if data["model"] == SDXL else urls[0]

    def _cancel(self, prediction: Prediction) -> None:
        """Stop it; GPU time used so far is billed, so a started prediction keeps its metrics."""
        with self.lock:
            if prediction.finished:
                return
            if prediction.data["status"] == "processing":
                predict_time = prediction.script.predict_time
                prediction.data["metrics"] = {
                    "predict_time": predict_time,
                    "total_time": predict_time + 0.4,
                }
            prediction.steps.clear()
            prediction.data |= {"status": "canceled", "completed_at": _now()}

    def _run_with_webhooks(self, prediction: Prediction) -> None:
        """Move the prediction on by itself, as Replicate does, and call its webhook."""
        while not prediction.finished:
            time.sleep(STEP_SECONDS)
            was_starting = prediction.data["status"] == "starting"
            self._advance(prediction)
            if was_starting and "start" in prediction.events:
                self._deliver(prediction)
        if "completed" in prediction.events:
            self._deliver(prediction)

    def _deliver(self, prediction: Prediction) -> None:
        if not prediction.script.deliver_webhooks:
            return
        with self.lock:
            payload = json.loads(json.dumps(prediction.data))
        headers, body = self.signed_delivery(payload)
        request = urllib.request.Request(
            prediction.webhook, data=body, headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError as error:
            status = repr(error)
        prediction.deliveries.append({"status": status, "payload": payload, "headers": headers})

    def _version(self, model: str, version: str) -> Response:
        if VERSIONS.get(version) != model:
            return _problem(404, "The requested resource could not be found.")
        output_schema = (
            {"type": "array", "items": {"type": "string", "format": "uri"}}
            if model == SDXL
            else {"type": "string", "format": "uri"}
        )
        schema = {"openapi": "3.0.2", "components": {"schemas": {"Output": output_schema}}}
        return Response.json(
            {"id": version, "created_at": _now(), "cog_version": "0.8.6", "openapi_schema": schema}
        )

    # --- files -----------------------------------------------------------------------

    def _upload(self, request: RecordedRequest) -> Response:
        part = _multipart_part(request, "content")
        if part is None:
            return _problem(400, "Missing file content.")
        file_id = secrets.token_hex(12)
        content = part.get_payload(decode=True) or b""
        content_type = part.get_content_type()
        self.uploads[file_id] = StoredFile(content, content_type)
        return Response.json(
            {
                "id": file_id,
                "name": part.get_filename() or "file",
                "content_type": content_type,
                "size": len(content),
                "etag": hashlib.md5(content).hexdigest(),
                "checksums": {
                    "sha256": hashlib.sha256(content).hexdigest(),
                    "md5": hashlib.md5(content).hexdigest(),
                },
                "metadata": {},
                "created_at": _now(),
                "expires_at": (datetime.now(UTC) + timedelta(days=1)).isoformat(),
                "urls": {"get": f"{self.url}/v1/files/{file_id}"},
            },
            status=201,
        )

    def _serve_file(self, prediction_id: str, name: str, content: bytes, expired: bool) -> str:
        path = f"/delivery/{prediction_id}/{name}"
        content_type = {
            "png": "image/png",
            "jpg": "image/jpeg",
            "mp4": "video/mp4",
            "wav": "audio/wav",
        }[name.rsplit(".", 1)[1]]
        self.files[path] = StoredFile(content, content_type, expired)
        return f"{self.url}{path}"

    def _download(self, request: RecordedRequest) -> Response:
        if request.headers.get("authorization") != f"Bearer {self.api_token}":
            return Response(status=401, body=b"Unauthorized")
        stored = self.files.get(request.path)
        if stored is None or stored.expired:
            return Response(status=404, body=b"Not Found", headers={"Content-Type": "text/plain"})
        with self.lock:
            corruption = self._corruptions.popleft() if self._corruptions else None
        if corruption:
            return _corrupted(stored, corruption)
        return Response(body=stored.content, headers={"Content-Type": stored.content_type})

    def resolve_file(self, url: str) -> bytes | None:
        """The bytes behind an input URL a model would fetch: a data URL or an uploaded file."""
        if url.startswith("data:"):
            return base64.b64decode(url.split(",", 1)[1])
        match = FILE_PATH_RE.match(url.removeprefix(self.url))
        stored = self.uploads.get(match["id"]) if match else None
        return stored.content if stored else None


def sign(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """The Standard Webhooks signature of a delivery (docs/providers.md, Webhooks)."""
    key = base64.b64decode(secret.split("_", 1)[1])
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    return base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def _problem(status: int, detail: str, *, title: str | None = None) -> Response:
    body: dict[str, Any] = {"detail": detail, "status": status}
    if title:
        body["title"] = title
    return Response.json(body, status=status, headers={"Content-Type": "application/problem+json"})


def _corrupted(stored: StoredFile, kind: str) -> Response:
    if kind == "truncated":
        body, content_type = stored.content[: len(stored.content) * 2 // 3], stored.content_type
    elif kind == "html":
        body, content_type = ERROR_PAGE, "text/html; charset=utf-8"
    elif kind == "junk":
        body, content_type = bytes(range(256)) * 64, stored.content_type
    else:
        raise ValueError(f"Unknown corruption {kind!r}.")
    return Response(body=body, headers={"Content-Type": content_type})


def _create_problem(request: RecordedRequest, body: Any, model: str) -> Response | None:
    if not isinstance(body, dict) or not isinstance(body.get("input"), dict):
        return _problem(422, "- input: input is required", title="Input validation failed")
    extra = set(body) - CREATE_KEYS
    if extra:
        return _problem(
            422, f"Additional property {sorted(extra)[0]} is not allowed", title="Invalid request"
        )
    prefer = request.headers.get("prefer")
    if prefer is not None and not PREFER_RE.match(prefer):
        return _problem(400, f"Invalid Prefer header {prefer!r}.")
    cancel_after = request.headers.get("cancel-after")
    if cancel_after is not None and (_seconds(cancel_after) or 0) < 5:
        return _problem(
            400, f"Invalid Cancel-After header {cancel_after!r}: use a duration of at least 5s."
        )
    problems = _input_problems(model, body["input"]) + _webhook_problems(body)
    if problems:
        return _problem(
            422, "".join(f"- {problem}\n" for problem in problems), title="Input validation failed"
        )
    return None


def _input_problems(model: str, values: dict[str, Any]) -> list[str]:
    problems = [
        f"input: {name} is required"
        for name in REQUIRED_INPUTS.get(model, ())
        if name not in values
    ]
    for name, allowed in ENUM_INPUTS.get(model, {}).items():
        if name in values and values[name] not in allowed:
            problems.append(
                f"input.{name}: {name} must be one of the following: {', '.join(allowed)}"
            )
    for name, (low, high) in RANGE_INPUTS.get(model, {}).items():
        if name in values and not (isinstance(values[name], int) and low <= values[name] <= high):
            problems.append(f"input.{name}: Must be an integer between {low} and {high}")
    return problems


def _webhook_problems(body: dict[str, Any]) -> list[str]:
    webhook = body.get("webhook")
    problems = []
    # The real API wants https; plain http is allowed for loopback so tests can use live_server.
    if webhook is not None and not re.match(
        r"^(https://|http://(127\.0\.0\.1|localhost)[:/])", webhook
    ):
        problems.append("webhook: must be a valid HTTPS URL")
    for event in body.get("webhook_events_filter") or []:
        if event not in EVENTS:
            problems.append(f"webhook_events_filter: {event} is not one of {', '.join(EVENTS)}")
    return problems


def _input_file_problem(fake: FakeReplicate, model: str, values: dict[str, Any]) -> str | None:
    """What the model says when an image input is not a fetchable image (a local path, say)."""
    for name in IMAGE_INPUTS.get(model, ()):
        if name not in values:
            continue
        content = fake.resolve_file(str(values[name]))
        if content is None:
            return f"Could not fetch {name}: {values[name]!r} is not a URL the model can read."
        try:
            Image.open(io.BytesIO(content)).verify()
        except (UnidentifiedImageError, OSError):
            return f"cannot identify image file for {name}"
    if model == SDXL and (values.get("width", 1024) % 8 or values.get("height", 1024) % 8):
        return f"`height` and `width` have to be divisible by 8 but are {values.get('height')} and {values.get('width')}."
    return None


def _model_output(model: str, values: dict[str, Any]) -> list[tuple[str, bytes]]:
    """The files the model would produce for these inputs, as (name, bytes)."""
    if model == SDXL:
        size = (values.get("width", 1024), values.get("height", 1024))
        return [
            (f"out-{index}.png", png_bytes(size, index))
            for index in range(values.get("num_outputs", 1))
        ]
    if model == SVD:
        frames = 25 if values.get("video_length") == "25_frames_with_svd_xt" else 14
        return [
            ("output.mp4", mp4_bytes(frames, values.get("frames_per_second", 6), SVD_FRAME_SIZE))
        ]
    if model == REMBG:
        return [("output.png", rembg_bytes(values["image_bytes"]))]
    if model == MUSICGEN:
        extension = values.get("output_format", "wav")
        return [(f"out.{extension}", wav_bytes(values.get("duration", 8)))]
    extension = values.get("output_format", "png")
    return [
        (
            f"output.{extension}",
            png_bytes(KONTEXT_FRAME_SIZE, 7, "PNG" if extension == "png" else "JPEG"),
        )
    ]


@cache
def png_bytes(size: tuple[int, int], variant: int = 0, image_format: str = "PNG") -> bytes:
    """A two-tone picture, so a resize or crop shows in the pixels."""
    image = Image.new("RGB", size, (40 + 30 * variant % 200, 90, 160))
    image.paste((230, 200, 60), (0, 0, size[0] // 2, size[1] // 2))
    buffer = io.BytesIO()
    image.save(buffer, format=image_format)
    return buffer.getvalue()


def rembg_bytes(image: bytes) -> bytes:
    """The input with every pixel near its top-left corner's colour transparent, as rembg's PNG."""
    with Image.open(io.BytesIO(image)) as source:
        rgba = source.convert("RGBA")
    corner = rgba.getpixel((0, 0))
    alpha = [
        0 if sum(abs(a - b) for a, b in zip(pixel[:3], corner[:3], strict=True)) < 60 else 255
        for pixel in rgba.get_flattened_data()
    ]
    mask = Image.new("L", rgba.size)
    mask.putdata(alpha)
    rgba.putalpha(mask)
    buffer = io.BytesIO()
    rgba.save(buffer, format="PNG")
    return buffer.getvalue()


@cache
def mp4_bytes(frames: int, fps: int, size: tuple[int, int]) -> bytes:
    with tempfile.TemporaryDirectory() as directory:
        output = Path(directory) / "clip.mp4"
        command = [
            ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
            "-f", "lavfi", "-i", f"testsrc2=s={size[0]}x{size[1]}:r={fps}",
            "-frames:v", str(frames), "-c:v", "libx264", "-pix_fmt", "yuv420p", str(output),
        ]  # fmt: skip
        subprocess.run(command, check=True, capture_output=True, timeout=60)
        return output.read_bytes()


@cache
def wav_bytes(seconds: float, rate: int = MUSICGEN_SAMPLE_RATE) -> bytes:
    """Stereo 16-bit silence with a click each second, MusicGen's format."""
    frames = bytearray(int(seconds * rate) * 4)
    for second in range(int(seconds)):
        frames[second * rate * 4 : second * rate * 4 + 4] = b"\xff\x3f\xff\x3f"
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as output:
        output.setnchannels(2)
        output.setsampwidth(2)
        output.setframerate(rate)
        output.writeframes(bytes(frames))
    return buffer.getvalue()


def _multipart_part(request: RecordedRequest, name: str) -> Any:
    head = f"Content-Type: {request.headers.get('content-type', '')}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + request.body)
    if not message.is_multipart():
        return None
    return next(
        (
            part
            for part in message.iter_parts()
            if part.get_param("name", header="content-disposition") == name
        ),
        None,
    )


def _seconds(duration: str) -> int | None:
    match = CANCEL_AFTER_RE.match(duration)
    if not match or not any(match.groups()):
        return None
    hours, minutes, seconds = (int(group or 0) for group in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def _deadline(cancel_after: str | None) -> str | None:
    seconds = _seconds(cancel_after) if cancel_after else None
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat() if seconds else None


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")
