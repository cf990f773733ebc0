"""The product library, as the user drives it: products, their photos, and a project's product.

A photo is checked by its content (media_pipeline.uploads.clean_image), stored afresh without
its metadata, and queued for its cutout (one `io` job each, projects/product_generation.py).
Several photos arrive in one request: each is judged on its own, so a bad one is named and
refused while the others land. The first photo by position is the product's main photo.
"""

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Max

from media_pipeline import storage
from media_pipeline.base import ProviderError
from media_pipeline.frames import video_frames
from media_pipeline.jobs import enqueue_on_commit
from media_pipeline.states import transition
from media_pipeline.uploads import clean_image, too_large_message
from projects import tasks
from projects.models import CUTOUT_STATES, CutoutStatus, Product, ProductImage, Project

MAX_PHOTOS = 60  # enough for a 3D capture (12 to 48 around the object) with room to spare
BRIEF_PRODUCT_LENGTH = 500
NAME_LENGTH = ProductImage._meta.get_field("original_name").max_length


class ProductError(Exception):
    """A change the product's state does not allow; the message says what to do instead."""


@dataclass
class UploadOutcome:
    added: list[ProductImage] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (file name, why)


def product_create(
    *, owner: AbstractBaseUser, name: str, description: str = "", link: str = ""
) -> Product:
    return Product.objects.create(
        owner=owner, name=name.strip(), description=description.strip(), link=link.strip()
    )


def product_update(*, product: Product, name: str, description: str, link: str) -> Product:
    product.name, product.description, product.link = name.strip(), description.strip(), link
    product.save(update_fields=["name", "description", "link", "updated_at"])
    return product


def product_delete(*, product: Product) -> None:
    product.delete()


def product_images_add(*, product: Product, files: list) -> UploadOutcome:
    """Store each good photo and queue its cutout; name each bad one with the reason."""
    outcome = UploadOutcome()
    for upload in files:
        name = (getattr(upload, "name", "") or "photo")[:NAME_LENGTH]
        try:
            outcome.added.append(_image_add(product, upload, name))
        except (ValidationError, ProductError) as error:
            outcome.refused.append((name, _message(error)))
    return outcome


@transaction.atomic
def _image_add(product: Product, upload, name: str) -> ProductImage:
    Product.objects.select_for_update().filter(pk=product.pk).first()
    if product.images.count() >= MAX_PHOTOS:
        raise ProductError(f"A product holds at most {MAX_PHOTOS} photos; delete some first.")
    cleaned = clean_image(upload)
    path = storage.store_bytes(cleaned.data, kind="products", extension=cleaned.extension)
    last = product.images.aggregate(last=Max("position"))["last"]
    image = ProductImage.objects.create(
        product=product,
        image=path,
        original_name=name,
        position=0 if last is None else last + 1,
    )
    enqueue_on_commit(tasks.product_image_cutout_task, image_id=image.pk)
    return image


def product_video_add(*, product: Product, upload) -> UploadOutcome:
    """Photos for a 3D capture from a short video walked around the product: evenly spaced
    frames, each stored and cut out like an uploaded photo."""
    name = (getattr(upload, "name", "") or "video")[:NAME_LENGTH]
    if upload.size is not None and upload.size > settings.MAX_UPLOAD_BYTES:
        return UploadOutcome(refused=[(name, too_large_message())])
    with tempfile.NamedTemporaryFile(suffix=Path(name).suffix or ".mp4") as local:
        for chunk in upload.chunks():
            local.write(chunk)
        local.flush()
        try:
            frames = video_frames(Path(local.name), count=settings.CAPTURE_VIDEO_FRAMES)
        except ProviderError as error:
            return UploadOutcome(refused=[(name, error.message)])
    stem = Path(name).stem
    files = [
        SimpleUploadedFile(f"{stem}-{index + 1:02d}.jpg", frame)
        for index, frame in enumerate(frames)
    ]
    return product_images_add(product=product, files=files)


def product_image_delete(*, image: ProductImage) -> None:
    with transaction.atomic():
        ProductImage.objects.filter(pk=image.pk).delete()
        _renumber(image.product)


@transaction.atomic
def product_image_move(*, image: ProductImage, offset: int) -> None:
    """Swap the photo with its neighbour `offset` (-1 earlier, +1 later) places away."""
    images = list(image.product.images.select_for_update().order_by("position", "id"))
    index = next((i for i, other in enumerate(images) if other.pk == image.pk), None)
    if index is None or offset not in (-1, 1) or not 0 <= index + offset < len(images):
        raise ProductError("This photo cannot move further that way.")
    images[index], images[index + offset] = images[index + offset], images[index]
    _save_order(images)


@transaction.atomic
def product_image_make_main(*, image: ProductImage) -> None:
    """Put the photo first: the main photo is what scenes and the brief card show."""
    images = list(image.product.images.select_for_update().order_by("position", "id"))
    _save_order(sorted(images, key=lambda other: other.pk != image.pk))


@transaction.atomic
def product_image_cutout_retry(*, image: ProductImage) -> None:
    moved = transition(
        ProductImage.objects.filter(pk=image.pk),
        CUTOUT_STATES,
        to=CutoutStatus.QUEUED,
        sources=[CutoutStatus.DONE, CutoutStatus.FAILED],
        cutout_error="",
    )
    if not moved:
        raise ProductError("This photo's cutout is being made; wait for it to finish.")
    enqueue_on_commit(tasks.product_image_cutout_task, image_id=image.pk)


def project_choose_product(*, project: Project, product: Product | None) -> Project:
    """The project's product; its name and description fill the brief's product field."""
    project.product = product
    fields = ["product", "updated_at"]
    if product is not None:
        project.brief = {**project.brief, "product": brief_product(product)}
        fields.append("brief")
    project.save(update_fields=fields)
    return project


def brief_product(product: Product) -> str:
    """How the brief (and so the writer, the mood and the scene prompts) names the product."""
    text = f"{product.name}: {product.description}" if product.description else product.name
    return " ".join(text.split())[:BRIEF_PRODUCT_LENGTH]


def _save_order(images: list[ProductImage]) -> None:
    for position, image in enumerate(images):
        if image.position != position:
            ProductImage.objects.filter(pk=image.pk).update(position=position)


def _renumber(product: Product) -> None:
    _save_order(list(product.images.order_by("position", "id")))


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)
