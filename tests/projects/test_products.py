"""The product library: uploads checked by content, the cutout job, ordering, the project's product."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from media_pipeline import ffmpeg
from projects import product_services as services
from projects import tasks
from projects.models import CutoutStatus, ProductImage
from tests.factories import ProductFactory, ProductImageFactory, ProjectFactory
from tests.fakes.products import product_photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def cutouts_queued(monkeypatch):
    sent = []
    monkeypatch.setattr(
        tasks.product_image_cutout_task, "delay", lambda *, image_id: sent.append(image_id)
    )
    return sent


@pytest.fixture
def product(user):
    return ProductFactory(owner=user)


def image_file(
    name="photo.jpg", *, size=(40, 30), image_format="JPEG", **save
) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=image_format, **save)
    return SimpleUploadedFile(name, buffer.getvalue())


def rotated_jpeg() -> SimpleUploadedFile:
    """40×30 pixels stored sideways, with EXIF orientation 6 (rotate 90° clockwise to view)."""
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # a GPS latitude that must not survive
    return image_file("sideways.jpg", exif=exif.tobytes())


def png_bomb(width=30_000, height=30_000) -> bytes:
    """A tiny PNG whose header declares 900 megapixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def add(product, *files):
    return services.product_images_add(product=product, files=list(files))


