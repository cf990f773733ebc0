"""Every JSON endpoint: its effect, its validation, another user's object (404), a revoked token (401)."""

import json

import pytest
from django.urls import reverse
from openapi_spec_validator import validate

from api.tokens import token_create, token_revoke
from nerf.models import NerfJob
from storyboards.models import Composition, GenerationStatus, Mood, Scene, Storyboard
from tests.factories import (
    COMPLETE_BRIEF,
    CompositionFactory,
    MoodFactory,
    ProductFactory,
    ProductImageFactory,
    ProjectFactory,
    SceneFactory,
    StoryboardFactory,
)
from tests.projects.test_products import image_file

pytestmark = pytest.mark.django_db
DONE = GenerationStatus.DONE


@pytest.fixture
def objects(user):
    storyboard = StoryboardFactory(project__owner=user, is_current=True)
    project = storyboard.project
    product = ProductImageFactory(product__owner=user).product
    return {
        "project_id": project.pk,
        "mood_id": MoodFactory(project=project, selected=True).pk,
        "storyboard_id": storyboard.pk,
        "scene_id": SceneFactory(storyboard=storyboard).pk,
        "composition_id": CompositionFactory(storyboard=storyboard).pk,
        "product_id": product.pk,
        "capture_id": NerfJob.objects.create(product=product).pk,
    }


# A valid body for each operation that takes one; ids are filled in from `objects`.
BODIES = {
    "/api/projects": {"title": "Launch"},
    "/api/projects/{project_id}/product": {"product_id": None},
    "/api/moods/generate": {"project_id": None},
    "/api/storyboards/initialize": {"project_id": None},
    "/api/compositions/initialize": {"project_id": None},
    "/api/scenes/{scene_id}/text": {"text": "New words."},
    "/api/scenes/{scene_id}/regenerate-text": {"instruction": "shorter"},
    "/api/scenes/{scene_id}/regenerate-image": {"instruction": "warmer"},
    "/api/scenes/{scene_id}/duration": {"duration": 4.0},
    "/api/products": {"name": "Glow serum"},
}
# Operations whose body is multipart, by the field that carries the files.
UPLOADS = {"/api/products/{product_id}/photos": "photos"}
SKIPPED = {"/api/files/{path}"}  # a path, not an id: test_files_are_owner_checked


def operations(client) -> list[tuple[str, str]]:
    document = client.get("/api/openapi.json").json()
    return [
        (method, path)
        for path, item in document["paths"].items()
        for method in item
        if path not in SKIPPED
    ]


def call(api, method: str, path: str, objects: dict):
    body = dict(BODIES.get(path, {}))
    for key in ("project_id", "product_id"):
        if key in body:
            body[key] = objects[key]
    url = path.format(**objects)
    if path in UPLOADS:
        return api.client.post(url, {UPLOADS[path]: [image_file()]})
    if method == "get":
        return api.get(url)
    return getattr(api, method)(url, body) if method != "delete" else api.delete(url)


def test_the_openapi_document_validates(api):
    response = api.get("/api/openapi.json")
    assert response.status_code == 200
    validate(response.json())


def test_the_interactive_docs_need_a_signed_in_user(client, user):
    assert client.get("/api/docs").status_code == 302
    client.force_login(user)
    assert client.get("/api/docs").status_code == 200


def test_every_owned_operation_is_404_for_another_user(api, other_api, objects, jobs):
    owned = [(m, p) for m, p in operations(api) if "{" in p and "stream" not in p]
    assert len(owned) >= 20, owned
    for method, path in owned:
        response = call(other_api, method, path, objects)
        assert response.status_code == 404, f"{method} {path}"
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["code"] == "not_found"
    assert jobs == []


def test_every_operation_is_401_with_a_revoked_token(api, token, objects):
    token_revoke(token=token[0])
    for method, path in operations(api):
        response = call(api, method, path, objects)
        assert response.status_code == 401, f"{method} {path}"
        assert response.json()["code"] == "unauthenticated"


def test_an_expired_token_is_401(user, objects):
    from datetime import timedelta

    from django.test import Client
    from django.utils import timezone

    _, secret = token_create(user=user, name="old", expires_at=timezone.now() - timedelta(1))
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    assert client.get(f"/api/scenes/{objects['scene_id']}").status_code == 401


