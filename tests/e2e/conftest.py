"""The app started the way `make run` starts it, and Debian's Chromium driven by Playwright.

The app runs from `config.launch run` (daphne, the io and media Celery workers, beat) on a free
port, with its own SQLite database, media folder and Redis database, the local providers and
the `preview` quality profile. Playwright is opened per test module rather than through
pytest-playwright's session fixtures: a Playwright event loop left running would make every
later Django test in the process refuse database calls as "async unsafe".
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
START_TIMEOUT = 90
E2E_REDIS_DB = 2
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
PASSWORD = "a long walk 2026!"


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(
        reason=f"Chromium not found at {CHROMIUM}: install Debian's `chromium` package "
        "(`sudo apt-get install chromium`; `make test` does it when run as root) or set "
        "CHROMIUM_PATH, to run the browser tests."
    )
    for item in items:
        if "e2e" in item.nodeid:
            item.add_marker(skip)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_url_for_app() -> str:
    base = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/1")
    return base.rsplit("/", 1)[0] + f"/{E2E_REDIS_DB}"


@dataclass
class LiveApp:
    url: str
    media_root: Path
    log: Path
    env: dict[str, str] = field(default_factory=dict)

    def manage(self, *args: str) -> str:
        """Run a manage.py command against the app's own database; its output."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return result.stdout


@pytest.fixture(scope="session")
def live_app(tmp_path_factory) -> Iterator[LiveApp]:
    home = tmp_path_factory.mktemp("e2e-app")
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{home / 'app.sqlite3'}",
        "REELSMITH_VAR_DIR": str(home),
        "MEDIA_ROOT": str(home / "media"),
        "REDIS_URL": redis_url_for_app(),
        "REELSMITH_QUALITY": "preview",
        "OPENAI_API_KEY": "",
        "REPLICATE_API_TOKEN": "",
        "DEBUG": "1",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "IO_CONCURRENCY": "8",
        "MEDIA_CONCURRENCY": "2",
    }
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    _flush_redis(env["REDIS_URL"])
    log = home / "app.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "config.launch", "run"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    app = LiveApp(url=f"http://127.0.0.1:{port}", media_root=home / "media", log=log, env=env)
    try:
        _wait_until_healthy(app, process)
        yield app
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def _wait_until_healthy(app: LiveApp, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"The app exited: {app.log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{app.url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"The app did not become healthy: {app.log.read_text()[-3000:]}")


@dataclass
class Watch:
    """Console errors, uncaught page errors and 5xx responses of every page of a context."""

    problems: list[str] = field(default_factory=list)

    def attach(self, page) -> None:
        page.on(
            "console",
            lambda message: (
                self.problems.append(f"console: {message.text} @ {page.url}")
                if message.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on(
            "response",
            lambda response: (
                self.problems.append(f"HTTP {response.status} {response.url}")
                if response.status >= 500
                else None
            ),
        )


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def watch() -> Watch:
    return Watch()


def new_page(browser, watch: Watch, viewport: dict):
    phone = viewport["width"] < 500
    context = browser.new_context(
        viewport=viewport, is_mobile=phone, has_touch=phone, accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    watch.attach(page)
    return page
