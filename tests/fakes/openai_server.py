"""A fake of OpenAI's Chat Completions API (docs/providers.md), for the real `openai` SDK.

    with FakeOpenAI() as fake:                       # base_url: http://127.0.0.1:PORT/v1
        fake.reply({"title": "..."})                 # the next completion's content
        fake.rate_limit(retry_after_ms=50)           # the one after answers 429
        OpenAI(api_key=fake.api_key, base_url=fake.base_url).chat.completions.create(...)

Scripted replies are used in order; with none left it answers a minimal instance of the
requested JSON schema (or a short text). A request with `stream: true` gets the same reply
as Server-Sent Events. Strict schemas are checked the way the API checks them.
"""

import json
import re
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tests.fakes import FakeServer, RecordedRequest, Response

CHAT_PATH = "/v1/chat/completions"
MODERATION_PATH = "/v1/moderations"
MODERATION_MODEL = "omni-moderation-latest"
# OpenAI's moderation categories (omni-moderation-latest), as its results name them.
MODERATION_CATEGORIES = (
    "harassment",
    "harassment/threatening",
    "hate",
    "hate/threatening",
    "illicit",
    "illicit/violent",
    "self-harm",
    "self-harm/instructions",
    "self-harm/intent",
    "sexual",
    "sexual/minors",
    "violence",
    "violence/graphic",
)
DEFAULT_API_KEY = "sk-test-fake-key"
DEFAULT_TEXT = "Tell me more about the product."
CREATED = 1700000000
CHUNK_RE = re.compile(r"\S+\s*|\s+")


@dataclass
class Reply:
    content: str | None = None
    refusal: str | None = None
    finish_reason: str = "stop"
    prompt_tokens: int = 25
    completion_tokens: int = 10
    chunks: list[str] | None = None  # how a stream splits `content`; words by default
    stream_error: str | None = None  # an SSE `error` event sent after the content
    stream_stall: float = 0.0  # seconds of silence after the content, before the stream ends
    broken_chunk_at: int | None = None  # a chunk of broken JSON instead of content chunk N
    ends_early: bool = False  # the stream stops (with [DONE]) before any finish_reason
    no_choices: bool = False  # `choices: []`, as a broken proxy or an API fault may send
    delay: float = 0.0


@dataclass
class ErrorReply:
    status: int
    error: dict[str, Any]
    headers: dict[str, str]


