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


FAKE_RUN = """
import sys
from config import launch

launch.prepare_redis = lambda mode: None
launch.procfile_commands = lambda: {COMMANDS!r}
sys.argv = ["launch", "run"]
sys.exit(launch.main())
"""
STEADY = f"{sys.executable} -c \"print('ready', flush=True); import time; time.sleep(60)\""


def start_fake_run(tmp_path, commands: dict[str, str]) -> subprocess.Popen:
    """`make run` with these Procfile commands, in its own session as under a terminal."""
    script = tmp_path / "fake_run.py"
    script.write_text(FAKE_RUN.replace("{COMMANDS!r}", repr(commands)))
    return subprocess.Popen(
        [sys.executable, str(script)],
        cwd=launch.BASE_DIR,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "PYTHONPATH": str(launch.BASE_DIR)},
    )


def lines_until(stream, wanted: str) -> list[str]:
    """The lines read until one containing `wanted` (or the end of the output)."""
    lines = []
    for line in stream:
        lines.append(line.rstrip("\n"))
        if wanted in line:
            break
    return lines


def test_ctrl_c_stops_make_run_quietly(tmp_path):
    """Ctrl+C reaches the launcher; it stops its children, waits for them and exits 0."""
    process = start_fake_run(tmp_path, {"child": STEADY})
    assert lines_until(process.stdout, "child.1 | ready")[-1].endswith("child.1 | ready")

    os.killpg(process.pid, signal.SIGINT)

    assert process.wait(timeout=20) == 0


def test_a_crashed_process_restarts_with_backoff_while_the_others_keep_running(tmp_path):
    process = start_fake_run(tmp_path, {"steady": STEADY, "crasher": "sh -c 'echo boom; exit 3'"})
    lines = lines_until(process.stdout, "restarting in 4 s")
    os.killpg(process.pid, signal.SIGINT)
    lines += process.stdout.read().splitlines()

    assert process.wait(timeout=20) == 0
    output = "\n".join(lines)
    assert output.count("crasher.1 | boom") == 3
    assert "crasher.1 exited with code 3; restarting in 1 s" in output
    assert "crasher.1 exited with code 3; restarting in 2 s" in output
    assert output.count("steady.1  | ready") == 1
    assert "steady.1 exited" not in output


def test_restart_delays_double_up_to_thirty_seconds():
    assert [launch.restart_delay(n) for n in range(1, 9)] == [1, 2, 4, 8, 16, 30, 30, 30]


def test_every_procfile_process_is_supervised():
    assert list(launch.read_procfile(launch.BASE_DIR / "Procfile")) == [
        "web",
        "io",
        "media",
        "beat",
    ]
