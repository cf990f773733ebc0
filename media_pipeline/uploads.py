"""Limits on uploaded files: bytes (MAX_UPLOAD_BYTES) and, for images, pixels (MAX_UPLOAD_PIXELS).

Two ways in, one rule:

- `LimitedUploadHandler`, first in FILE_UPLOAD_HANDLERS, guards every upload (the admin
  included): it stops reading a file once it passes MAX_UPLOAD_BYTES, and refuses an image
  whose header already declares too many pixels, before the rest is stored. It raises
  `UploadRefused`, which config.middleware.UploadLimitMiddleware answers with a 413.
- `validate_upload` is the same check for a file already received, for a form or model
  field: `forms.ImageField(validators=[validate_upload])`.

A decompression bomb (a small file that expands to gigapixels) is caught by the pixel limit:
Pillow reads the size from the header without decoding the image.
"""

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler
from PIL import Image, ImageOps

# Image headers (PNG IHDR, GIF, WebP) are in the first bytes; a JPEG's size marker follows its
# EXIF block, usually within the first chunk. A header not found here is checked on open.
HEADER_BYTES = 64 * 1024
MEGABYTE = 1024 * 1024
MEGAPIXEL = 1_000_000


class UploadRefused(Exception):
    """An upload past a limit; the message says what to do instead."""


# Pillow's own guard (it warns past this many pixels and refuses past twice as many) follows
# ours, for every image this process opens.
Image.MAX_IMAGE_PIXELS = settings.MAX_UPLOAD_PIXELS


def too_large_message() -> str:
    limit = settings.MAX_UPLOAD_BYTES / MEGABYTE
    return f"That file is larger than {limit:g} MB, the most we accept. Choose a smaller file."


def too_many_pixels_message(pixels: int | None) -> str:
    """`pixels` None: Pillow refused to read the size, so it is past twice the limit."""
    limit = settings.MAX_UPLOAD_PIXELS / MEGAPIXEL
    size = f"is {pixels / MEGAPIXEL:.0f}" if pixels else f"has more than {2 * limit:g}"
    return (
        f"That image {size} megapixels; the most we accept is {limit:g}."
        " Resize it and upload it again."
    )


def image_pixels(data: io.BufferedIOBase) -> int | None:
    """Width × height from an image's header, or None if Pillow cannot read one."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(data) as image:
                width, height = image.size
    except Image.DecompressionBombError as bomb:
        # Past twice Pillow's limit it refuses before telling us the size.
        raise UploadRefused(too_many_pixels_message(None)) from bomb
    except (OSError, ValueError, SyntaxError):
        return None
    return width * height


def check_pixels(data: io.BufferedIOBase) -> None:
    pixels = image_pixels(data)
    if pixels is not None and pixels > settings.MAX_UPLOAD_PIXELS:
        raise UploadRefused(too_many_pixels_message(pixels))


def validate_upload(file) -> None:
    """A form or model field validator: the file's size, and its pixels if it is an image."""
    if file.size is not None and file.size > settings.MAX_UPLOAD_BYTES:
        raise ValidationError(too_large_message(), code="file_too_large")
    file.seek(0)
    try:
        check_pixels(file)
    except UploadRefused as refused:
        raise ValidationError(str(refused), code="too_many_pixels") from refused
    finally:
        file.seek(0)


class LimitedUploadHandler(FileUploadHandler):
    """Counts each file's bytes as they arrive and passes them on to the storing handlers."""

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        self.head = b""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.MAX_UPLOAD_BYTES:
            raise UploadRefused(too_large_message())
        if len(self.head) < HEADER_BYTES:
            self.head += raw_data[: HEADER_BYTES - len(self.head)]
            if len(self.head) >= HEADER_BYTES:
                check_pixels(io.BytesIO(self.head))
        return raw_data

    def file_complete(self, file_size: int) -> None:
        if len(self.head) < HEADER_BYTES:
            check_pixels(io.BytesIO(self.head))
        return None


# Formats a product photo may arrive in, and what each is stored as once cleaned.
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
JPEG_QUALITY = 92


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    extension: str
    width: int
    height: int


def clean_image(file) -> CleanImage:
    """An uploaded photo checked by content and stored afresh: limits (`validate_upload`), a
    real JPEG, PNG or WebP that decodes whole, EXIF orientation applied, metadata dropped
    (re-encoding keeps only pixels, so GPS and camera data never reach storage)."""
    validate_upload(file)
    try:
        with Image.open(file) as image:
            image_format = image.format
            image.load()
            upright = ImageOps.exif_transpose(image)
    except Image.DecompressionBombError as bomb:
        raise ValidationError(too_many_pixels_message(None), code="too_many_pixels") from bomb
    except (OSError, SyntaxError, ValueError) as error:
        raise ValidationError(
            "That file is not an image we can read (or it is cut short). Upload a JPEG, PNG or WebP.",
            code="not_an_image",
        ) from error
    finally:
        file.seek(0)
    if image_format not in IMAGE_FORMATS:
        raise ValidationError(
            f"{image_format or 'That'} images are not accepted. Upload a JPEG, PNG or WebP.",
            code="wrong_type",
        )
    return _encode(upright, IMAGE_FORMATS[image_format])


def _encode(image: Image.Image, extension: str) -> CleanImage:
    keeps_alpha = extension != "jpg" and image.mode in ("RGBA", "LA", "PA", "P")
    pixels = image.convert("RGBA" if keeps_alpha else "RGB")
    buffer = io.BytesIO()
    if extension == "jpg":
        pixels.save(buffer, format="JPEG", quality=JPEG_QUALITY)
    else:
        pixels.save(buffer, format=extension.upper())
    return CleanImage(buffer.getvalue(), extension, pixels.width, pixels.height)
