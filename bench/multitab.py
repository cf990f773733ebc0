"""How fast the user's own chat message appears with the project open in 1, 2 and 5 tabs.

    .venv/bin/python bench/multitab.py [--sends 8]

Starts the app the way `make run` does (daphne, workers, beat; SQLite, the local providers) on
a free port with a throwaway database and Redis database 5, opens N tabs of one project's
Brief page in headless Chromium, and in the first tab sends messages: the time from the click
to the user's bubble on the page, median and worst, for N = 1, 2, 5. Needs Debian's chromium.
"""

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import redis
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PASSWORD = "a long walk 2026!"
TAB_COUNTS = (1, 2, 5)


def start_app(home: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0] + "/5"
    redis.Redis.from_url(redis_url).flushdb()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{home / 'app.sqlite3'}",
        "REELSMITH_VAR_DIR": str(home),
        "MEDIA_ROOT": str(home / "media"),
        "REDIS_URL": redis_url,
        "REELSMITH_QUALITY": "preview",
        "OPENAI_API_KEY": "",
        "REPLICATE_API_TOKEN": "",
        "PORT": str(port),
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    app = subprocess.Popen(
        [sys.executable, "-m", "config.launch", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(180):
        try:
            if urllib.request.urlopen(f"{url}/health", timeout=2).status == 200:
                return app, url
        except OSError:
            time.sleep(0.5)
    raise SystemExit("The app did not start.")


def sign_up_with_a_project(page, url: str) -> str:
    page.goto(f"{url}/accounts/signup/")
    page.fill("input[name=email]", f"bench-{uuid.uuid4().hex[:8]}@example.com")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url("**/projects/")
    page.fill("input[name=title]", "Tabs")
    page.click("form.create-form button")
    page.click("a:has-text('Tabs')")
    page.wait_for_url("**/brief")
    return page.url


def time_sends(page, sends: int) -> list[float]:
    times = []
    for n in range(sends):
        text = f"Message {n} {uuid.uuid4().hex[:6]}"
        answered = page.locator(".bubble-assistant.bubble-done").count()
        page.fill("textarea[name=content]", text)
        started = time.perf_counter()
        page.click("#chat-form button")
        page.locator(".bubble-user", has_text=text).wait_for()
        times.append((time.perf_counter() - started) * 1000)
        page.locator(".bubble-assistant.bubble-done").nth(answered).wait_for()
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sends", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reelsmith-multitab-") as home:
        app, url = start_app(Path(home))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
                )
                for tabs in TAB_COUNTS:
                    context = browser.new_context()
                    first = context.new_page()
                    brief = sign_up_with_a_project(first, url)
                    for _ in range(tabs - 1):
                        context.new_page().goto(brief)
                    # The user types in the tab in front; Chromium slows timers of tabs behind.
                    first.bring_to_front()
                    times = time_sends(first, args.sends)
                    print(
                        f"{tabs} tab(s): own message shown after median "
                        f"{statistics.median(times):6.1f} ms, worst {max(times):6.1f} ms "
                        f"({len(times)} sends)",
                        flush=True,
                    )
                    context.close()
                browser.close()
        finally:
            os.killpg(app.pid, signal.SIGINT)
            app.wait(timeout=30)


if __name__ == "__main__":
    main()