class FakeOpenAI(FakeServer):
    def __init__(self, api_key: str = DEFAULT_API_KEY) -> None:
        super().__init__()
        self.api_key = api_key
        self.script: deque[Reply | ErrorReply] = deque()
        self._completions = 0
        self.flagged_terms: dict[str, str] = {}

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    @property
    def moderation_requests(self) -> list[dict[str, Any]]:
        return [request.json for request in self.requests_to("POST", MODERATION_PATH)]

    @property
    def chat_requests(self) -> list[dict[str, Any]]:
        return [request.json for request in self.requests_to("POST", CHAT_PATH)]

    # --- scripting -------------------------------------------------------------------

    def reply(self, content: str | dict | list, **options: Any) -> None:
        text = content if isinstance(content, str) else json.dumps(content)
        self.script.append(Reply(content=text, **options))

    def refuse(self, refusal: str = "I'm sorry, I can't help with that request.") -> None:
        self.script.append(Reply(refusal=refusal))

    def filter_content(self, partial: str = "") -> None:
        self.script.append(Reply(content=partial or None, finish_reason="content_filter"))

    def fail(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        error = _error_body(message, type=type, code=code, param=param)
        self.script.append(ErrorReply(status, error, headers or {}))

    def rate_limit(
        self, *, retry_after_ms: int | None = None, retry_after: str | None = None
    ) -> None:
        headers = {}
        if retry_after_ms is not None:
            headers["retry-after-ms"] = str(retry_after_ms)
        if retry_after is not None:
            headers["retry-after"] = retry_after
        self.fail(
            429,
            "Rate limit reached for gpt-4o-mini in organization org-fake on requests per min (RPM): "
            "Limit 3, Used 3, Requested 1. Please try again in 20s.",
            type="requests",
            code="rate_limit_exceeded",
            headers=headers,
        )

    def quota_exceeded(self) -> None:
        self.fail(
            429,
            "You exceeded your current quota, please check your plan and billing details.",
            type="insufficient_quota",
            code="insufficient_quota",
        )

    def server_error(self, status: int = 500) -> None:
        self.fail(
            status, "The server had an error while processing your request.", type="server_error"
        )

    def malformed(self, kind: str) -> None:
        """The next answer is broken: "no_choices", "not_json" or "off_schema" (valid JSON,
        the wrong shape), as the API sometimes sends despite strict mode."""
        replies = {
            "no_choices": Reply(content=DEFAULT_TEXT, no_choices=True),
            "not_json": Reply(content='{"product": "Glow'),
            "off_schema": Reply(content=json.dumps({"answer": "Here is your plan!"})),
        }
        self.script.append(replies[kind])

    def flag(self, term: str, category: str = "violence") -> None:
        """Moderation flags any input containing `term` (any case) under `category`."""
        self.flagged_terms[term.lower()] = category

    def stall(self, seconds: float) -> None:
        """The next request is answered only after `seconds` (to trip a client timeout)."""
        self.script.append(Reply(content=DEFAULT_TEXT, delay=seconds))

    # --- serving ---------------------------------------------------------------------

    def handle(self, request: RecordedRequest) -> Response:
        if request.method == "POST" and request.path == MODERATION_PATH:
            return self._moderate(request)
        if request.method != "POST" or request.path != CHAT_PATH:
            return _error(404, f"Invalid URL ({request.method} {request.path})")
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return _error(
                401,
                "Incorrect API key provided: sk-abc***. You can find your API key at "
                "https://platform.openai.com/account/api-keys.",
                code="invalid_api_key",
            )
        body = request.json
        problem = _request_problem(body)
        if problem:
            return _error(400, problem, param="response_format")
        return self._answer(body)

    def _moderate(self, request: RecordedRequest) -> Response:
        """POST /v1/moderations: one result per input, flagged when it holds a flagged term."""
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return _error(401, "Incorrect API key provided.", code="invalid_api_key")
        body = request.json or {}
        inputs = body.get("input")
        if not inputs:
            return _error(400, "Missing required parameter: 'input'.", param="input")
        texts = [inputs] if isinstance(inputs, str) else inputs
        results = [self._moderation_result(text) for text in texts]
        model = body.get("model") or MODERATION_MODEL
        return Response.json({"id": f"modr-fake{len(texts)}", "model": model, "results": results})

    def _moderation_result(self, text: str) -> dict[str, Any]:
        hits = {category for term, category in self.flagged_terms.items() if term in text.lower()}
        return {
            "flagged": bool(hits),
            "categories": {name: name in hits for name in MODERATION_CATEGORIES},
            "category_scores": {
                name: 0.97 if name in hits else 0.0001 for name in MODERATION_CATEGORIES
            },
            "category_applied_input_types": {
                name: ["text"] if name in hits else [] for name in MODERATION_CATEGORIES
            },
        }

    def _answer(self, body: dict[str, Any]) -> Response:
        scripted = self.script.popleft() if self.script else None
        if isinstance(scripted, ErrorReply):
            return _error(scripted.status, headers=scripted.headers, **scripted.error)
        reply = scripted or _default_reply(body)
        self._completions += 1
        completion_id = f"chatcmpl-fake{self._completions}"
        if body.get("stream"):
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            events = _sse(completion_id, body["model"], reply, include_usage)
            return Response(
                body=events, headers={"Content-Type": "text/event-stream"}, delay=reply.delay
            )
        completion = _completion(completion_id, body["model"], reply)
        response = Response.json(completion, headers={"x-request-id": f"req_{completion_id}"})
        response.delay = reply.delay
        return response


def _error(
    status: int,
    message: str,
    *,
    type: str = "invalid_request_error",
    code: str | None = None,
    param: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    error = _error_body(message, type=type, code=code, param=param)
    return Response.json({"error": error}, status=status, headers=headers)


def _error_body(message: str, *, type: str, code: str | None, param: str | None) -> dict[str, Any]:
    """OpenAI's error object, as the SDK reads it from `body["error"]`."""
    return {"message": message, "type": type, "param": param, "code": code}


def _request_problem(body: Any) -> str | None:
    if not isinstance(body, dict) or not body.get("model"):
        return "you must provide a model parameter"
    if not isinstance(body.get("messages"), list) or not body["messages"]:
        return "Missing required parameter: 'messages'."
    response_format = body.get("response_format") or {}
    if response_format.get("type") != "json_schema":
        return None
    spec = response_format.get("json_schema") or {}
    if not spec.get("name"):
        return "Missing required parameter: 'response_format.json_schema.name'."
    if spec.get("strict"):
        return _strict_problem(spec["name"], spec.get("schema") or {}, ())
    return None


def _strict_problem(name: str, schema: dict[str, Any], context: tuple[str, ...]) -> str | None:
    """What the API says about a schema that strict mode cannot use, as it says it."""
    prefix = f"Invalid schema for response_format '{name}': In context={context}, "
    if _types(schema) == {"object"} or "properties" in schema:
        properties = schema.get("properties", {})
        if schema.get("additionalProperties") is not False:
            return prefix + "'additionalProperties' is required to be supplied and to be false."
        missing = [key for key in properties if key not in schema.get("required", [])]
        if missing:
            return (
                prefix
                + f"'required' is required to be supplied and to be an array including every key in properties. Missing '{missing[0]}'."
            )
        for key, child in properties.items():
            problem = _strict_problem(name, child, (*context, "properties", key))
            if problem:
                return problem
    if "items" in schema:
        return _strict_problem(name, schema["items"], (*context, "items"))
    return None


def _types(schema: dict[str, Any]) -> set[str]:
    declared = schema.get("type", [])
    return {declared} if isinstance(declared, str) else set(declared)


def _default_reply(body: dict[str, Any]) -> Reply:
    response_format = body.get("response_format") or {}
    if response_format.get("type") == "json_schema":
        return Reply(content=json.dumps(example_for(response_format["json_schema"]["schema"])))
    return Reply(content=DEFAULT_TEXT)


def example_for(schema: dict[str, Any]) -> Any:
    """The smallest value that fits `schema` (nulls where allowed, empty lists)."""
    types = _types(schema)
    if "null" in types:
        return None
    if "enum" in schema:
        return schema["enum"][0]
    if "object" in types:
        return {key: example_for(child) for key, child in schema.get("properties", {}).items()}
    if "array" in types:
        return [example_for(schema["items"]) for _ in range(schema.get("minItems", 0))]
    if types & {"integer", "number"}:
        return schema.get("minimum", 1)
    if "boolean" in types:
        return False
    return "example"


def _completion(completion_id: str, model: str, reply: Reply) -> dict[str, Any]:
    message = {
        "role": "assistant",
        "content": reply.content,
        "refusal": reply.refusal,
        "annotations": [],
    }
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": CREATED,
        "model": model,
        "choices": []
        if reply.no_choices
        else [
            {"index": 0, "message": message, "logprobs": None, "finish_reason": reply.finish_reason}
        ],
        "usage": _usage(reply),
        "service_tier": "default",
        "system_fingerprint": "fp_fake",
    }


def _usage(reply: Reply) -> dict[str, Any]:
    return {
        "prompt_tokens": reply.prompt_tokens,
        "completion_tokens": reply.completion_tokens,
        "total_tokens": reply.prompt_tokens + reply.completion_tokens,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
    }


def _sse(completion_id: str, model: str, reply: Reply, include_usage: bool) -> Iterator[bytes]:
    def chunk(choices: list[dict[str, Any]], **extra: Any) -> bytes:
        data = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": CREATED,
            "model": model,
            "choices": choices,
            **extra,
        }
        return f"data: {json.dumps(data)}\n\n".encode()

    def delta(content: dict[str, Any], finish_reason: str | None = None) -> list[dict[str, Any]]:
        return [{"index": 0, "delta": content, "finish_reason": finish_reason}]

    yield chunk(delta({"role": "assistant", "content": ""}))
    if reply.refusal:
        yield chunk(delta({"refusal": reply.refusal}))
    for index, piece in enumerate(reply.chunks or CHUNK_RE.findall(reply.content or "")):
        if index == reply.broken_chunk_at:
            yield f'data: {{"id": "{completion_id}", "choices": [{{"delta": {{"cont\n\n'.encode()
            return
        yield chunk(delta({"content": piece}))
    time.sleep(reply.stream_stall)
    if reply.ends_early:
        yield b"data: [DONE]\n\n"
        return
    if reply.stream_error:
        error = {"message": reply.stream_error, "type": "server_error", "param": None, "code": None}
        yield f"data: {json.dumps({'error': error})}\n\n".encode()
        return
    yield chunk(delta({}, reply.finish_reason))
    if include_usage:
        yield chunk([], usage=_usage(reply))
    yield b"data: [DONE]\n\n"
