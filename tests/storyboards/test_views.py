import pytest
from django.urls import reverse

from live.registry import snapshot_html
from projects.models import Step
from storyboards.generation import MOOD_COUNT
from storyboards.live import mood_renderer
from storyboards.models import GenerationStatus, Mood
from storyboards.selectors import mood_selected_for_project
from tests.factories import MoodFactory, MoodImageFactory, ProjectFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def project(user):
    return ProjectFactory(owner=user, complete_brief=True)


def url(name: str, project, mood=None) -> str:
    return reverse(
        f"storyboards:{name}", args=[project.pk] if mood is None else [project.pk, mood.pk]
    )


def test_an_empty_mood_step_offers_to_generate_and_starts_nothing(client_logged_in, project):
    response = client_logged_in.get(url("mood", project))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Generate mood boards" in body
    assert f'hx-post="{url("mood_generate", project)}"' in body
    assert 'ws-connect="/ws/projects/' in body
    assert "css/mood.css" in body
    assert 'name="csrfmiddlewaretoken"' in body
    assert not project.moods.exists()


def test_the_page_shows_each_board_with_palette_feel_and_images(client_logged_in, project):
    board = MoodFactory(project=project, name="Golden hour", palette=["#2b1d14", "#e0a458"])
    image = MoodImageFactory(mood=board, position=0)

    body = client_logged_in.get(url("mood", project)).content.decode()

    assert f'<article id="mood-{board.pk}"' in body
    assert "Golden hour" in body and board.feel in body
    assert "--swatch: #2b1d14" in body and "--swatch: #e0a458" in body
    assert f'src="{image.image.url}"' in body
    assert "Use this mood" in body


def test_reloading_during_generation_shows_the_current_state(client_logged_in, project):
    drawing = MoodFactory(project=project, position=0, status=Mood.Status.DRAWING)
    MoodImageFactory(mood=drawing, position=0)
    MoodImageFactory(mood=drawing, position=1, status=GenerationStatus.RUNNING, image="")
    MoodFactory(project=project, position=1, status=Mood.Status.PLANNING, name="")

    body = client_logged_in.get(url("mood", project)).content.decode()

    assert "Drawing · 1/2" in body
    assert body.count('class="mood-tile-empty is-loading"') == 1 + 2
    assert "Planning" in body
    assert "Making your boards… 0 of 2 ready." in body
    assert "disabled" in body.split("Regenerate all")[0].rsplit("<button", 1)[1]


def test_htmx_get_returns_only_the_region(client_logged_in, project):
    MoodFactory(project=project)

    body = client_logged_in.get(url("mood", project), **HTMX).content.decode()

    assert body.lstrip().startswith('<section id="mood-boards"')
    assert "<html" not in body and "step-header" not in body


def test_generate_returns_the_region_with_queued_boards(
    client_logged_in, project, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_logged_in.post(url("mood_generate", project), **HTMX)

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="mood-boards"')
    assert body.count('class="mood-board is-planning"') == MOOD_COUNT
    assert len(enqueued) == 1


def test_generate_without_htmx_redirects_to_the_page(client_logged_in, project, enqueued):
    response = client_logged_in.post(url("mood_generate", project))

    assert response.status_code == 302
    assert response["Location"] == url("mood", project)
    assert project.moods.count() == MOOD_COUNT


def test_generate_is_post_only(client_logged_in, project):
    assert client_logged_in.get(url("mood_generate", project)).status_code == 405


def test_generate_past_the_rate_limit_says_when_to_try_again(
    client_logged_in, project, settings, enqueued, django_capture_on_commit_callbacks
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "generation": (0, 60)}

    with django_capture_on_commit_callbacks(execute=True):
        body = client_logged_in.post(url("mood_generate", project), **HTMX).content.decode()

    assert "going a little fast" in body and 'id="messages"' in body
    assert not project.moods.exists()
    assert enqueued == []


def test_regenerate_returns_the_board_and_the_toolbar(client_logged_in, project, enqueued):
    board = MoodFactory(project=project, status=Mood.Status.DONE)

    body = client_logged_in.post(url("mood_regenerate", project, board), **HTMX).content.decode()

    assert body.lstrip().startswith(f'<article id="mood-{board.pk}" class="mood-board is-planning"')
    assert 'id="mood-toolbar" class="mood-toolbar" hx-swap-oob="true"' in body
    assert "<section" not in body


def test_a_failed_board_shows_its_error_and_a_retry_button(client_logged_in, project):
    board = MoodFactory(project=project, status=Mood.Status.FAILED, error="The prompt was refused.")

    body = client_logged_in.get(url("mood", project)).content.decode()

    assert "The prompt was refused." in body
    assert f'hx-post="{url("mood_regenerate", project, board)}"' in body and "Retry" in body


def test_select_marks_the_board_and_offers_to_continue(client_logged_in, project):
    board = MoodFactory(project=project)

    body = client_logged_in.post(url("mood_select", project, board), **HTMX).content.decode()

    project.refresh_from_db()
    assert mood_selected_for_project(project) == board and project.step == Step.SCENES
    assert "mood-board is-done is-selected" in body
    assert f'href="{url("scenes", project)}">Continue to Scenes' in body
    assert 'id="stepper"' in body and 'hx-swap-oob="true"' in body.split('id="stepper"')[1][:80]
    assert 'step locked" data-step="scenes"' not in body


def test_select_of_an_unfinished_board_explains_why(client_logged_in, project):
    board = MoodFactory(project=project, status=Mood.Status.DRAWING)

    body = client_logged_in.post(url("mood_select", project, board), **HTMX).content.decode()

    assert mood_selected_for_project(project) is None
    assert "Pick a board that has finished" in body


@pytest.mark.parametrize(
    ("method", "name", "with_mood"),
    [
        ("get", "mood", False),
        ("post", "mood_generate", False),
        ("post", "mood_regenerate", True),
        ("post", "mood_select", True),
    ],
)
def test_another_users_mood_urls_are_404(
    client, other_user, project, method, name, with_mood, enqueued
):
    board = MoodFactory(project=project)
    client.force_login(other_user)

    response = getattr(client, method)(url(name, project, board if with_mood else None))

    assert response.status_code == 404
    assert project.moods.get().status == GenerationStatus.DONE


def test_a_board_of_another_project_is_404_under_my_project(client_logged_in, project):
    foreign = MoodFactory()

    assert client_logged_in.post(url("mood_select", project, foreign)).status_code == 404


def test_pushed_board_is_rendered_for_its_owner_only(project, other_user):
    board = MoodFactory(project=project, name="Golden hour")

    assert f'<article id="mood-{board.pk}"' in mood_renderer(project.owner, board.pk)
    assert 'hx-swap-oob="true"' in mood_renderer(project.owner, board.pk)
    assert mood_renderer(other_user, board.pk) == ""


def test_the_snapshot_restores_the_mood_region(project):
    region = '<section id="mood-boards" class="mood-region" hx-swap-oob="true">'
    assert region not in snapshot_html(project.owner, project.pk, "mood")
    MoodFactory(project=project)

    assert region in snapshot_html(project.owner, project.pk, "mood")
    assert region not in snapshot_html(project.owner, project.pk, "brief")


def test_action_responses_are_out_of_band_like_the_push(client_logged_in, project, enqueued):
    """The socket may swap the region before the response lands; OOB partials still apply."""
    url = reverse("storyboards:mood_generate", args=[project.pk])
    body = client_logged_in.post(url, HTTP_HX_REQUEST="true").content.decode()
    assert body.startswith('<section id="mood-boards" class="mood-region" hx-swap-oob="true">')
    assert '<nav id="stepper"' in body
