import pytest
from django.core.files.storage import default_storage

from media_pipeline import ffmpeg
from media_pipeline.clips import normalise_clip
from media_pipeline.storage import local_copy

from .conftest import keyframe_times


def probe_stored(path: str) -> ffmpeg.MediaFacts:
    with local_copy(path) as local:
        return ffmpeg.probe(local)


def test_clip_of_another_shape_becomes_h264_yuv420p_at_the_exact_frame(make_clip):
    source = make_clip(width=160, height=90, fps=25, seconds=2, audio=True)

    media = normalise_clip(source, width=64, height=112, fps=8)

    facts = probe_stored(media.path)
    assert (facts.width, facts.height, facts.fps) == (64, 112, 8)
    assert (facts.video_codec, facts.pix_fmt) == ("h264", "yuv420p")
    assert not facts.has_audio
    assert facts.duration == pytest.approx(2.0, abs=0.15)
    assert (media.width, media.height, media.fps, media.has_audio) == (64, 112, 8, False)
    assert media.content_type == "video/mp4"
    assert media.size_bytes == default_storage.size(media.path)


def test_keyframes_start_the_clip_and_recur_every_half_second(make_clip):
    media = normalise_clip(make_clip(seconds=2.2, fps=12), width=64, height=112, fps=8)

    with local_copy(media.path) as local:
        assert keyframe_times(local) == pytest.approx([0, 0.5, 1, 1.5, 2], abs=0.01)


def test_moov_atom_comes_first_for_streaming(make_clip):
    media = normalise_clip(make_clip(), width=64, height=112, fps=8)

    head = default_storage.open(media.path).read(4096)
    assert head.find(b"moov") != -1
    assert head.find(b"moov") < head.find(b"mdat") or head.find(b"mdat") == -1


def test_original_download_is_stored_beside_the_clip(make_clip):
    source = make_clip()

    media = normalise_clip(source, width=64, height=112, fps=8, kind="scene-clips")

    assert media.path.startswith("generated/scene-clips/")
    assert media.original_path.startswith("generated/originals/")
    assert default_storage.open(media.original_path).read() == source.read_bytes()


def test_same_source_gives_the_same_stored_clip(make_clip):
    source = make_clip()

    first = normalise_clip(source, width=64, height=112, fps=8)
    second = normalise_clip(source, width=64, height=112, fps=8)

    assert first.path == second.path


def test_odd_frame_size_is_refused():
    with pytest.raises(ValueError, match="even"):
        normalise_clip("unused.mp4", width=63, height=112, fps=8)


def test_unreadable_clip_raises_ffmpeg_error(tmp_path):
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00" * 100)

    with pytest.raises(ffmpeg.FFmpegError):
        normalise_clip(broken, width=64, height=112, fps=8)