def test_good_photos_land_and_queue_their_cutouts(
    product, cutouts_queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        outcome = add(product, image_file("a.jpg"), image_file("b.png", image_format="PNG"))

    assert outcome.refused == []
    images = list(product.images.all())
    assert [image.original_name for image in images] == ["a.jpg", "b.png"]
    assert [image.position for image in images] == [0, 1]
    assert {image.cutout_status for image in images} == {CutoutStatus.QUEUED}
    assert cutouts_queued == [image.pk for image in images]
    assert images[1].image.name.endswith(".png")


def test_a_bad_file_is_named_and_refused_while_the_others_land(product, cutouts_queued):
    good = image_file("good.jpg")
    text = SimpleUploadedFile("notes.jpg", b"this is not an image at all")

    outcome = add(product, text, good)

    assert [image.original_name for image in outcome.added] == ["good.jpg"]
    ((name, why),) = outcome.refused
    assert name == "notes.jpg"
    assert "not an image we can read" in why


def test_a_truncated_image_is_refused(product, cutouts_queued):
    data = image_file(size=(200, 200)).read()

    outcome = add(product, SimpleUploadedFile("cut.jpg", data[: len(data) // 2]))

    assert "cut short" in outcome.refused[0][1]
    assert not product.images.exists()


def test_a_real_image_of_another_type_is_refused_by_content_not_name(product, cutouts_queued):
    outcome = add(product, image_file("looks-fine.jpg", image_format="GIF"))

    assert outcome.refused[0][1].startswith("GIF images are not accepted")


def test_a_decompression_bomb_is_refused_with_a_clear_message(product, cutouts_queued):
    outcome = add(product, SimpleUploadedFile("bomb.png", png_bomb()))

    assert "megapixels" in outcome.refused[0][1]
    assert "Resize it" in outcome.refused[0][1]


def test_an_oversize_file_is_refused(settings, product, cutouts_queued):
    settings.MAX_UPLOAD_BYTES = 1000

    outcome = add(product, image_file(size=(400, 400), quality=100))

    assert "larger than" in outcome.refused[0][1]


def test_exif_orientation_is_applied_and_metadata_dropped(product, cutouts_queued):
    (image,) = add(product, rotated_jpeg()).added

    with image.image.open("rb") as stored, Image.open(stored) as photo:
        assert photo.size == (30, 40)
        assert not photo.getexif()


def test_reorder_and_choose_the_main_photo(product):
    first, second, third = (ProductImageFactory(product=product, position=n) for n in range(3))

    services.product_image_move(image=third, offset=-1)
    assert list(product.images.values_list("pk", flat=True)) == [first.pk, third.pk, second.pk]

    services.product_image_make_main(image=second)
    assert list(product.images.values_list("pk", flat=True)) == [second.pk, first.pk, third.pk]

    services.product_image_delete(image=second)
    assert list(product.images.values_list("position", flat=True)) == [0, 1]


def test_the_first_photo_cannot_move_earlier(product):
    first = ProductImageFactory(product=product, position=0)

    with pytest.raises(services.ProductError):
        services.product_image_move(image=first, offset=-1)


def test_the_cutout_job_stores_the_local_cutout(product):
    photo, _ = product_photo((120, 160))
    buffer = io.BytesIO()
    photo.save(buffer, format="PNG")
    image = ProductImageFactory(
        product=product, image=SimpleUploadedFile("p.png", buffer.getvalue())
    )

    tasks.product_image_cutout_task.apply(kwargs={"image_id": image.pk})

    image.refresh_from_db()
    assert image.cutout_status == CutoutStatus.DONE
    assert image.cutout.name.startswith("generated/cutouts/")


def test_a_cutout_that_finds_nothing_fails_with_its_reason_and_can_be_retried(
    product, cutouts_queued
):
    image = ProductImageFactory(product=product)  # plain white: nothing to cut out

    tasks.product_image_cutout_task.apply(kwargs={"image_id": image.pk})

    image.refresh_from_db()
    assert image.cutout_status == CutoutStatus.FAILED
    assert "plain backdrop" in image.cutout_error
    services.product_image_cutout_retry(image=image)
    assert ProductImage.objects.get(pk=image.pk).cutout_status == CutoutStatus.QUEUED


def test_choosing_a_product_fills_the_briefs_product(user):
    project = ProjectFactory(owner=user)
    product = ProductFactory(owner=user, name="GlowSerum", description="A vitamin C serum.")

    services.project_choose_product(project=project, product=product)

    project.refresh_from_db()
    assert project.product == product
    assert project.brief["product"] == "GlowSerum: A vitamin C serum."


# --- views ---------------------------------------------------------------------------


def test_the_upload_view_answers_the_grid_naming_the_refused_file(
    client_logged_in, product, cutouts_queued
):
    url = reverse("projects:product_photos", args=[product.pk])

    response = client_logged_in.post(
        url,
        {"photos": [image_file("ok.jpg"), SimpleUploadedFile("bad.png", b"nope")]},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="product-photos"')
    assert 'data-refused="bad.png"' in html
    assert product.images.count() == 1


def test_products_page_lists_only_the_users_products(client_logged_in, user, other_user):
    ProductFactory(owner=user, name="Mine")
    ProductFactory(owner=other_user, name="Theirs")

    html = client_logged_in.get(reverse("projects:products")).content.decode()

    assert "Mine" in html and "Theirs" not in html


def test_a_project_cannot_use_another_users_product(client_logged_in, user, other_user):
    project = ProjectFactory(owner=user)
    theirs = ProductFactory(owner=other_user)

    response = client_logged_in.post(
        reverse("projects:project_product", args=[project.pk]), {"product": theirs.pk}
    )

    assert response.status_code == 404
    project.refresh_from_db()
    assert project.product is None


def test_product_files_are_served_to_their_owner_only(client, user, other_user, product):
    image = ProductImageFactory(product=product)
    url = image.image.url

    client.force_login(other_user)
    assert client.get(url).status_code == 404
    client.force_login(user)
    assert client.get(url).status_code == 200


def test_a_video_walked_around_the_product_becomes_evenly_spaced_photos(
    settings, product, cutouts_queued, tmp_path, django_capture_on_commit_callbacks
):
    settings.CAPTURE_VIDEO_FRAMES = 6
    video = tmp_path / "walk.mp4"
    ffmpeg.run_ffmpeg(
        ["-f", "lavfi", "-i", "testsrc2=s=96x64:r=12:d=2", "-pix_fmt", "yuv420p", str(video)],
        timeout=60,
    )

    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.product_video_add(
            product=product, upload=SimpleUploadedFile("walk.mp4", video.read_bytes())
        )

    assert outcome.refused == []
    assert [image.original_name for image in product.images.all()] == [
        f"walk-{n:02d}.jpg" for n in range(1, 7)
    ]
    assert len(cutouts_queued) == 6


def test_a_file_that_is_not_a_video_is_refused_by_name(product, cutouts_queued):
    outcome = services.product_video_add(
        product=product, upload=SimpleUploadedFile("walk.mp4", b"not a video")
    )

    assert outcome.refused == [
        ("walk.mp4", "That file is not a video we can read. Upload an MP4, MOV or WebM.")
    ]