def test_session_auth_needs_csrf_on_post(user, objects):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.get(f"/api/scenes/{objects['scene_id']}").status_code == 200
    url = f"/api/scenes/{objects['scene_id']}/text"
    refused = client.post(url, {"text": "x"}, content_type="application/json")
    assert (refused.status_code, refused.json()["code"]) == (403, "csrf_failed")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ("{not json", 400, "invalid_json"),
        ({"text": 12}, 422, "validation_failed"),
        ({}, 422, "validation_failed"),
        ({"text": "ok", "extra": 1}, 422, "validation_failed"),
        ({"text": "x" * 70_000}, 413, "body_too_large"),
    ],
)
def test_bad_bodies_are_problems_not_500s(api, objects, body, status, code):
    response = api.post(f"/api/scenes/{objects['scene_id']}/text", body)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == code


def test_unknown_paths_and_ids_are_404_problems(api):
    assert api.get("/api/nothing/here").json()["code"] == "not_found"
    assert api.get("/api/scenes/999999").status_code == 404


def test_a_method_the_path_does_not_offer_is_a_405_problem(api):
    response = api.delete("/api/moods/generate")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "method_not_allowed"
    assert response["Allow"] == "POST"


def test_project_create_stores_the_brief(api, user):
    response = api.post("/api/projects", {"title": "Launch", "brief": COMPLETE_BRIEF})
    assert response.status_code == 201
    body = response.json()
    assert (body["title"], body["brief_complete"], body["step"]) == ("Launch", True, "mood")
    assert user.projects.get().brief == COMPLETE_BRIEF


def test_project_create_refuses_an_invalid_brief(api):
    response = api.post("/api/projects", {"brief": {"target_length": "long"}})
    assert response.status_code == 422


def test_project_create_with_a_product_names_it_in_the_brief(api, user):
    product = ProductFactory(owner=user, name="Glow serum", description="")
    response = api.post("/api/projects", {"title": "Launch", "product_id": product.pk})
    assert response.status_code == 201
    assert (response.json()["product_id"], response.json()["brief"]["product"]) == (
        product.pk,
        "Glow serum",
    )


def test_project_product_is_chosen_and_cleared(api, user, objects):
    product = ProductFactory(owner=user, name="Night cream", description="rich")
    url = f"/api/projects/{objects['project_id']}/product"
    chosen = api.put(url, {"product_id": product.pk}).json()
    assert (chosen["product_id"], chosen["brief"]["product"]) == (product.pk, "Night cream: rich")
    assert api.put(url, {"product_id": None}).json()["product_id"] is None


def test_another_users_product_cannot_be_chosen(api, other_user, objects):
    theirs = ProductFactory(owner=other_user)
    url = f"/api/projects/{objects['project_id']}/product"
    assert api.put(url, {"product_id": theirs.pk}).status_code == 404
    assert api.post("/api/projects", {"product_id": theirs.pk}).status_code == 404


def test_project_get(api, objects):
    assert api.get(f"/api/projects/{objects['project_id']}").json()["id"] == objects["project_id"]


