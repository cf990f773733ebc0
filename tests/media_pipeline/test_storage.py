import hashlib
import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from media_pipeline import storage

IN_MEMORY_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


@pytest.fixture
def remote_storage(settings):
    """A storage without local paths, standing in for S3."""
    settings.STORAGES = IN_MEMORY_STORAGES
    return default_storage


def png_bytes(size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 200, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_store_bytes_uses_the_content_hash_as_path():
    data = b"some bytes"
    sha = hashlib.sha256(data).hexdigest()

    path = storage.store_bytes(data, kind="images", extension=".PNG")

    assert path == f"generated/images/{sha[:2]}/{sha}.png"
    assert default_storage.open(path).read() == data


def test_storing_the_same_bytes_twice_writes_one_file(media_root):
    first = storage.store_bytes(b"same", kind="images", extension="png")
    second = storage.store_bytes(b"same", kind="images", extension="png")

    assert first == second
    assert len(list(media_root.rglob("*.png"))) == 1


def test_store_file_takes_the_extension_from_the_name(tmp_path):
    local = tmp_path / "clip.MP4"
    local.write_bytes(b"not really a clip")

    path = storage.store_file(local, kind="clips")

    assert path.endswith(".mp4")
    assert path == storage.store_bytes(b"not really a clip", kind="clips", extension="mp4")


def test_store_file_without_any_extension_is_refused(tmp_path):
    local = tmp_path / "download"
    local.write_bytes(b"x")

    with pytest.raises(ValueError, match="extension"):
        storage.store_file(local, kind="clips")


def test_kind_cannot_escape_the_generated_folder():
    with pytest.raises(ValueError, match="kind"):
        storage.store_bytes(b"x", kind="../secrets", extension="txt")


def test_local_copy_on_disk_storage_is_the_stored_file_itself(media_root):
    path = storage.store_bytes(b"abc", kind="misc", extension="bin")

    with storage.local_copy(path) as local:
        assert local == media_root / path
        assert local.read_bytes() == b"abc"


def test_local_copy_without_local_paths_downloads_to_a_temporary_file(remote_storage):
    path = storage.store_bytes(b"remote bytes", kind="misc", extension="bin")

    with storage.local_copy(path) as local:
        assert local.read_bytes() == b"remote bytes"
        assert local.suffix == ".bin"

    assert not local.exists()


def test_describe_reads_image_dimensions():
    path = storage.store_bytes(png_bytes((40, 30)), kind="images", extension="png")

    media = storage.describe(path)

    assert (media.content_type, media.width, media.height) == ("image/png", 40, 30)
    assert media.size_bytes == default_storage.size(path)


def test_describe_probes_video_from_remote_storage(remote_storage, make_clip):
    path = storage.store_file(make_clip(width=96, height=64, fps=12, seconds=1.5), kind="clips")

    media = storage.describe(path)

    assert (media.content_type, media.width, media.height, media.fps) == ("video/mp4", 96, 64, 12)
    assert media.duration == pytest.approx(1.5, abs=0.05)
    assert media.has_audio


def test_describe_of_audio_has_a_duration_but_no_frame(tmp_path):
    from media_pipeline import ffmpeg

    local = tmp_path / "tone.m4a"
    ffmpeg.run_ffmpeg(["-f", "lavfi", "-i", "sine=d=1", str(local)], timeout=30)
    path = storage.store_file(local, kind="audio")

    media = storage.describe(path)

    assert media.content_type == "audio/mp4"
    assert media.duration == pytest.approx(1.0, abs=0.05)
    assert media.has_audio and media.width is None


def test_describe_of_other_files_gives_size_and_type_only():
    path = storage.store_bytes(b"{}", kind="data", extension="json")

    media = storage.describe(path)

    assert (media.content_type, media.size_bytes, media.width) == ("application/json", 2, None)
