"""Products, their photos and their 3D capture through the API."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from api.tokens import token_revoke
from nerf.models import NerfJob
from projects.models import Product, ProductImage
from tests.factories import ProductFactory, ProductImageFactory
from tests.projects.test_products import image_file

pytestmark = pytest.mark.django_db
PHOTOS = 12


@pytest.fixture
def product(user):
    return ProductFactory(owner=user)


@pytest.fixture
def captured(user, settings):
    """A product with enough photos for a capture."""
    settings.CAPTURE_MIN_PHOTOS = PHOTOS
    product = ProductFactory(owner=user)
    for position in range(PHOTOS):
        ProductImageFactory(product=product, position=position)
    return product


def upload(api, product_id: int, *files):
    return api.client.post(f"/api/products/{product_id}/photos", {"photos": list(files)})


def test_product_create_list_and_get(api, user):
    body = {
        "name": " GlowSerum ",
        "description": "In green glass",
        "link": "https://shop.example/g",
    }
    created = api.post("/api/products", body)
    assert created.status_code == 201
    product = Product.objects.get(owner=user)
    assert (product.name, product.link) == ("GlowSerum", "https://shop.example/g")
    assert created.json() == api.get(f"/api/products/{product.pk}").json()
    assert [row["id"] for row in api.get("/api/products").json()] == [product.pk]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": ""},
        {"name": "   "},
        {"name": "x" * 121},
        {"name": "Glow", "link": "shop dot example"},
        {"name": "Glow", "link": "ftp://shop.example/g"},
        {"name": "Glow", "colour": "green"},
    ],
)
def test_product_create_validates_its_fields(api, body):
    response = api.post("/api/products", body)
    assert (response.status_code, response.json()["code"]) == (422, "validation_failed")
    assert not Product.objects.exists()


def test_the_list_holds_only_the_users_products(api, product, other_user):
    ProductFactory(owner=other_user)
    assert [row["id"] for row in api.get("/api/products").json()] == [product.pk]


def test_photos_land_while_a_bad_file_is_named_with_its_reason(
    api, product, jobs, django_capture_on_commit_callbacks
):
    bad = SimpleUploadedFile("notes.png", b"not an image")
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(api, product.pk, image_file("a.jpg"), bad, image_file("b.jpg"))
    assert response.status_code == 201
    body = response.json()
    assert [photo["original_name"] for photo in body["added"]] == ["a.jpg", "b.jpg"]
    assert [refused["name"] for refused in body["refused"]] == ["notes.png"]
    assert body["refused"][0]["reason"]
    assert product.images.count() == 2
    assert [job.rsplit(".", 1)[-1] for job in jobs] == ["product_image_cutout_task"] * 2


def test_the_product_shows_its_photos_in_order_with_the_main_first(api, product, jobs):
    upload(api, product.pk, image_file("a.jpg"), image_file("b.jpg"))
    ProductImage.objects.filter(product=product, original_name="b.jpg").update(
        cutout_status="done", cutout="products/cutouts/b.png"
    )
    photos = api.get(f"/api/products/{product.pk}").json()["photos"]
    assert [(p["original_name"], p["position"], p["main"]) for p in photos] == [
        ("a.jpg", 0, True),
        ("b.jpg", 1, False),
    ]
    stored = b"".join(api.get(photos[0]["image_url"]).streaming_content)
    assert stored.startswith(b"\xff\xd8")  # the stored JPEG, served to its owner
    assert (photos[0]["cutout_url"], photos[0]["cutout_status"]) == (None, "queued")
    assert (photos[1]["cutout_url"], photos[1]["cutout_status"]) == (
        "/api/files/products/cutouts/b.png",
        "done",
    )


def test_an_upload_where_nothing_lands_is_a_problem_naming_each_file(api, product, jobs):
    response = upload(api, product.pk, SimpleUploadedFile("a.gif", b"GIF89a"))
    assert (response.status_code, response.json()["code"]) == (422, "photos_refused")
    assert [refused["name"] for refused in response.json()["refused"]] == ["a.gif"]
    assert jobs == []


def test_an_upload_without_files_is_a_validation_error(api, product):
    response = api.client.post(f"/api/products/{product.pk}/photos", {})
    assert (response.status_code, response.json()["code"]) == (422, "validation_failed")


def test_product_delete(api, product):
    assert api.delete(f"/api/products/{product.pk}").status_code == 204
    assert not Product.objects.filter(pk=product.pk).exists()


def test_another_users_product_and_capture_are_404(
    other_api, captured, jobs, django_capture_on_commit_callbacks
):
    job = NerfJob.objects.create(product=captured)
    with django_capture_on_commit_callbacks(execute=True):
        responses = [
            other_api.get(f"/api/products/{captured.pk}"),
            upload(other_api, captured.pk, image_file()),
            other_api.delete(f"/api/products/{captured.pk}"),
            other_api.post(f"/api/products/{captured.pk}/capture"),
            other_api.get(f"/api/captures/{job.pk}"),
            other_api.post(f"/api/captures/{job.pk}/cancel"),
            other_api.post(f"/api/captures/{job.pk}/retry"),
        ]
    for response in responses:
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert Product.objects.filter(pk=captured.pk).exists()
    assert captured.images.count() == PHOTOS
    assert NerfJob.objects.get(pk=job.pk).status == NerfJob.Status.PENDING
    assert jobs == []


def test_a_revoked_token_is_401_on_uploads(api, token, product):
    token_revoke(token=token[0])
    response = upload(api, product.pk, image_file())
    assert (response.status_code, response.json()["code"]) == (401, "unauthenticated")
    assert not product.images.exists()


def test_capture_start_cancel_and_retry(api, captured, jobs, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        started = api.post(f"/api/products/{captured.pk}/capture")
    assert started.status_code == 202
    job = started.json()
    assert (job["product_id"], job["stage"], job["status"], job["progress"]) == (
        captured.pk,
        "colmap",
        "pending",
        0,
    )
    assert [name.rsplit(".", 1)[-1] for name in jobs] == ["capture_stage_task"]
    url = f"/api/captures/{job['id']}"
    again = api.post(f"/api/products/{captured.pk}/capture")
    assert (again.status_code, again.json()["code"]) == (409, "capture_refused")
    assert api.post(f"{url}/cancel").json()["status"] == "cancelled"
    refused = api.post(f"{url}/cancel")
    assert (refused.status_code, refused.json()["code"]) == (409, "capture_refused")
    retried = api.post(f"{url}/retry")
    assert (retried.status_code, retried.json()["status"]) == (202, "pending")
    assert api.get(url).json()["status"] == "pending"
    assert NerfJob.objects.filter(product=captured).count() == 1


def test_a_capture_of_too_few_photos_says_what_to_do(api, product):
    ProductImageFactory(product=product)
    response = api.post(f"/api/products/{product.pk}/capture")
    assert (response.status_code, response.json()["code"]) == (409, "capture_refused")
    assert "at least" in response.json()["detail"]
    assert not NerfJob.objects.exists()


def test_a_running_capture_cannot_be_retried(api, captured):
    job = NerfJob.objects.create(product=captured, status=NerfJob.Status.RUNNING)
    response = api.post(f"/api/captures/{job.pk}/retry")
    assert (response.status_code, response.json()["code"]) == (409, "capture_refused")


def test_a_finished_capture_gives_its_result_urls(api, captured):
    job = NerfJob.objects.create(
        product=captured,
        stage=NerfJob.Stage.RENDER,
        status=NerfJob.Status.COMPLETE,
        progress=100,
        turntable="captures/t.mp4",
        poster="captures/p.jpg",
    )
    body = api.get(f"/api/captures/{job.pk}").json()
    assert (body["turntable_url"], body["poster_url"]) == (
        "/api/files/captures/t.mp4",
        "/api/files/captures/p.jpg",
    )
    assert (body["stage"], body["status"], body["progress"], body["error"]) == (
        "render",
        "complete",
        100,
        "",
    )


def test_capture_start_keeps_the_pages_rate_limit(api, captured, settings, jobs):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "generation": (0, 60)}
    limited = api.post(f"/api/products/{captured.pk}/capture")
    assert (limited.status_code, limited.json()["code"]) == (429, "rate_limited")
    assert not NerfJob.objects.exists()
