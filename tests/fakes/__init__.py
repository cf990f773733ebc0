"""Local HTTP fakes of the external APIs, driven by the real SDKs (see docs/providers.md).

Each fake is a threaded `http.server` on 127.0.0.1 with a random port. It records every
request it receives and answers from a script the test sets up, so a test checks both
what the backend sent and how it handled the answer.
"""

import contextlib
import json
import threading
import time
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

SHUTDOWN_POLL_SECONDS = 0.01


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # keys lower-cased
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class Response:
    status: int = 200
    body: bytes | Iterable[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to stall before answering, to trip client timeouts
    drop: bool = False  # close the connection without answering

    @classmethod
    def json(
        cls, data: Any, status: int = 200, headers: dict[str, str] | None = None
    ) -> "Response":
        headers = {"Content-Type": "application/json", **(headers or {})}
        return cls(status=status, body=json.dumps(data).encode(), headers=headers)


class FakeServer:
    """A recording HTTP server; subclasses answer in `handle`."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.errors: list[str] = []  # tracebacks raised by `handle`, so a test can fail on them
        self.lock = threading.RLock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.fake = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": SHUTDOWN_POLL_SECONDS},
            daemon=True,
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def handle(self, request: RecordedRequest) -> Response:
        raise NotImplementedError

    def requests_to(self, method: str, path: str) -> list[RecordedRequest]:
        with self.lock:
            return [r for r in self.requests if r.method == method and r.path == path]

    def _dispatch(self, request: RecordedRequest) -> Response:
        with self.lock:
            self.requests.append(request)
        try:
            return self.handle(request)
        except Exception:
            self.errors.append(traceback.format_exc())
            return Response.json({"detail": "fake server error"}, status=500)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        request = RecordedRequest(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query),
            headers={key.lower(): value for key, value in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
        )
        response = self.server.fake._dispatch(request)  # type: ignore[attr-defined]
        time.sleep(response.delay)
        if response.drop:
            self.close_connection = True
            return
        # A client that gave up (a timeout test) has nothing left to be told.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._write(response)

    def _write(self, response: Response) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if isinstance(response.body, bytes):
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            self.wfile.write(response.body)
            return
        self.end_headers()
        for chunk in response.body:
            self.wfile.write(chunk)
            self.wfile.flush()
