import io
import itertools

import pytest
from django.core.files.storage import default_storage
from PIL import Image, ImageChops, ImageDraw, ImageFont, ImageStat

from media_pipeline import storage
from media_pipeline.backends.local_image import (
    LocalImageBackend,
    choose_layout,
    choose_palette,
    choose_shape,
    render_image,
)
from media_pipeline.backends.local_image_layouts import LAYOUTS
from media_pipeline.base import ImageStyle, ProviderError
from media_pipeline.models import ProviderUsage

pytestmark = pytest.mark.django_db

PROMPT = "Glow serum bottle on a marble pedestal, warm morning light"
WARM = ["#2b1d14", "#7a4b2a", "#c98a4b", "#f2c078", "#fbe8c8"]
SMALL = {"width": 72, "height": 128}
# Layout pictures must differ this much (mean absolute grey difference, 0–255) ...
MIN_LAYOUT_DIFFERENCE = 30
# ... and in where their light and dark mass sits (3×3 grid, summed grey differences).
MIN_SIGNATURE_DIFFERENCE = 60
PALETTE_DISTANCE = 60  # RGB distance within which a pixel counts as a palette colour
PALETTE_SHARE = 0.8
CUTOUT_GREEN = (0, 220, 0)


def generate(**overrides):
    arguments = {"prompt": PROMPT, "width": 64, "height": 112, "seed": 7} | overrides
    return LocalImageBackend().generate(**arguments)


def stored_bytes(path: str) -> bytes:
    with default_storage.open(path) as handle:
        return handle.read()


def open_stored(path: str) -> Image.Image:
    return Image.open(io.BytesIO(stored_bytes(path)))


def layout_picture(layout: str, **style) -> Image.Image:
    return render_image(
        "Glow serum bottle", seed=5, style=ImageStyle(palette=WARM, layout=layout, **style), **SMALL
    )


def signature(picture: Image.Image) -> list[float]:
    """Where the bright and dark mass sits: a 3×3 grey grid, less its mean."""
    cells = list(picture.convert("L").resize((3, 3), Image.BOX).get_flattened_data())
    mean = sum(cells) / len(cells)
    return [cell - mean for cell in cells]


def stored_cutout() -> str:
    """A green square on transparency, like a product photo with its background removed."""
    picture = Image.new("RGBA", (40, 60), (0, 0, 0, 0))
    ImageDraw.Draw(picture).rectangle((5, 5, 34, 54), fill=(*CUTOUT_GREEN, 255))
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return storage.store_bytes(buffer.getvalue(), kind="uploads", extension="png")


def test_images_are_pngs_of_exactly_the_requested_size():
    images = generate(width=90, height=160, count=2)

    assert len(images) == 2
    for media in images:
        picture = open_stored(media.path)
        assert (picture.format, picture.size) == ("PNG", (90, 160))
        assert (media.content_type, media.width, media.height) == ("image/png", 90, 160)
        assert media.size_bytes == default_storage.size(media.path)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_layout_honours_odd_and_landscape_sizes(layout):
    for width, height in ((61, 97), (160, 90)):
        style = ImageStyle(palette=WARM, layout=layout)
        picture = render_image(PROMPT, width=width, height=height, seed=1, style=style)
        assert picture.size == (width, height)


def test_same_seed_and_prompt_give_identical_bytes():
    first, second = generate()[0], generate()[0]

    assert first.path == second.path
    assert stored_bytes(first.path) == stored_bytes(second.path)


def test_count_images_all_differ():
    paths = {media.path for media in generate(count=3)}

    assert len(paths) == 3


def test_other_seed_or_prompt_gives_another_image():
    base = generate()[0].path

    assert generate(seed=8)[0].path != base
    assert generate(prompt="Trail running shoes")[0].path != base


def test_every_pair_of_layouts_gives_clearly_different_pictures():
    pictures = {layout: layout_picture(layout) for layout in LAYOUTS}

    for first, second in itertools.combinations(LAYOUTS, 2):
        difference = ImageChops.difference(pictures[first], pictures[second]).convert("L")
        shift = sum(
            abs(a - b)
            for a, b in zip(signature(pictures[first]), signature(pictures[second]), strict=True)
        )
        assert ImageStat.Stat(difference).mean[0] > MIN_LAYOUT_DIFFERENCE, (first, second)
        assert shift > MIN_SIGNATURE_DIFFERENCE, (first, second)


