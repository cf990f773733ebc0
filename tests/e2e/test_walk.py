"""The whole flow in Chromium, as a marketer walks it, at desktop and at phone width.

Sign up, create a project, chat the brief complete, pick a mood, make the storyboard, take every
scene to a clip (the cards change live, no reload), compose with crossfades and captions, watch
the progress, play the film, download it and probe the file. On every page: the document is no
wider than the viewport, the step's primary action is on screen, axe-core finds no serious or
critical violation, and nothing logs an error or answers 5xx.

Set TOUR_DIR to save a screenshot of each step, and SAMPLES_DIR to keep the mood frames and
the film the landing page shows (`make tour` writes docs/tour/ and static/img/samples/).
"""

import os
import uuid
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from media_pipeline.ffmpeg import probe
from tests.e2e.conftest import DESKTOP, PASSWORD, PHONE, new_page

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(600)]

BRIEF_TURNS = [
    "We sell GlowSerum, a vitamin C face serum.",
    "It's for busy professionals in their thirties.",
    "Tone: warm and confident",
    "Key messages: visible glow in 7 days; clean ingredients",
    "CTA: Shop now at glowserum.com",
    "15 seconds, 9:16",
]
LONG_WAIT = 180_000
PREVIEW_FRAME = (288, 512)
SERIOUS = {"serious", "critical"}


class Walk:
    """One user's pages, with the checks every page gets."""

    def __init__(self, page, app, viewport):
        self.page, self.app, self.width = page, app, viewport["width"]
        self.axe = Axe()

    def goto(self, path: str) -> None:
        self.page.goto(self.app.url + path)

    def check(self, name: str, primary: str) -> None:
        page = self.page
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= self.width, name
        box = page.locator(primary).first.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= self.width, (name, primary)
        violations = [
            f"{violation['id']}: {[(node['target'], node['failureSummary'][-120:]) for node in violation['nodes']][:3]}"
            for violation in self.axe.run(page).response["violations"]
            if violation["impact"] in SERIOUS
        ]
        assert violations == [], (name, violations)
        if tour := os.environ.get("TOUR_DIR"):
            Path(tour).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{tour}/{self.width}-{name}.png")

    def sign_up(self) -> str:
        email = f"walk-{uuid.uuid4().hex[:8]}@example.com"
        self.goto("/accounts/signup/")
        self.check("0-sign-up", "form button[type=submit]")
        self.page.fill("input[name=email]", email)
        self.page.fill("input[name=password1]", PASSWORD)
        self.page.fill("input[name=password2]", PASSWORD)
        self.page.click("form button[type=submit]")
        self.page.wait_for_url("**/projects/")
        return email


def walk_to_the_film(walk: Walk) -> Path:
    page = walk.page
    walk.check("1-projects", "form.create-form button")
    page.fill("input[name=title]", "Glow serum launch")
    page.click("form.create-form button")
    page.click("a:has-text('Glow serum launch')")
    page.wait_for_url("**/brief")
    for turn in BRIEF_TURNS:
        answered = page.locator(".bubble-assistant.bubble-done").count()
        page.fill("textarea[name=content]", turn)
        page.click("#chat-form button")
        # The reply streams in live; the next turn waits for it, as a person would.
        page.locator(".bubble-assistant.bubble-done").nth(answered).wait_for()
    page.wait_for_selector("a:has-text('Continue to mood')")
    walk.check("2-brief", "a:has-text('Continue to mood')")
    page.click("a:has-text('Continue to mood')")

    page.click("button:has-text('Generate mood boards')")
    page.wait_for_selector("button:has-text('Use this mood')", timeout=LONG_WAIT)
    page.wait_for_selector(".mood-board[aria-busy=true]", state="detached", timeout=LONG_WAIT)
    walk.check("3-mood", "button:has-text('Use this mood')")
    if (samples := os.environ.get("SAMPLES_DIR")) and walk.width > 500:
        for index in range(3):
            frame = page.locator(".mood-images img").nth(index)
            frame.screenshot(path=f"{samples}/mood-{index + 1}.png")
    page.locator("button:has-text('Use this mood')").first.click()
    page.click("a:has-text('Continue to Scenes')")

    page.wait_for_url("**/scenes")
    page.click("button:has-text('Create the storyboard')")
    approve = "button:has-text('Approve all texts'):not([disabled])"
    page.wait_for_selector(approve, timeout=LONG_WAIT)
    walk.check("4-scenes", approve)
    page.click(approve)
    # Every scene's image is drawn, each card changing live, before the clips start: the button
    # enables with the first image, and no card is busy once the last one is in.
    clips = "button:has-text('Generate all clips'):not([disabled])"
    page.wait_for_selector(clips, timeout=LONG_WAIT)
    page.wait_for_selector(".scene-card.is-busy", state="detached", timeout=LONG_WAIT)
    page.click(clips)
    final = "button:has-text('Continue to Final'):not([disabled])"
    page.wait_for_selector(final, timeout=LONG_WAIT)
    assert page.locator(".scene-card video").count() >= 3, "every card shows its clip, live"
    walk.check("5-scenes-done", final)
    page.click(final)

    page.wait_for_url("**/final")
    walk.check("6-final", "button.final-compose")
    page.check("input[value=crossfade]")
    page.check("input[name=captions]")
    page.evaluate(
        """window.progressSeen = [];
        new MutationObserver(() => {
          const bar = document.querySelector('#composition-progress');
          if (bar) window.progressSeen.push(Number(bar.value));
        }).observe(document.body, {subtree: true, childList: true, attributes: true});"""
    )
    page.click("button.final-compose")
    page.wait_for_selector("video.final-player", timeout=LONG_WAIT)
    seen = page.evaluate("window.progressSeen")
    assert seen == sorted(seen) and all(0 <= value <= 100 for value in seen), seen
    assert page.evaluate(
        "(async () => { const v = document.querySelector('video.final-player');"
        " v.muted = true; await v.play(); return !v.paused; })()"
    )
    walk.check("7-film", "a:has-text('Download')")
    with page.expect_download() as download:
        page.click("a:has-text('Download')")
    path = Path(download.value.path())
    assert download.value.suggested_filename == "glow-serum-launch-9x16.mp4"
    if (samples := os.environ.get("SAMPLES_DIR")) and walk.width > 500:
        download.value.save_as(f"{samples}/film.mp4")
        poster = page.locator("video.final-player").get_attribute("poster")
        poster_bytes = page.request.get(walk.app.url + poster).body()
        Path(f"{samples}/film-poster.jpg").write_bytes(poster_bytes)
    return path


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_marketer_walks_from_brief_to_a_downloaded_film(live_app, browser, watch, viewport):
    walk = Walk(new_page(browser, watch, viewport), live_app, viewport)
    walk.goto("/")
    walk.check("0-landing", "a:has-text('Start free')")
    walk.sign_up()

    film = walk_to_the_film(walk)
    film_url = walk.page.locator("video.final-player").get_attribute("src")
    stranger = Walk(new_page(browser, watch, viewport), live_app, viewport)
    stranger.sign_up()
    assert stranger.page.request.get(live_app.url + film_url).status == 404, "another user's film"
    assert walk.page.request.get(live_app.url + film_url).status == 200, "the owner's film"

    facts = probe(film)
    assert (facts.width, facts.height) == PREVIEW_FRAME
    assert facts.has_video and facts.has_audio
    assert 11 <= facts.duration <= 15, "15 s of scenes less the crossfades"
    assert watch.problems == []


