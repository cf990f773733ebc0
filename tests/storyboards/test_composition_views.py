"""The Final page: the settings form, the film's progress, the player, and the actions."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import Step
from storyboards import tasks
from storyboards.models import Composition, GenerationStatus
from tests.factories import CompositionFactory, SceneFactory, StoryboardFactory

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}
COMPOSE_FORM = {
    "transition": "crossfade",
    "aspect_ratio": "9:16",
    "reframe": "pad",
    "audio_source": "generated",
    "volume": "100",
}


@pytest.fixture
def storyboard(user):
    storyboard = StoryboardFactory(
        project__owner=user, project__step=Step.FINAL, project__title="Glow Serum", is_current=True
    )
    SceneFactory(
        storyboard=storyboard,
        position=0,
        video="generated/clips/ab/clip.mp4",
        video_status=GenerationStatus.DONE,
    )
    return storyboard


@pytest.fixture
def project(storyboard):
    return storyboard.project


@pytest.fixture
def queued(monkeypatch):
    ids: list[int] = []
    monkeypatch.setattr(
        tasks.composition_render_task, "delay", lambda composition_id: ids.append(composition_id)
    )
    return ids


def url(name, project, composition=None):
    args = [project.pk] if composition is None else [project.pk, composition.pk]
    return reverse(f"storyboards:{name}", args=args)


def complete_film(storyboard, **fields):
    video = default_storage.save("generated/films/ab/film.mp4", SimpleUploadedFile("f", b"mp4"))
    poster = default_storage.save("generated/posters/ab/p.jpg", SimpleUploadedFile("p", b"jpg"))
    defaults = {"width": 64, "height": 112, "duration": 7.5, "size_bytes": 2_400_000}
    return CompositionFactory(
        storyboard=storyboard,
        status=Composition.Status.COMPLETE,
        video=video,
        thumbnail=poster,
        **(defaults | fields),
    )


def test_the_page_shows_the_form_with_the_briefs_format_and_no_film_yet(client_logged_in, project):
    project.brief["aspect_ratio"] = "4:5"
    project.save()

    page = client_logged_in.get(url("final", project)).content.decode()

    assert 'id="final-form"' in page and 'enctype="multipart/form-data"' in page
    assert '<option value="4:5" selected>' in page
    for name in ("transition", "reframe", "captions", "audio_source", "audio_upload", "volume"):
        assert f'name="{name}"' in page
    assert 'id="composition-current"' in page and "No film yet" in page
    # Each help text the fields point to is there, under the id they point to.
    for field in ("aspect_ratio", "audio_upload"):
        assert f'aria-describedby="id_{field}_helptext"' in page
        assert f'id="id_{field}_helptext"' in page


def test_a_film_being_made_shows_its_progress_stage_and_cancel(client_logged_in, storyboard):
    composition = CompositionFactory(
        storyboard=storyboard, status=Composition.Status.PROCESSING, progress=42, stage="joining"
    )

    page = client_logged_in.get(url("final", storyboard.project)).content.decode()

    assert '<progress id="composition-progress" max="100" value="42"' in page
    assert "Joining · 42 %" in page
    assert url("composition_cancel", storyboard.project, composition) in page


def test_a_finished_film_plays_on_the_page_and_downloads_with_a_meaningful_name(
    client_logged_in, storyboard
):
    composition = complete_film(storyboard)

    page = client_logged_in.get(url("final", storyboard.project)).content.decode()

    assert f'src="{composition.video.url}" poster="{composition.thumbnail.url}"' in page
    assert "controls playsinline" in page
    download = f"{composition.video.url}?download=glow-serum-9x16.mp4"
    assert f'href="{download}"' in page
    response = client_logged_in.get(download)
    assert response["Content-Disposition"] == 'attachment; filename="glow-serum-9x16.mp4"'


def test_earlier_films_are_listed_with_settings_size_length_and_date(client_logged_in, storyboard):
    earlier = complete_film(storyboard, aspect_ratio="1:1", transition="cut", captions=True)
    CompositionFactory(storyboard=storyboard, status=Composition.Status.ERROR, error="Nope")

    page = client_logged_in.get(url("final", storyboard.project)).content.decode()

    assert f'id="composition-{earlier.pk}"' in page
    assert "1:1 · Cut · Fit (bars) · captions" in page
    assert "7.5 s · 2.3\xa0MB" in page and earlier.created_at.strftime("%Y") in page
    assert "Nope" in page and url("composition_retry", storyboard.project, earlier) not in page


def test_an_htmx_get_returns_only_the_regions(client_logged_in, project):
    response = client_logged_in.get(url("final", project), **HX)

    body = response.content.decode()
    assert 'id="composition-current"' in body and 'id="composition-history"' in body
    assert "<html" not in body and 'id="final-form"' not in body


def test_compose_queues_the_film_and_answers_out_of_band(
    client_logged_in, project, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_logged_in.post(url("final_compose", project), COMPOSE_FORM, **HX)

    composition = Composition.objects.get()
    assert queued == [composition.pk]
    body = response.content.decode()
    assert '<form id="final-form"' in body and 'id="composition-current"' in body
    assert body.count('hx-swap-oob="true"') >= 3
    assert "Waiting for a free worker" in body


def test_an_upload_that_is_not_audio_is_shown_in_the_form(client_logged_in, project, queued):
    data = COMPOSE_FORM | {
        "audio_source": "uploaded",
        "audio_upload": SimpleUploadedFile("notes.mp3", b"words"),
    }

    response = client_logged_in.post(url("final_compose", project), data, **HX)

    assert "“notes.mp3” has no sound we can read" in response.content.decode()
    assert not Composition.objects.exists() and queued == []


def test_a_volume_past_200_percent_is_refused(client_logged_in, project, queued):
    data = COMPOSE_FORM | {"volume": "250"}

    response = client_logged_in.post(url("final_compose", project), data)

    assert response.status_code == 200 and not Composition.objects.exists()
    assert "less than or equal to 200" in response.content.decode()


def test_compose_without_htmx_redirects_to_the_page(client_logged_in, project, queued):
    response = client_logged_in.post(url("final_compose", project), COMPOSE_FORM)

    assert response.status_code == 302 and response["Location"] == url("final", project)


def test_cancel_retry_and_delete_from_the_page(client_logged_in, storyboard, queued):
    project = storyboard.project
    composition = CompositionFactory(storyboard=storyboard, status=Composition.Status.PENDING)

    client_logged_in.post(url("composition_cancel", project, composition), **HX)
    composition.refresh_from_db()
    assert composition.status == Composition.Status.CANCELLED

    response = client_logged_in.post(url("composition_retry", project, composition), **HX)
    composition.refresh_from_db()
    assert composition.status == Composition.Status.PENDING
    assert 'id="composition-current"' in response.content.decode()

    client_logged_in.post(url("composition_cancel", project, composition), **HX)
    client_logged_in.post(url("composition_delete", project, composition), **HX)
    assert not Composition.objects.exists()


def test_another_users_film_is_404_under_my_own_project(client_logged_in, project, other_user):
    theirs = CompositionFactory(storyboard__project__owner=other_user)

    for name in ("composition_cancel", "composition_retry", "composition_delete"):
        assert client_logged_in.post(url(name, project, theirs)).status_code == 404
    assert Composition.objects.filter(pk=theirs.pk).exists()
