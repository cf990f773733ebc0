"""Content-addressed output storage on Django's default storage (local disk or S3).

The same bytes always land at the same path, so a retried job never duplicates a file.
"""

import hashlib
import mimetypes
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from media_pipeline import ffmpeg
from media_pipeline.base import StoredMedia

ROOT = "generated"
HASH_CHUNK_BYTES = 1024 * 1024
CONTENT_TYPES = {"m4a": "audio/mp4", "wav": "audio/wav", "mp3": "audio/mpeg", "mp4": "video/mp4"}


def store_bytes(data: bytes, *, kind: str, extension: str) -> str:
    """Save `data` under `generated/{kind}/{sha[:2]}/{sha}.{ext}` unless it is already there."""
    path = _content_path(hashlib.sha256(data).hexdigest(), kind=kind, extension=extension)
    if default_storage.exists(path):
        return path
    return default_storage.save(path, ContentFile(data))


def store_file(local_path: str | Path, *, kind: str, extension: str | None = None) -> str:
    """Save a local file the same way as `store_bytes`, streaming it rather than loading it."""
    local_path = Path(local_path)
    extension = extension or local_path.suffix
    if not extension.strip("."):
        raise ValueError(f"Cannot tell the file type of {local_path}; pass extension=.")
    path = _content_path(_file_sha256(local_path), kind=kind, extension=extension)
    if default_storage.exists(path):
        return path
    with local_path.open("rb") as handle:
        return default_storage.save(path, File(handle, name=local_path.name))


@contextmanager
def local_copy(path: str) -> Iterator[Path]:
    """A local file for a storage path: the stored file when on local disk, else a temp download."""
    direct = _filesystem_path(path)
    if direct is not None:
        yield direct
        return
    with tempfile.TemporaryDirectory(prefix="reelsmith-") as directory:
        local = Path(directory) / Path(path).name
        with default_storage.open(path, "rb") as source, local.open("wb") as target:
            shutil.copyfileobj(source, target, HASH_CHUNK_BYTES)
        yield local


def describe(path: str, content_type: str | None = None) -> StoredMedia:
    """The StoredMedia for a file in storage: its size, and its dimensions or duration."""
    with local_copy(path) as local:
        return describe_local(path, local, content_type)


def describe_local(path: str, local: Path, content_type: str | None = None) -> StoredMedia:
    """Like `describe`, reading the facts off `local`, a copy of the stored file already at hand."""
    content_type = content_type or guess_content_type(path)
    size = local.stat().st_size
    if content_type.startswith("image/"):
        with Image.open(local) as image:
            return StoredMedia(path, content_type, size, width=image.width, height=image.height)
    if content_type.startswith("video/"):
        facts = ffmpeg.probe(local)
        return StoredMedia(
            path,
            content_type,
            size,
            width=facts.width,
            height=facts.height,
            duration=facts.duration,
            fps=facts.fps,
            has_audio=facts.has_audio,
        )
    if content_type.startswith("audio/"):
        facts = ffmpeg.probe(local)
        return StoredMedia(
            path, content_type, size, duration=facts.duration, has_audio=facts.has_audio
        )
    return StoredMedia(path, content_type, size)


def guess_content_type(path: str) -> str:
    extension = Path(path).suffix.lower().lstrip(".")
    return (
        CONTENT_TYPES.get(extension) or mimetypes.guess_type(path)[0] or "application/octet-stream"
    )


def on_local_disk() -> bool:
    """Whether the default storage keeps files on this machine (not S3): Django's storages say
    so by raising NotImplementedError from path()."""
    try:
        default_storage.path("")
    except NotImplementedError:
        return False
    return True


def _filesystem_path(path: str) -> Path | None:
    """The stored file on local disk, if it is there: in-memory storage answers path() too."""
    if not on_local_disk():
        return None
    local = Path(default_storage.path(path))
    return local if local.is_file() else None


def _content_path(sha: str, *, kind: str, extension: str) -> str:
    kind = kind.strip("/")
    if not kind or ".." in kind:
        raise ValueError(f"Invalid storage kind {kind!r}.")
    return f"{ROOT}/{kind}/{sha[:2]}/{sha}.{extension.lstrip('.').lower()}"


def _file_sha256(local_path: Path) -> str:
    digest = hashlib.sha256()
    with local_path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(HASH_CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()
