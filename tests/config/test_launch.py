import os
import signal
import subprocess
import sys

import redis

from config import launch


def test_an_embedded_redis_starts_when_none_answers(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setattr(launch, "DEFAULT_REDIS", "redis://127.0.0.1:1")
    server = launch.prepare_redis("test")
    try:
        assert server is not None
        url = launch.os.environ["REDIS_URL"]
        assert url.endswith("/1")
        assert redis.Redis.from_url(url).ping()
    finally:
        server.stop()


def test_a_reachable_redis_is_used_as_it_is(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setattr(launch, "redis_answers", lambda url: True)
    assert launch.prepare_redis("run") is None
    assert launch.os.environ["REDIS_URL"] == f"{launch.DEFAULT_REDIS}/0"


def test_an_explicit_redis_url_wins(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://elsewhere:6379/3")
    assert launch.prepare_redis("run") is None
    assert launch.os.environ["REDIS_URL"] == "redis://elsewhere:6379/3"


def test_ctrl_c_stops_make_run_quietly(tmp_path):
    """Ctrl+C reaches the whole process group; the launcher waits for its children, exits 0."""
    script = tmp_path / "fake_run.py"
    script.write_text(
        "import sys, time\n"
        "from config import launch\n"
        "launch.prepare_redis = lambda mode: None\n"
        "child = \"print('ready', flush=True); import time; time.sleep(30)\"\n"
        "launch.command_for = lambda mode, args: [sys.executable, '-c', child]\n"
        "sys.argv = ['launch', 'run']\n"
        "sys.exit(launch.main())\n"
    )
    process = subprocess.Popen(
        [sys.executable, str(script)],
        cwd=launch.BASE_DIR,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "PYTHONPATH": str(launch.BASE_DIR)},
    )
    # The child runs: the launcher is waiting on it, as when a user presses Ctrl+C.
    assert process.stdout.readline().strip() == "ready"

    os.killpg(process.pid, signal.SIGINT)

    assert process.wait(timeout=20) == 0
