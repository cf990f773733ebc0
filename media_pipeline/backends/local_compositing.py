"""Product compositing with Pillow: the product's cutout, standing in the scene with a soft shadow.

A product photo with real transparency is used as is; otherwise the background is keyed
out where it touches the photo's border, so light areas inside the product survive.
"""

import io

from PIL import Image, ImageChops, ImageDraw, ImageFilter

from media_pipeline import storage
from media_pipeline.base import StoredMedia
from media_pipeline.metering import metered

BACKEND = "local"
MODEL = "alpha-composite"
STORAGE_KIND = "composites"

PRODUCT_WIDTH_SHARE = 0.4
PRODUCT_MAX_HEIGHT_SHARE = 0.5
BASELINE_SHARE = 0.86  # where the product's base sits, as a share of the frame height
SHADOW_OPACITY = 0.55
KEY_TOLERANCE = 40  # how far (per channel, 0-255) a pixel may be from the background to be keyed
OPAQUE_ENOUGH = 250
FLOOD_FILL_SIZE = 256
MIN_CUTOUT_SHARE = 0.02  # a cutout smaller than this share of the photo means keying failed


class LocalCompositingBackend:
    def __init__(self, **options: object) -> None:
        """No options are needed; any given (e.g. a real backend's) are ignored."""

    def composite(
        self, *, scene_image_path: str, product_image_path: str, instruction: str, seed: int
    ) -> StoredMedia:
        with metered("compositing", BACKEND, MODEL):
            with (
                storage.local_copy(scene_image_path) as scene_file,
                Image.open(scene_file) as scene,
            ):
                scene_rgba = scene.convert("RGBA")
            with (
                storage.local_copy(product_image_path) as product_file,
                Image.open(product_file) as product,
            ):
                product_rgba = cutout(product)
            result = place_product(scene_rgba, product_rgba)
            return _store(result)


def cutout(product: Image.Image) -> Image.Image:
    """The product on a transparent background, cropped to its outline."""
    image = product.convert("RGBA")
    if not _has_transparency(product):
        image.putalpha(_background_key(image.convert("RGB")))
    box = image.getchannel("A").getbbox()
    if box is None or _area(box) < MIN_CUTOUT_SHARE * image.width * image.height:
        return product.convert("RGBA")
    return image.crop(box)


def place_product(scene: Image.Image, product: Image.Image) -> Image.Image:
    """Scale the product to ~40% of the frame width and stand it lower-centre with a shadow."""
    width, height = scene.size
    scale = min(
        width * PRODUCT_WIDTH_SHARE / product.width,
        height * PRODUCT_MAX_HEIGHT_SHARE / product.height,
    )
    size = (max(1, round(product.width * scale)), max(1, round(product.height * scale)))
    product = product.resize(size, Image.LANCZOS)
    left, top = (width - size[0]) // 2, round(height * BASELINE_SHARE) - size[1]
    result = scene.copy()
    result.alpha_composite(_shadow(scene.size, product, (left, top)))
    result.alpha_composite(product, dest=(left, top))
    return result.convert("RGB")


def _has_transparency(image: Image.Image) -> bool:
    if image.mode not in ("RGBA", "LA", "PA") and "transparency" not in image.info:
        return False
    return image.convert("RGBA").getchannel("A").getextrema()[0] < OPAQUE_ENOUGH


def _background_key(image: Image.Image) -> Image.Image:
    """An alpha mask: 0 for background-coloured pixels connected to the border, 255 elsewhere."""
    background = Image.new("RGB", image.size, _border_colour(image))
    red, green, blue = ImageChops.difference(image, background).split()
    distance = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    near_background = distance.point(lambda value: 255 if value < KEY_TOLERANCE else 0)
    keyed = ImageChops.multiply(near_background, _border_connected(near_background))
    # Eroding by a pixel before feathering drops the backdrop-coloured fringe around the edge.
    return (
        ImageChops.invert(keyed)
        .filter(ImageFilter.MinFilter(3))
        .filter(ImageFilter.GaussianBlur(1))
    )


def _border_connected(near_background: Image.Image) -> Image.Image:
    """255 where a background-coloured region reaches the border, so light areas inside the
    product stay opaque. Flood fill is pure Python, so it runs on a small copy."""
    small = near_background.copy()
    small.thumbnail((FLOOD_FILL_SIZE, FLOOD_FILL_SIZE), Image.NEAREST)
    for point in _border_points(*small.size):
        if small.getpixel(point) == 255:
            ImageDraw.floodfill(small, point, 128)
    connected = small.point(lambda value: 255 if value == 128 else 0)
    return connected.resize(near_background.size, Image.BILINEAR)


def _border_colour(image: Image.Image) -> tuple[int, int, int]:
    """The median colour along the photo's edges: the backdrop a product is shot against."""
    pixels = [image.getpixel(point) for point in _border_points(*image.size)]
    return tuple(
        sorted(pixel[channel] for pixel in pixels)[len(pixels) // 2] for channel in range(3)
    )


def _border_points(width: int, height: int) -> list[tuple[int, int]]:
    horizontal = [(x, y) for x in range(width) for y in (0, height - 1)]
    vertical = [(x, y) for y in range(height) for x in (0, width - 1)]
    return horizontal + vertical


def _shadow(size: tuple[int, int], product: Image.Image, position: tuple[int, int]) -> Image.Image:
    """The product's silhouette in black, blurred and nudged down-right."""
    width, height = size
    silhouette = product.getchannel("A").point(lambda value: int(value * SHADOW_OPACITY))
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    alpha = Image.new("L", size, 0)
    alpha.paste(silhouette, (position[0] + max(1, width // 60), position[1] + max(1, height // 80)))
    layer.putalpha(alpha.filter(ImageFilter.GaussianBlur(max(1, width / 50))))
    return layer


def _area(box: tuple[int, int, int, int]) -> int:
    return (box[2] - box[0]) * (box[3] - box[1])


def _store(image: Image.Image) -> StoredMedia:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    data = buffer.getvalue()
    path = storage.store_bytes(data, kind=STORAGE_KIND, extension="png")
    return StoredMedia(path, "image/png", len(data), width=image.width, height=image.height)
