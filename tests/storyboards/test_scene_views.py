import pytest
from django.urls import reverse

from live.registry import snapshot_html
from media_pipeline.models import ProviderUsage
from projects.models import Project, Step
from storyboards.models import GenerationStatus, Mood, Scene, Storyboard
from storyboards.scene_live import scene_renderer
from tests.factories import MoodFactory, SceneFactory, StoryboardFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
DONE = GenerationStatus.DONE


@pytest.fixture
def storyboard(user):
    storyboard = StoryboardFactory(project__owner=user, is_current=True)
    Project.objects.filter(pk=storyboard.project_id).update(step=Step.SCENES)
    MoodFactory(project=storyboard.project, selected=True)
    return storyboard


@pytest.fixture
def project(storyboard):
    return Project.objects.get(pk=storyboard.project_id)


def make_scenes(storyboard, count: int) -> list[Scene]:
    return [
        SceneFactory(storyboard=storyboard, position=position, text_status=DONE)
        for position in range(count)
    ]


def scene_url(name: str, scene: Scene) -> str:
    return reverse(f"storyboards:{name}", args=[scene.storyboard.project_id, scene.pk])


def board_url(name: str, storyboard: Storyboard) -> str:
    return reverse(f"storyboards:{name}", args=[storyboard.project_id, storyboard.pk])


def scenes_url(project) -> str:
    return reverse("storyboards:scenes", args=[project.pk])


def test_the_page_shows_a_card_per_scene_with_its_actions(client_logged_in, project, storyboard):
    first, second = make_scenes(storyboard, 2)

    body = client_logged_in.get(scenes_url(project)).content.decode()

    assert f'<article id="scene-{first.pk}"' in body and f'<article id="scene-{second.pk}"' in body
    assert "css/scenes.css" in body and 'ws-connect="/ws/projects/' in body
    assert first.text in body
    assert body.count("Approve text → image") == 2
    assert f'hx-post="{scene_url("scene_approve_text", first)}"' in body
    assert "0 of 2 clips ready" in body and "free (local)" in body
    assert 'hx-confirm="Delete this scene?' in body


def test_a_clip_plays_inline_with_the_image_as_poster(client_logged_in, project, storyboard):
    SceneFactory(
        storyboard=storyboard,
        position=0,
        state=Scene.State.VIDEO,
        text_status=DONE,
        image_status=DONE,
        video_status=DONE,
        image="scenes/images/a.png",
        video="scenes/videos/a.mp4",
        video_stale=True,
    )

    body = client_logged_in.get(scenes_url(project)).content.decode()

    assert 'src="/media/scenes/videos/a.mp4" muted playsinline controls preload="metadata"' in body
    assert 'poster="/media/scenes/images/a.png"' in body
    assert body.count("Out of date — regenerate") == 1


# Session, user, project, the current and the newest storyboard, the chosen mood, scenes, cost.
QUERIES_PER_PAGE = 9  # the review-hold check of operations included


@pytest.mark.parametrize("count", [3, 12])
def test_the_page_costs_the_same_queries_whatever_the_scenes(
    client_logged_in, project, storyboard, count, django_assert_num_queries
):
    make_scenes(storyboard, count)
    client_logged_in.get(scenes_url(project))  # the session's first read is not the page's

    with django_assert_num_queries(QUERIES_PER_PAGE):
        response = client_logged_in.get(scenes_url(project))

    assert response.content.decode().count('class="scene-card') == count


def test_cost_so_far_sums_this_storyboards_calls(client_logged_in, project, storyboard):
    make_scenes(storyboard, 1)
    for cost in ("0.0125", "0.0100"):
        ProviderUsage.objects.create(
            capability="image",
            backend="replicate",
            outcome="success",
            seconds=1,
            cost_estimate=cost,
            subject=storyboard.usage_subject,
        )
    ProviderUsage.objects.create(
        capability="image", backend="replicate", outcome="success", seconds=1, cost_estimate="5"
    )

    body = client_logged_in.get(scenes_url(project)).content.decode()

    assert "<dt>Cost so far</dt><dd>$0.02</dd>" in body


def test_a_cleared_mood_sends_the_user_back_to_mood(client_logged_in, project):
    Mood.objects.filter(project=project).update(selected=False)

    response = client_logged_in.get(scenes_url(project), follow=True)

    assert response.redirect_chain[-1][0] == reverse("storyboards:mood", args=[project.pk])
    assert "Pick a mood again" in response.content.decode()


def test_without_a_storyboard_the_page_offers_to_create_one(client_logged_in, user):
    mood = MoodFactory(project__owner=user, selected=True)
    Project.objects.filter(pk=mood.project_id).update(step=Step.SCENES)

    body = client_logged_in.get(scenes_url(mood.project)).content.decode()

    assert "Create the storyboard" in body
    assert reverse("storyboards:storyboard_initialize", args=[mood.project_id]) in body


