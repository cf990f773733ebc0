import pytest

from media_pipeline import ffmpeg

MP4_SUMMARY = """Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'clip.mp4':
  Metadata:
    major_brand     : isom
  Duration: 00:01:02.50, start: 0.000000, bitrate: 120 kb/s
  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(tv, bt709, progressive), 1080x1920 [SAR 1:1 DAR 9:16], 4000 kb/s, 29.97 fps, 29.97 tbr, 30k tbn (default)
  Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 48000 Hz, stereo, fltp, 128 kb/s (default)
At least one output file must be specified
"""
COVER_ART_SUMMARY = """Input #0, mp3, from 'song.mp3':
  Duration: 00:00:03.00, start: 0.025057, bitrate: 64 kb/s
  Stream #0:0: Audio: mp3 (mp3float), 44100 Hz, mono, fltp, 64 kb/s
  Stream #0:1: Video: mjpeg (Baseline), yuvj420p(pc, bt470bg/unknown/unknown), 300x300, 90k tbr, 90k tbn (attached pic)
"""


def test_parse_reads_streams_even_with_commas_inside_parentheses():
    facts = ffmpeg.parse_probe_output(MP4_SUMMARY)

    assert facts.format == "mov,mp4,m4a,3gp,3g2,mj2"
    assert facts.duration == pytest.approx(62.5)
    assert (facts.width, facts.height, facts.fps) == (1080, 1920, pytest.approx(29.97))
    assert (facts.video_codec, facts.pix_fmt) == ("h264", "yuv420p")
    assert (facts.audio_codec, facts.sample_rate, facts.channels) == ("aac", 48000, 2)


def test_parse_ignores_cover_art_in_audio_files():
    facts = ffmpeg.parse_probe_output(COVER_ART_SUMMARY)

    assert facts.has_audio and not facts.has_video
    assert facts.width is None
    assert facts.channels == 1


def test_parse_without_input_section_raises_with_ffmpeg_words():
    with pytest.raises(ffmpeg.FFmpegError, match="Invalid data found"):
        ffmpeg.parse_probe_output(
            "Error opening input files: Invalid data found when processing input"
        )


def test_probe_reads_a_real_clip(make_clip):
    facts = ffmpeg.probe(make_clip(width=96, height=64, fps=12, seconds=1.5))

    assert (facts.width, facts.height, facts.fps) == (96, 64, 12)
    assert facts.duration == pytest.approx(1.5, abs=0.05)
    assert facts.video_codec == "h264" and facts.has_audio


def test_probe_reads_a_png(make_png):
    facts = ffmpeg.probe(make_png(size=(30, 20)))

    assert (facts.width, facts.height, facts.video_codec) == (30, 20, "png")
    assert facts.duration is None


def test_probe_of_a_text_file_raises(tmp_path):
    not_media = tmp_path / "notes.mp4"
    not_media.write_text("hello")

    with pytest.raises(ffmpeg.FFmpegError, match="not a media file"):
        ffmpeg.probe(not_media)


def test_run_ffmpeg_failure_carries_the_stderr_tail(tmp_path):
    with pytest.raises(ffmpeg.FFmpegError, match="exit .*No such filter"):
        ffmpeg.run_ffmpeg(
            ["-f", "lavfi", "-i", "nosuchfilter", str(tmp_path / "out.mp4")], timeout=30
        )


def test_run_ffmpeg_timeout_raises_a_clear_error(tmp_path):
    endless = ["-re", "-f", "lavfi", "-i", "testsrc2=s=32x32", "-f", "null", "-"]

    with pytest.raises(ffmpeg.FFmpegError, match="did not finish within 0.5 s"):
        ffmpeg.run_ffmpeg(endless, timeout=0.5)


def test_binary_prefers_the_configured_one(settings):
    settings.FFMPEG_BINARY = "/opt/ffmpeg/bin/ffmpeg"

    assert ffmpeg.ffmpeg_binary() == "/opt/ffmpeg/bin/ffmpeg"


def test_binary_falls_back_to_the_wheel_when_none_on_path(settings, monkeypatch):
    import imageio_ffmpeg

    settings.FFMPEG_BINARY = ""
    monkeypatch.setenv("PATH", "")

    assert ffmpeg.ffmpeg_binary() == imageio_ffmpeg.get_ffmpeg_exe()


def test_missing_binary_is_reported_with_the_setting_to_fix(settings, tmp_path):
    settings.FFMPEG_BINARY = str(tmp_path / "no-ffmpeg")

    with pytest.raises(ffmpeg.FFmpegError, match="FFMPEG_BINARY"):
        ffmpeg.run_ffmpeg(["-version"], timeout=5)
