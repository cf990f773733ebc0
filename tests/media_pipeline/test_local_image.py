import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image, ImageStat

from media_pipeline.backends.local_image import LocalImageBackend, choose_palette, title_from_prompt
from media_pipeline.base import ImageStyle
from media_pipeline.models import ProviderUsage

pytestmark = pytest.mark.django_db

PROMPT = "Glow serum bottle on a marble pedestal, warm morning light"


def generate(**overrides):
    arguments = {"prompt": PROMPT, "width": 64, "height": 112, "seed": 7} | overrides
    return LocalImageBackend().generate(**arguments)


def stored_bytes(path: str) -> bytes:
    with default_storage.open(path) as handle:
        return handle.read()


def open_stored(path: str) -> Image.Image:
    return Image.open(io.BytesIO(stored_bytes(path)))


def test_images_are_pngs_of_exactly_the_requested_size():
    images = generate(width=90, height=160, count=2)

    assert len(images) == 2
    for media in images:
        picture = open_stored(media.path)
        assert (picture.format, picture.size) == ("PNG", (90, 160))
        assert (media.content_type, media.width, media.height) == ("image/png", 90, 160)
        assert media.size_bytes == default_storage.size(media.path)


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


def test_mood_palette_colours_the_image():
    reds = ImageStyle(palette=["#400000", "#800000", "#c00000", "#ff4040", "#ffc0c0"])
    blues = ImageStyle(palette=["#000040", "#000080", "#0000c0", "#4040ff", "#c0c0ff"])

    red_mean = ImageStat.Stat(open_stored(generate(style=reds)[0].path).convert("RGB")).mean
    blue_mean = ImageStat.Stat(open_stored(generate(style=blues)[0].path).convert("RGB")).mean

    assert red_mean[0] > red_mean[2] * 2
    assert blue_mean[2] > blue_mean[0] * 2


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


def test_title_takes_the_first_meaningful_words_of_the_prompt():
    assert title_from_prompt(PROMPT) == "Glow Serum Bottle"
    assert title_from_prompt("a close-up of the product, soft light") == "Close-up"
    assert title_from_prompt("") == ""


def test_each_call_is_metered_once():
    generate(count=2)

    usage = ProviderUsage.objects.get()
    assert (usage.capability, usage.backend, usage.outcome) == ("image", "local", "success")
