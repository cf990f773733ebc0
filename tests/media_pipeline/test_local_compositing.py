import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw

from media_pipeline import storage
from media_pipeline.backends.local_compositing import LocalCompositingBackend, cutout
from media_pipeline.models import ProviderUsage

pytestmark = pytest.mark.django_db

SCENE_SIZE = (100, 180)
SCENE_COLOUR = (30, 60, 200)
RED = (220, 20, 40)
WHITE = (250, 250, 250)


def store_png(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return storage.store_bytes(buffer.getvalue(), kind="test-inputs", extension="png")


def product_on_white() -> Image.Image:
    """A red bottle with a white label, shot on a white backdrop."""
    photo = Image.new("RGB", (200, 300), WHITE)
    draw = ImageDraw.Draw(photo)
    draw.rectangle((50, 50, 150, 280), fill=RED)
    draw.rectangle((80, 120, 120, 200), fill=WHITE)
    return photo


def composite(product: Image.Image) -> Image.Image:
    scene = store_png(Image.new("RGB", SCENE_SIZE, SCENE_COLOUR))
    media = LocalCompositingBackend().composite(
        scene_image_path=scene, product_image_path=store_png(product), instruction="", seed=1
    )
    assert (media.content_type, media.width, media.height) == ("image/png", *SCENE_SIZE)
    return Image.open(default_storage.open(media.path)).convert("RGB")


def red_box(image: Image.Image) -> tuple[int, int, int, int]:
    """The bounding box of the product's red pixels."""
    red = [
        (x, y)
        for y in range(image.height)
        for x in range(image.width)
        if image.getpixel((x, y))[0] > 150 and image.getpixel((x, y))[2] < 100
    ]
    xs, ys = [x for x, _ in red], [y for _, y in red]
    return min(xs), min(ys), max(xs) + 1, max(ys) + 1


def test_white_backdrop_is_keyed_out_and_product_sits_lower_centre():
    result = composite(product_on_white())

    left, top, right, bottom = red_box(result)
    assert right - left == pytest.approx(SCENE_SIZE[0] * 0.4, abs=3)
    assert (left + right) / 2 == pytest.approx(SCENE_SIZE[0] / 2, abs=2)
    assert bottom > SCENE_SIZE[1] * 0.7
    assert result.getpixel((3, 3)) == SCENE_COLOUR
    assert result.getpixel((left - 3, (top + bottom) // 2))[2] > 150


def test_white_label_inside_the_product_is_kept():
    result = composite(product_on_white())

    left, top, right, bottom = red_box(result)
    label = result.getpixel(((left + right) // 2, top + (bottom - top) * 2 // 5))
    assert min(label) > 200


def test_existing_transparency_is_used_as_the_cutout():
    product = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    ImageDraw.Draw(product).ellipse((20, 20, 80, 80), fill=(*RED, 255))

    result = composite(product)

    left, top, right, bottom = red_box(result)
    assert right - left == pytest.approx(SCENE_SIZE[0] * 0.4, abs=3)
    corner = result.getpixel((left + 1, top + 1))
    assert corner[2] > corner[0], "the transparent corner of the cutout shows the scene"


def test_product_casts_a_soft_shadow():
    result = composite(product_on_white())

    left, top, right, bottom = red_box(result)
    below_right = result.getpixel((min(right + 1, SCENE_SIZE[0] - 1), bottom))
    assert sum(below_right) < sum(SCENE_COLOUR) - 20


def test_cutout_crops_to_the_product_and_clears_the_backdrop():
    piece = cutout(product_on_white())

    alpha = piece.getchannel("A")
    assert piece.size == pytest.approx((101, 231), abs=4)
    assert alpha.getpixel((piece.width // 2, piece.height - 10)) == 255


def test_photo_with_nothing_to_key_is_used_whole():
    flat = Image.new("RGB", (40, 40), RED)

    assert cutout(flat).size == (40, 40)
    assert cutout(flat).getchannel("A").getextrema() == (255, 255)


def test_each_composite_is_metered():
    composite(product_on_white())

    usage = ProviderUsage.objects.get()
    assert (usage.capability, usage.backend, usage.outcome) == ("compositing", "local", "success")
