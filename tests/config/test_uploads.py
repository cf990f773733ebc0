import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from media_pipeline.uploads import validate_upload
from projects.models import ProductImage
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def png(width: int, height: int) -> bytes:
    """A PNG of any size in a few kilobytes: one bit per pixel, all zero, compresses away."""
    data = io.BytesIO()
    Image.new("1", (width, height)).save(data, format="PNG")
    return data.getvalue()


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def admin_add_image(client, name: str, content: bytes, **extra):
    product = ProductFactory()
    url = reverse("admin:projects_productimage_add")
    upload = SimpleUploadedFile(name, content, content_type="image/png")
    return client.post(url, {"product": product.pk, "image": upload, "position": 0}, **extra)


def test_admin_accepts_an_image_within_the_limits(admin_client):
    response = admin_add_image(admin_client, "small.png", png(64, 64))
    assert response.status_code == 302
    assert ProductImage.objects.count() == 1


def test_admin_upload_past_max_upload_bytes_is_refused_with_413(admin_client, settings):
    settings.MAX_UPLOAD_BYTES = 100_000
    response = admin_add_image(admin_client, "big.png", png(64, 64) + b"\0" * 200_000)
    assert response.status_code == 413
    assert "Choose a smaller file" in response.content.decode()
    assert not ProductImage.objects.exists()


def test_a_100_megapixel_png_is_refused_naming_the_limit(admin_client):
    response = admin_add_image(admin_client, "huge.png", png(10_000, 10_000))
    assert response.status_code == 413
    # Past twice the limit Pillow will not even give the size (a decompression bomb guard).
    assert "That image has more than 80 megapixels; the most we accept is 40" in (
        response.content.decode()
    )


def test_an_image_just_past_the_limit_is_refused_with_its_size(admin_client):
    response = admin_add_image(admin_client, "large.png", png(8_000, 6_000))
    assert response.status_code == 413
    assert "That image is 48 megapixels; the most we accept is 40" in response.content.decode()
    assert not ProductImage.objects.exists()


def test_an_htmx_upload_gets_the_reason_as_text_for_the_toast(admin_client, settings):
    settings.MAX_UPLOAD_BYTES = 100_000
    response = admin_add_image(admin_client, "big.png", b"\0" * 200_000, **HTMX)
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode().startswith("That file is larger than")


def test_the_validator_names_each_limit(settings):
    settings.MAX_UPLOAD_BYTES = 1000
    with pytest.raises(ValidationError, match="larger than"):
        validate_upload(SimpleUploadedFile("a.bin", b"x" * 2000))
    settings.MAX_UPLOAD_BYTES = 10_000_000
    with pytest.raises(ValidationError, match="is 48 megapixels"):
        validate_upload(SimpleUploadedFile("a.png", png(8_000, 6_000)))
    validate_upload(SimpleUploadedFile("a.png", png(64, 64)))