def test_no_words_are_ever_drawn(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the local image backend must not draw text")

    monkeypatch.setattr(ImageDraw.ImageDraw, "text", refuse)
    monkeypatch.setattr(ImageFont, "load_default", refuse)
    monkeypatch.setattr(ImageFont, "truetype", refuse)

    for layout in LAYOUTS:
        layout_picture(layout)
    generate(prompt="Glow serum, words on a sign")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_palette_owns_the_picture(layout):
    palette = [tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5)) for colour in WARM]
    pixels = list(layout_picture(layout).get_flattened_data())

    near = [
        pixel
        for pixel in pixels
        if min(sum((a - b) ** 2 for a, b in zip(pixel, tone, strict=True)) for tone in palette)
        < PALETTE_DISTANCE**2
    ]
    assert len(near) > PALETTE_SHARE * len(pixels)


def test_mood_palette_colours_the_image():
    reds = ImageStyle(palette=["#400000", "#800000", "#c00000", "#ff4040", "#ffc0c0"])
    blues = ImageStyle(palette=["#000040", "#000080", "#0000c0", "#4040ff", "#c0c0ff"])

    red_mean = ImageStat.Stat(open_stored(generate(style=reds)[0].path).convert("RGB")).mean
    blue_mean = ImageStat.Stat(open_stored(generate(style=blues)[0].path).convert("RGB")).mean

    assert red_mean[0] > red_mean[2] * 2
    assert blue_mean[2] > blue_mean[0] * 2


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_product_cutout_is_composited_when_given(layout):
    picture = layout_picture(layout, product_cutout=stored_cutout())
    without = layout_picture(layout)

    def green_share(image: Image.Image) -> float:
        pixels = list(image.get_flattened_data())
        green = [(r, g, b) for r, g, b in pixels if g > 170 and r < 60 and b < 60]
        return len(green) / len(pixels)

    assert green_share(picture) > 0.02
    assert green_share(without) == 0


def test_an_unreadable_cutout_is_a_permanent_error():
    path = storage.store_bytes(b"not a picture", kind="uploads", extension="png")

    with pytest.raises(ProviderError) as caught:
        generate(style=ImageStyle(palette=WARM, product_cutout=path))

    assert caught.value.permanent


def test_image_is_not_flat():
    picture = open_stored(generate(width=128, height=224)[0].path).convert("L")

    assert ImageStat.Stat(picture).stddev[0] > 8


def test_short_or_invalid_palette_is_completed_to_five_colours():
    palette = choose_palette(PROMPT, ImageStyle(palette=["#102030", "not a colour", "#405060"]))

    assert palette[:2] == ["#102030", "#405060"]
    assert len(palette) == 5


def test_no_style_picks_a_curated_palette_from_the_prompt():
    assert choose_palette(PROMPT, None) == choose_palette(PROMPT, ImageStyle())
    assert len(choose_palette(PROMPT, None)) == 5


def test_the_style_layout_wins_then_the_prompt_words_then_the_seed():
    assert choose_layout(PROMPT, ImageStyle(layout="grid"), seed=0) == "grid"
    assert choose_layout("top-down flat lay of a serum, on a pedestal", None, seed=0) == "flat-lay"
    assert choose_layout(PROMPT, ImageStyle(layout="unknown"), seed=0) == "pedestal"
    assert {choose_layout("a serum", None, seed=seed) for seed in range(8)} == set(LAYOUTS)


@pytest.mark.parametrize(
    ("prompt", "shape"),
    [
        ("Trail running shoe on a bold diagonal", "shoe"),
        ("night cream jar on linen", "jar"),
        ("sparkling soda cans in ice", "can"),
        ("budgeting app on a phone", "device"),
        ("toothpaste tube by the sink", "tube"),
        ("tea gift box with ribbon", "box"),
        ("something unnamed in the sun", "bottle"),
    ],
)
def test_the_product_shape_follows_the_prompt(prompt, shape):
    assert choose_shape(prompt) == shape


def test_each_call_is_metered_once():
    generate(count=2)

    usage = ProviderUsage.objects.get()
    assert (usage.capability, usage.backend, usage.outcome) == ("image", "local", "success")