def test_initialize_over_htmx_returns_the_planning_region(client_logged_in, user, enqueued):
    mood = MoodFactory(project__owner=user, selected=True)
    Project.objects.filter(pk=mood.project_id).update(step=Step.SCENES)
    url = reverse("storyboards:storyboard_initialize", args=[mood.project_id])

    body = client_logged_in.post(url, **HTMX).content.decode()

    assert body.lstrip().startswith('<section id="scenes-region"')
    assert "Planning your scenes" in body and "<html" not in body
    assert mood.project.storyboards.get().status == Storyboard.Status.GENERATING


def test_reinitializing_keeps_the_current_board_and_asks_first(
    client_logged_in, project, storyboard, enqueued
):
    make_scenes(storyboard, 2)
    body = client_logged_in.get(scenes_url(project)).content.decode()
    assert 'hx-confirm="Plan a new storyboard' in body

    url = reverse("storyboards:storyboard_initialize", args=[project.pk])
    body = client_logged_in.post(url, **HTMX).content.decode()

    assert body.count('class="scene-card') == 2
    assert "A new storyboard is being planned" in body
    assert Storyboard.objects.get(pk=storyboard.pk).is_current


def test_approve_text_over_htmx_returns_only_the_card_and_toolbar(
    client_logged_in, storyboard, enqueued
):
    scene = make_scenes(storyboard, 1)[0]

    body = client_logged_in.post(scene_url("scene_approve_text", scene), **HTMX).content.decode()

    assert body.lstrip().startswith(f'<article id="scene-{scene.pk}"')
    assert 'id="scene-toolbar" class="scene-toolbar" hx-swap-oob="true"' in body
    assert "<html" not in body and "Image: Queued" in body


def test_double_approve_over_htmx_shows_a_message_and_starts_one_job(
    client_logged_in, storyboard, enqueued, django_capture_on_commit_callbacks
):
    scene = make_scenes(storyboard, 1)[0]
    url = scene_url("scene_approve_text", scene)

    with django_capture_on_commit_callbacks(execute=True):
        client_logged_in.post(url, **HTMX)
        body = client_logged_in.post(url, **HTMX).content.decode()

    assert "Scene 1 is still being made" in body
    assert len(enqueued) == 1


@pytest.mark.parametrize("duration", ["0.5", "10.5", "", "abc", "nan"])
def test_a_duration_out_of_bounds_shows_a_clear_error(client_logged_in, storyboard, duration):
    scene = make_scenes(storyboard, 1)[0]

    response = client_logged_in.post(
        scene_url("scene_timing", scene), {"duration": duration, "motion": "zoom_in"}, **HTMX
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "Duration must be between 1 and 10 seconds." in body
    assert f'id="scene-{scene.pk}-timing-error"' in body
    assert Scene.objects.get(pk=scene.pk).duration == scene.duration


def test_a_valid_timing_is_saved(client_logged_in, storyboard):
    scene = make_scenes(storyboard, 1)[0]

    client_logged_in.post(
        scene_url("scene_timing", scene), {"duration": "4.5", "motion": "pan_left"}, **HTMX
    )

    scene.refresh_from_db()
    assert (scene.duration, scene.motion) == (4.5, "pan_left")


def test_editing_text_saves_it(client_logged_in, storyboard):
    scene = make_scenes(storyboard, 1)[0]

    body = client_logged_in.post(
        scene_url("scene_text", scene), {"text": "New words."}, **HTMX
    ).content.decode()

    assert "New words." in body and Scene.objects.get(pk=scene.pk).text == "New words."


def test_add_move_and_delete_return_the_region(client_logged_in, storyboard):
    first, second = make_scenes(storyboard, 2)

    client_logged_in.post(scene_url("scene_add", first), **HTMX)
    client_logged_in.post(scene_url("scene_move", second), {"direction": "up"}, **HTMX)
    body = client_logged_in.post(scene_url("scene_delete", first), **HTMX).content.decode()

    assert body.lstrip().startswith('<section id="scenes-region"')
    order = list(storyboard.scenes.values_list("pk", flat=True))
    assert order[0] == second.pk and first.pk not in order and len(order) == 2
    assert list(storyboard.scenes.values_list("position", flat=True)) == [0, 1]


def test_finish_redirects_to_final_once_every_clip_is_ready(client_logged_in, storyboard):
    SceneFactory(
        storyboard=storyboard,
        position=0,
        state=Scene.State.VIDEO,
        image_status=DONE,
        video_status=DONE,
        image="scenes/images/a.png",
        video="scenes/videos/a.mp4",
    )

    response = client_logged_in.post(board_url("storyboard_finish", storyboard), **HTMX)

    assert response["HX-Redirect"] == reverse("storyboards:final", args=[storyboard.project_id])
    assert Project.objects.get(pk=storyboard.project_id).step == Step.FINAL


def test_the_live_renderer_and_snapshot_draw_the_scenes(user, project, storyboard, other_user):
    scene = make_scenes(storyboard, 1)[0]

    pushed = scene_renderer(user, scene.pk)
    snapshot = snapshot_html(user, project.pk, "scenes")

    assert f'<article id="scene-{scene.pk}" role="listitem"' in pushed
    assert 'hx-swap-oob="true"' in pushed and 'id="scene-toolbar"' in pushed
    assert 'id="scenes-region" class="scenes-region" hx-swap-oob="true"' in snapshot
    assert scene_renderer(other_user, scene.pk) == ""
