"""An SSE client over the ASGI app itself: channels' ApplicationCommunicator, body chunk by chunk."""

import json
from dataclasses import dataclass, field

from channels.testing import ApplicationCommunicator

from config.asgi import application

TIMEOUT = 5


@dataclass
class SseEvent:
    id: int | None
    name: str
    data: dict


@dataclass
class SseClient:
    communicator: ApplicationCommunicator
    status: int
    headers: dict[str, str]
    buffer: str = ""
    comments: list[str] = field(default_factory=list)
    ended: bool = False

    async def next_event(self, timeout: float = TIMEOUT) -> SseEvent:
        """The next event (comments are kept in `comments`); raises AssertionError at the end."""
        while True:
            block, separator, rest = self.buffer.partition("\n\n")
            if separator:
                self.buffer = rest
                event = _parse(block, self.comments)
                if event is not None:
                    return event
                continue
            assert not self.ended, "the stream ended"
            await self._read(timeout)

    async def read_to_end(self, timeout: float = TIMEOUT) -> list[SseEvent]:
        events = []
        while not self.ended or "\n\n" in self.buffer:
            if "\n\n" in self.buffer:
                event = _parse(self.buffer.partition("\n\n")[0], self.comments)
                self.buffer = self.buffer.partition("\n\n")[2]
                if event is not None:
                    events.append(event)
                continue
            await self._read(timeout)
        return events

    async def _read(self, timeout: float) -> None:
        message = await self.communicator.receive_output(timeout)
        assert message["type"] == "http.response.body"
        self.buffer += message.get("body", b"").decode()
        self.ended = not message.get("more_body", False)

    async def close(self) -> None:
        await self.communicator.send_input({"type": "http.disconnect"})
        await self.communicator.wait(timeout=TIMEOUT)


def _parse(block: str, comments: list[str]) -> SseEvent | None:
    fields: dict[str, str] = {}
    for line in block.split("\n"):
        if line.startswith(":"):
            comments.append(line[1:].strip())
            continue
        name, _, value = line.partition(": ")
        fields[name] = value
    if "event" not in fields:
        return None
    return SseEvent(
        id=int(fields["id"]) if "id" in fields else None,
        name=fields["event"],
        data=json.loads(fields["data"]),
    )


async def open_stream(path: str, secret: str, *, last_event_id: int | None = None) -> SseClient:
    headers = [(b"host", b"testserver"), (b"authorization", f"Bearer {secret}".encode())]
    if last_event_id is not None:
        headers.append((b"last-event-id", str(last_event_id).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    communicator = ApplicationCommunicator(application, scope)
    await communicator.send_input({"type": "http.request", "body": b"", "more_body": False})
    start = await communicator.receive_output(TIMEOUT)
    assert start["type"] == "http.response.start"
    client = SseClient(
        communicator=communicator,
        status=start["status"],
        headers={key.decode().lower(): value.decode() for key, value in start["headers"]},
    )
    return client