def test_moods_generate_starts_every_board(api, user, jobs, django_capture_on_commit_callbacks):
    project = ProjectFactory(owner=user, complete_brief=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/moods/generate", {"project_id": project.pk})
    assert response.status_code == 202
    assert {mood["status"] for mood in response.json()} == {"planning"}
    assert [job.rsplit(".", 1)[-1] for job in jobs] == ["mood_plan_task"]


def test_moods_generate_refuses_an_incomplete_brief(api, user):
    project = ProjectFactory(owner=user)
    response = api.post("/api/moods/generate", {"project_id": project.pk})
    assert (response.status_code, response.json()["code"]) == (409, "mood_refused")


def test_mood_get_and_select(api, user):
    mood = MoodFactory(project__owner=user)
    assert api.get(f"/api/moods/{mood.pk}").json()["name"] == "Golden hour"
    assert api.post(f"/api/moods/{mood.pk}/select").json()["step"] == "scenes"
    assert Mood.objects.get(pk=mood.pk).selected


def test_storyboard_initialize_plans_one(api, objects, jobs):
    response = api.post("/api/storyboards/initialize", {"project_id": objects["project_id"]})
    assert response.status_code == 202
    assert response.json()["status"] == "generating"
    assert Storyboard.objects.filter(status="generating").count() == 1
    again = api.post("/api/storyboards/initialize", {"project_id": objects["project_id"]})
    assert (again.status_code, again.json()["code"]) == (409, "scene_refused")


def test_storyboard_get_and_regenerate(api, objects, jobs):
    storyboard = api.get(f"/api/storyboards/{objects['storyboard_id']}").json()
    assert [scene["id"] for scene in storyboard["scenes"]] == [objects["scene_id"]]
    response = api.post(f"/api/storyboards/{objects['storyboard_id']}/regenerate")
    assert response.status_code == 202
    assert response.json()["id"] != objects["storyboard_id"]


def test_whole_board_actions(api, objects, jobs):
    url = f"/api/storyboards/{objects['storyboard_id']}"
    assert api.post(f"{url}/approve-texts").json() == {"started": 1}
    assert Scene.objects.get(pk=objects["scene_id"]).image_status == "queued"
    refused = api.post(f"{url}/generate-images")
    assert (refused.status_code, refused.json()["code"]) == (409, "scene_refused")
    assert api.post(f"{url}/generate-videos").status_code == 409
    assert api.post(f"{url}/retry-failed").status_code == 409
    assert api.post(f"{url}/finish").status_code == 409


def test_scene_steps(api, objects, jobs):
    url = f"/api/scenes/{objects['scene_id']}"
    assert api.post(f"{url}/text", {"text": "New words."}).json()["text"] == "New words."
    assert api.patch(f"{url}/duration", {"duration": 4.5}).json()["duration"] == 4.5
    assert api.patch(f"{url}/duration", {"duration": 99}).status_code == 422
    assert api.post(f"{url}/regenerate-image").status_code == 409
    approved = api.post(f"{url}/approve-text").json()
    assert (approved["state"], approved["generation_status"]["image"]) == ("image", "queued")
    busy = api.post(f"{url}/regenerate-text", {"instruction": "shorter"})
    assert (busy.status_code, busy.json()["code"]) == (409, "scene_refused")
    Scene.objects.filter(pk=objects["scene_id"]).update(image_status=DONE, image="i.png")
    assert api.post(f"{url}/regenerate-image", {"instruction": "warmer"}).status_code == 202
    Scene.objects.filter(pk=objects["scene_id"]).update(image_status=DONE)
    video = api.post(f"{url}/approve-image").json()
    assert (video["state"], video["generation_status"]["video"]) == ("video", "queued")
    assert api.post(f"{url}/regenerate-video").status_code == 409
    assert api.get(url).json()["image_url"] == "/api/files/i.png"


def test_scene_regenerate_text(api, objects, jobs, django_capture_on_commit_callbacks):
    url = f"/api/scenes/{objects['scene_id']}/regenerate-text"
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(url, {"instruction": "x"})
    assert response.json()["generation_status"]["text"] == "queued"
    assert [job.rsplit(".", 1)[-1] for job in jobs] == ["scene_text_rewrite_task"]


def test_composition_lifecycle(api, objects, jobs):
    Scene.objects.filter(pk=objects["scene_id"]).update(video_status=DONE, video="v.mp4")
    Composition.objects.all().delete()
    body = {"project_id": objects["project_id"], "audio_source": "none", "aspect_ratio": "9:16"}
    created = api.post("/api/compositions/initialize", body)
    assert created.status_code == 202
    film = created.json()["id"]
    assert api.post("/api/compositions/initialize", body).json()["code"] == "composition_refused"
    assert api.get(f"/api/compositions/{film}").json()["status"] == "pending"
    assert api.post(f"/api/compositions/{film}/cancel").json()["status"] == "cancelled"
    assert api.post(f"/api/compositions/{film}/retry").json()["status"] == "pending"
    assert api.get(f"/api/audio/{film}").json()["audio_url"] is None
    assert api.delete(f"/api/compositions/{film}").status_code == 204
    assert not Composition.objects.filter(pk=film).exists()


def test_composition_initialize_validates_its_choices(api, objects):
    body = {"project_id": objects["project_id"], "transition": "wipe"}
    response = api.post("/api/compositions/initialize", body)
    assert response.json()["errors"][0]["loc"][-1] == "transition"


def test_rate_limits_apply(api, user, settings, jobs):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "projects": (1, 60)}
    assert api.post("/api/projects", {}).status_code == 201
    limited = api.post("/api/projects", {})
    assert (limited.status_code, limited.json()["code"]) == (429, "rate_limited")
    assert int(limited["Retry-After"]) > 0


def test_usage_metrics_are_staff_only(api, user):
    assert api.get("/api/admin/metrics/usage").status_code == 403
    user.is_staff = True
    user.save()
    assert api.get("/api/admin/metrics/usage").json()["rows"] == []


def test_files_are_owner_checked(api, other_api, objects, media_root):
    (media_root / "scenes").mkdir(parents=True)
    (media_root / "scenes" / "v.mp4").write_bytes(b"film")
    Scene.objects.filter(pk=objects["scene_id"]).update(video="scenes/v.mp4")
    url = reverse("api:file", kwargs={"path": "scenes/v.mp4"})
    assert b"".join(api.get(url).streaming_content) == b"film"
    assert other_api.get(url).status_code == 404


def test_problem_bodies_are_json(api):
    body = json.loads(api.get("/api/scenes/1").content)
    assert set(body) >= {"type", "title", "status", "code", "detail"}