def test_another_user_sees_none_of_it_and_a_signed_out_tab_stops(live_app, browser, watch):
    owner = Walk(new_page(browser, watch, DESKTOP), live_app, DESKTOP)
    owner.sign_up()
    page = owner.page
    page.fill("input[name=title]", "Secret launch")
    page.click("form.create-form button")
    page.click("a:has-text('Secret launch')")
    page.wait_for_url("**/brief")
    brief_url = page.url
    second_tab = page.context.new_page()
    watch.attach(second_tab)
    second_tab.goto(brief_url)

    stranger = Walk(new_page(browser, watch, DESKTOP), live_app, DESKTOP)
    stranger.sign_up()
    for path in ("brief", "mood", "scenes", "final"):
        response = stranger.page.goto(brief_url.replace("/brief", f"/{path}"))
        assert response.status == 404, path
    project_id = brief_url.rstrip("/").split("/")[-2]
    refused = stranger.page.evaluate(
        f"""new Promise(done => {{
          const socket = new WebSocket(location.origin.replace('http', 'ws') + '/ws/projects/{project_id}/?page=brief');
          socket.onmessage = () => done('received');
          socket.onclose = event => done(event.code);
        }})"""
    )
    assert refused != "received"

    page.click(".account-menu summary")
    page.click("button:has-text('Log out')")
    page.wait_for_url(f"{live_app.url}/")
    second_tab.wait_for_selector("[data-live-signed-out]:not([hidden])")
    second_tab.fill("textarea[name=content]", "Typed after logging out")
    second_tab.click("#chat-form button")
    second_tab.wait_for_url("**/accounts/login/**")
    assert [p for p in watch.problems if "HTTP 5" in p or "page error" in p] == []


def test_staff_log_in_with_their_email_and_read_the_metrics(live_app, browser, watch):
    email = f"staff-{uuid.uuid4().hex[:8]}@example.com"
    live_app.manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; "
        "from media_pipeline.models import ProviderUsage; "
        f"staff = get_user_model().objects.create_superuser('{email}', '{email}', '{PASSWORD}'); "
        "ProviderUsage.objects.create(capability='video', backend='replicate', "
        "outcome='success', seconds=42.0, cost_estimate='0.37', user=staff)",
    )
    page = new_page(browser, watch, DESKTOP)
    page.goto(f"{live_app.url}/admin/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.click("a:has-text('Metrics')")
    page.wait_for_url("**/admin/metrics/")
    row = page.locator("tr", has_text="replicate").filter(has_text="video")
    assert "$0.37" in row.inner_text()
    assert email in page.locator("#metrics-spenders").inner_text()
    page.click("a:has-text('30 days')")
    page.wait_for_url("**period=30d")
    assert page.locator("#metrics-daily").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    if tour := os.environ.get("TOUR_DIR"):
        page.screenshot(path=f"{tour}/{DESKTOP['width']}-admin-metrics.png", full_page=True)
    assert watch.problems == []
