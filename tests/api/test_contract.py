"""The whole flow through the API alone, local providers, jobs run eagerly: brief to MP4."""

import pytest
from asgiref.sync import async_to_sync

from config.celery import app as celery_app
from media_pipeline import ffmpeg
from media_pipeline.registry import providers
from tests.api.sse import open_stream
from tests.factories import COMPLETE_BRIEF

pytestmark = pytest.mark.django_db(transaction=True)
LOCAL_TEXT = "media_pipeline.backends.local_text.LocalTextBackend"


@pytest.fixture
def local_engine(settings, small_frames):
    settings.QUALITY_PROFILE = dict(small_frames, images_per_mood=1)
    text = {"BACKEND": LOCAL_TEXT, "OPTIONS": {"token_delay": 0}}
    settings.MEDIA_PIPELINE = {**settings.MEDIA_PIPELINE, "text": text}
    providers.reset()
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content
    return response.json() if response.content else {}


def test_from_a_brief_to_a_downloaded_film(api, local_engine, tmp_path):
    project = ok(api.post("/api/projects", {"title": "Serum", "brief": COMPLETE_BRIEF}), 201)
    moods = ok(api.post("/api/moods/generate", {"project_id": project["id"]}), 202)
    done = [ok(api.get(f"/api/moods/{mood['id']}")) for mood in moods]
    assert {mood["status"] for mood in done} == {"done"}
    ok(api.post(f"/api/moods/{done[0]['id']}/select"))

    planned = ok(api.post("/api/storyboards/initialize", {"project_id": project["id"]}), 202)
    board = f"/api/storyboards/{planned['id']}"
    assert ok(api.get(board))["status"] == "ready"
    ok(api.post(f"{board}/generate-images"), 202)
    ok(api.post(f"{board}/generate-videos"), 202)
    assert ok(api.get(board))["complete"]
    events = async_to_sync(_stream_to_end)(f"{board}/stream", api.secret)
    assert [event.name for event in events] == ["snapshot", "storyboard_complete"]
    ok(api.post(f"{board}/finish"))

    body = {"project_id": project["id"], "audio_source": "generated", "aspect_ratio": "9:16"}
    film = ok(api.post("/api/compositions/initialize", body), 202)
    events = async_to_sync(_stream_to_end)(f"/api/compositions/{film['id']}/stream", api.secret)
    assert [event.name for event in events] == ["snapshot", "complete"]
    video_url = events[-1].data["video_url"]
    download = api.get(video_url, data={"download": "serum.mp4"})
    assert download.status_code == 200
    path = tmp_path / "serum.mp4"
    path.write_bytes(b"".join(download.streaming_content))
    facts = ffmpeg.probe(path)
    assert facts.has_audio and facts.duration > 0


async def _stream_to_end(path: str, secret: str) -> list:
    stream = await open_stream(path, secret)
    return await stream.read_to_end()
