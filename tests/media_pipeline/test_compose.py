import dataclasses
import re
import subprocess
import threading
from pathlib import Path

import ffmpeg as ffmpeg_graph
import pytest
from PIL import Image, ImageChops, ImageStat

from media_pipeline import compose_audio, compose_graph, ffmpeg
from media_pipeline.captions import render_caption
from media_pipeline.clips import normalise_args
from media_pipeline.compose import (
    FORMATS,
    STAGES,
    ClipInput,
    ClipUnreadable,
    CompositionCancelled,
    CompositionError,
    CompositionSpec,
    Reframe,
    Transition,
    compose,
    total_duration,
)
from media_pipeline.compose_graph import Window

from .conftest import FPS, FRAME_HEIGHT, FRAME_WIDTH

FRAME = {"width": FRAME_WIDTH, "height": FRAME_HEIGHT, "fps": FPS}
INTEGRATED_RE = re.compile(r"I:\s+(?P<lufs>-?[\d.]+) LUFS")
RMS_RE = re.compile(r"RMS level dB: (?P<db>-?[\d.]+|-inf)")
TB_RE = re.compile(r"^#tb 0: (?P<num>\d+)/(?P<den>\d+)$", re.MULTILINE)


def run(args: list[str]) -> str:
    command = [ffmpeg.ffmpeg_binary(), "-hide_banner", "-nostdin", "-nostats", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60).stderr


@pytest.fixture
def lavfi_clip(tmp_path):
    """A clip from an FFmpeg test source, in any size and rate, optionally with a tone."""

    def make(name, source, *, seconds, audio=False, extra=()):
        path = tmp_path / name
        args = ["-f", "lavfi", "-i", f"{source}:d={seconds}"]
        if audio:
            args += ["-f", "lavfi", "-i", f"sine=f=1000:d={seconds}", "-c:a", "aac"]
        ffmpeg.run_ffmpeg([*args, *extra, "-c:v", "libx264", str(path)], timeout=60)
        return path

    return make


@pytest.fixture
def scene_clip(tmp_path, lavfi_clip):
    """A clip as `clips.normalise_clip` makes it for the test frame: what scenes hand over."""

    def make(name, *, seconds, source="testsrc2=s=96x96:r=12"):
        raw = lavfi_clip(f"raw-{name}", source, seconds=seconds)
        path = tmp_path / name
        ffmpeg.run_ffmpeg(normalise_args(raw, path, **FRAME), timeout=60)
        return path

    return make


@pytest.fixture
def tone(tmp_path):
    def make(name="bed.m4a", *, seconds, volume=0.3):
        path = tmp_path / name
        source = f"sine=f=330:d={seconds},volume={volume}"
        ffmpeg.run_ffmpeg(["-f", "lavfi", "-i", source, "-c:a", "aac", str(path)], timeout=60)
        return path

    return make


@pytest.fixture
def encodes(monkeypatch) -> list[str]:
    """The name of every file the engine encodes video into, as it goes."""
    names: list[str] = []
    real_run = ffmpeg.run_ffmpeg_with_progress

    def recording(args, **kwargs):
        if Path(args[-1]).name.startswith(("piece-", "reel", "runs")):
            names.append(Path(args[-1]).name)
        return real_run(args, **kwargs)

    monkeypatch.setattr(ffmpeg, "run_ffmpeg_with_progress", recording)
    return names


def spec_of(*clips: tuple[Path, float], **options) -> CompositionSpec:
    inputs = [ClipInput(path=path, duration=duration) for path, duration in clips]
    return CompositionSpec(clips=inputs, **(FRAME | options))


def decoded_frames(path: Path) -> list[str]:
    """One checksum per decoded video frame."""
    listing = subprocess.run(
        [
            ffmpeg.ffmpeg_binary(),
            "-v",
            "error",
            "-i",
            str(path),
            "-map",
            "0:v",
            "-f",
            "framecrc",
            "-",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    return [line.split(",")[-1].strip() for line in listing.splitlines() if line[:1] != "#"]


def stream_seconds(path: Path, stream: str) -> float:
    """Where a stream's last packet ends, read from its packets without decoding."""
    listing = subprocess.run(
        [ffmpeg.ffmpeg_binary(), "-v", "error", "-i", str(path), "-map", f"0:{stream}"]
        + ["-c", "copy", "-f", "framecrc", "-"],
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    tb = TB_RE.search(listing)
    ends = [
        int(fields[2]) + int(fields[3])
        for fields in (line.split(",") for line in listing.splitlines() if line[:1] != "#")
    ]
    return max(ends) * int(tb["num"]) / int(tb["den"])


def frame_at(path: Path, seconds: float, tmp_path: Path) -> Image.Image:
    still = tmp_path / f"still-{path.parent.name}-{seconds}.png"
    run(["-ss", f"{seconds}", "-i", str(path), "-frames:v", "1", "-y", str(still)])
    return Image.open(still).convert("L")


def integrated_lufs(path: Path) -> float:
    log = run(["-i", str(path), "-map", "0:a", "-af", "ebur128", "-f", "null", "-"])
    return float(INTEGRATED_RE.findall(log)[-1])


def rms_db(path: Path, *, start: float, seconds: float) -> float:
    log = run(["-ss", f"{start}", "-t", f"{seconds}", "-i", str(path), "-map", "0:a"]
              + ["-af", "astats", "-f", "null", "-"])  # fmt: skip
    return float(RMS_RE.findall(log)[-1])


def test_total_duration_subtracts_one_overlap_per_join_except_for_cuts():
    clips = [ClipInput(Path("a.mp4"), 3.0), ClipInput(Path("b.mp4"), 2.5), ClipInput(Path("c"), 4)]

    assert total_duration(CompositionSpec(clips=clips, **FRAME)) == pytest.approx(8.5)
    fade_black = CompositionSpec(clips=clips, transition=Transition.FADE_BLACK, **FRAME)
    assert total_duration(fade_black) == pytest.approx(8.5)
    assert total_duration(CompositionSpec(clips=clips, transition="cut", **FRAME)) == 9.5


def test_spans_round_the_running_total_so_frames_add_up_exactly():
    spans = compose_graph.spans([1.3, 1.3, 1.3], overlap_seconds=0.3, fps=8)

    assert sum(span.frames - span.lead_out for span in spans) == round(3.3 * 8)
    assert [span.lead_in for span in spans] == [0, spans[0].lead_out, spans[1].lead_out]


def test_smart_plan_copies_whole_gops_and_encodes_only_around_joins():
    scan = compose_graph.ClipScan(
        frames=24, keyframes=(0, 8, 16), constant_rate=True, extradata="x", sar="1/1", rotation=0
    )
    spans = compose_graph.spans([3, 3], overlap_seconds=0.5, fps=8)

    pieces = compose_graph.plan_pieces(spans, [scan, scan], copy=True)

    assert pieces == [
        compose_graph.Piece(Window(0, 0, 16), copy=True),
        compose_graph.Piece(Window(0, 16, 24, seek=16), Window(1, 0, 8), overlap=4),
        compose_graph.Piece(Window(1, 8, 24, seek=8), copy=True),
    ]
    assert sum(piece.frames for piece in pieces) == 44


def test_copied_pieces_are_read_from_their_clips_between_keyframes():
    listing = "#tb 0: 1/16\n" + "".join(  # 8 fps, two B-frames: DTS runs 2 ticks behind
        f"0, {2 * n - 4}, {2 * n}, 2, 100, 0x0{'' if n % 8 == 0 else ', F=0x0'}\n"
        for n in range(24)
    )
    scan = compose_graph.parse_scan(listing, "Input #0, mov, from 'a.mp4':", fps=8)
    pieces = [
        compose_graph.Piece(Window(0, 0, 16), copy=True),
        compose_graph.Piece(Window(0, 16, 24, seek=16), Window(1, 0, 8), overlap=4),
        compose_graph.Piece(Window(1, 8, 24, seek=8), copy=True),
    ]
    clips = [(Path("/clips/it's.mp4"), scan), (Path("/clips/b.mp4"), scan)]

    script = compose_graph.concat_list(
        pieces, [None, Path("/work/piece-0001.mp4"), None], fps=8, clips=clips
    )

    assert scan.keyframes == (0, 8, 16) and scan.keyframe_dts == (-0.25, 0.75, 1.75)
    assert script == (
        "ffconcat version 1.0\n"
        "file '/clips/it'\\''s.mp4'\noutpoint 1.750000\nduration 2.000000000\n"
        "file 'piece-0001.mp4'\nduration 1.500000000\n"
        "file '/clips/b.mp4'\ninpoint 1.000000\nduration 2.000000000\n"
    )


def test_one_scan_run_reads_every_clip_and_splits_the_log_per_input():
    log = (
        "Input #0, mov,mp4, from 'a.mp4':\n  Duration: 00:00:03.00\n"
        "  Stream #0:0[0x1](und): Video: h264 (High), yuv420p(progressive), 64x112, 8 fps\n"
        "Input #1, mov,mp4, from 'b.mp4':\n  Duration: 00:00:02.00\n"
        "  Stream #1:0[0x1](und): Video: h264 (High), yuv420p(progressive), 96x96, 8 fps\n"
        "      displaymatrix: rotation of -90.00 degrees\n"
        "Stream mapping:\n  Stream #0:0 -> #0:0 (copy)\n  Stream #1:0 -> #1:0 (copy)\n"
    )
    node = compose_graph.scan_packets([Path("a.mp4"), Path("b.mp4")], [Path("0"), Path("1")])

    first, second = compose_graph.input_summaries(log, 2)

    assert node.get_args() == ["-i", "a.mp4", "-i", "b.mp4"] + [
        arg for n in "01" for arg in ("-map", f"{n}:v", "-f", "framecrc", "-c", "copy", n)
    ]
    assert ffmpeg.parse_probe_output(first).width == 64 and "rotation" not in first
    assert ffmpeg.parse_probe_output(second).width == 96 and "rotation of -90" in second
    with pytest.raises(ValueError):
        compose_graph.input_summaries(log, 3)


def test_full_plan_is_one_encoded_piece_per_clip_crossfading_into_the_next():
    spans = compose_graph.spans([3, 3], overlap_seconds=0.5, fps=8)

    pieces = compose_graph.plan_pieces(spans)

    assert pieces == [
        compose_graph.Piece(Window(0, 0, 24), Window(1, 0, 4), overlap=4),
        compose_graph.Piece(Window(1, 4, 24)),
    ]


def test_full_plan_decodes_each_body_from_its_keyframe_not_the_head_again():
    steady = compose_graph.ClipScan(
        frames=24, keyframes=(0, 4, 8), constant_rate=True, extradata="x", sar="1/1", rotation=0
    )
    uneven = dataclasses.replace(steady, constant_rate=False)
    spans = compose_graph.spans([3, 3, 3], overlap_seconds=0.5, fps=8)

    pieces = compose_graph.plan_pieces(spans, [steady, steady, uneven])

    assert [piece.first for piece in pieces] == [
        Window(0, 0, 24),
        Window(1, 4, 24, seek=4),
        Window(2, 4, 24, seek=0),
    ]
    assert not any(piece.copy for piece in pieces)


def test_piece_graph_is_data_with_fit_hold_trim_and_crossfade_of_the_overlap_only():
    canvas = compose_graph.Canvas(width=64, height=112, fps=8, through_black=True)
    piece = compose_graph.Piece(Window(0, 4, 24), Window(1, 0, 4), overlap=4)
    sources = [compose_graph.Source(Path("a.mp4")), compose_graph.Source(Path("b.mp4"))]

    node = compose_graph.encode_piece(
        piece, sources=sources, canvas=canvas, cards={}, output=Path("o.mp4")
    )

    args = node.get_args()
    graph = args[args.index("-filter_complex") + 1]
    assert args.count("-i") == 2
    # Each input is read up to a frame past its window: 25 and 5 frames at 8 fps.
    assert args[args.index("-t") + 1] == "3.125000"
    assert args[len(args) - args[::-1].index("-t")] == "0.625000"
    assert "tpad=stop=24:stop_mode=clone" in graph
    assert "trim=end_frame=24:start_frame=4" in graph
    assert "split" in graph and "trim=end_frame=16" in graph and "trim=start_frame=16" in graph
    assert "fade=nb_frames=2:start_frame=0:t=out" in graph
    assert "format=yuva420p" in graph and "fade=alpha=1:nb_frames=4:start_frame=0:t=in" in graph
    assert "overlay=eof_action=repeat:format=yuv420" in graph and "xfade" not in graph
    assert "concat=n=2" in graph
    assert "force_original_aspect_ratio=decrease" in graph and "pad=64:112" in graph
    assert args[args.index("-frames:v") + 1] == "20"


def test_pieces_decode_on_one_thread_and_only_short_ones_encode_on_one_quickly():
    canvas = compose_graph.Canvas(width=64, height=112, fps=8)
    sources = [compose_graph.Source(Path("a.mp4")), compose_graph.Source(Path("b.mp4"))]

    def options(piece, name: str) -> list[str]:
        args = compose_graph.encode_piece(
            piece, sources=sources, canvas=canvas, cards={}, output=Path("o.mp4")
        ).get_args()
        return [args[i + 1] for i, arg in enumerate(args) if arg == name]

    # Inputs first, then the encoder: a second of film or less is one GOP or two.
    short = compose_graph.Piece(Window(0, 20, 24), Window(1, 0, 4), overlap=4)
    assert options(short, "-threads") == ["1", "1", "1"]
    assert options(short, "-x264-params") == ["sync-lookahead=0:me=dia:subme=1"]
    long = compose_graph.Piece(Window(0, 0, 24))
    assert options(long, "-threads") == ["1", "2"]
    assert options(long, "-x264-params") == ["sync-lookahead=0"]


def test_native_clip_skips_the_fitting_filters():
    canvas = compose_graph.Canvas(width=64, height=112, fps=8)
    scan = compose_graph.ClipScan(
        frames=24, keyframes=(0,), constant_rate=True, extradata="x", sar="1/1", rotation=0,
        size=(64, 112), pix_fmt="yuv420p",
    )  # fmt: skip
    source = compose_graph.Source(Path("a.mp4"), native=compose_graph.is_native(scan, canvas))

    node = compose_graph.encode_piece(
        compose_graph.Piece(Window(0, 0, 24)),
        sources=[source],
        canvas=canvas,
        cards={},
        output=Path("o.mp4"),
    )

    args = node.get_args()
    graph = args[args.index("-filter_complex") + 1]
    assert source.native
    assert re.findall(r"\](\w+)", graph) == ["fps", "tpad", "trim", "setpts", "format"]
    assert not compose_graph.is_native(dataclasses.replace(scan, rotation=90), canvas)


@pytest.mark.parametrize("through_black", [False, True])
def test_dissolve_mixes_in_yuv420p_as_xfade_fade_does(through_black, tmp_path):
    canvas = compose_graph.Canvas(width=64, height=112, fps=8, through_black=through_black)
    overlap, plane = 6, 64 * 112

    def sides(*, faded: bool):
        outgoing, incoming = (
            ffmpeg_graph.input(f"testsrc2=s=64x112:r=8:d=1,hue=h={hue}", f="lavfi")["v"]
            .filter("format", "yuv420p")
            .filter("trim", end_frame=overlap)
            for hue in (0, 120)
        )
        if faded:  # what the engine does to each side before mixing, through black
            outgoing = outgoing.filter("fade", t="out", start_frame=0, nb_frames=3)
            incoming = incoming.filter("fade", t="in", start_frame=3, nb_frames=3)
        return outgoing, incoming

    def frames(stream, name: str) -> list[bytes]:
        path = tmp_path / name
        stream.output(str(path), f="rawvideo", pix_fmt="yuv420p").run(
            cmd=ffmpeg.ffmpeg_binary(), quiet=True
        )
        data, size = path.read_bytes(), plane * 3 // 2
        return [data[at : at + size] for at in range(0, len(data), size)]

    outgoing, incoming = (frames(side, f"{n}.yuv") for n, side in
                          enumerate(sides(faded=through_black)))  # fmt: skip
    dissolve = frames(compose_graph.mix(*sides(faded=False), overlap=overlap, canvas=canvas),
                      "mix.yuv")  # fmt: skip
    xfade = frames(ffmpeg_graph.filter(list(sides(faded=through_black)), "xfade",
                                       transition="fade", duration=overlap / 8, offset=0),
                   "xfade.yuv")  # fmt: skip

    assert len(dissolve) == overlap
    for k, (mixed, a, b, reference) in enumerate(
        zip(dissolve, outgoing, incoming, xfade, strict=True)
    ):
        share = k / overlap  # of the incoming frame, as xfade's "fade" mixes
        expected = [round(x * (1 - share) + y * share) for x, y in zip(a, b, strict=True)]
        assert max(abs(m - e) for m, e in zip(mixed, expected, strict=True)) <= 2
        # Luma as xfade makes it; its chroma is blurred by a round trip through 4:4:4.
        assert max(abs(m - r) for m, r in zip(mixed[:plane], reference[:plane], strict=True)) <= 1


@pytest.mark.slow
def test_crossfade_film_lasts_the_sum_less_the_overlaps_to_the_frame(scene_clip, tmp_path):
    spec = spec_of((scene_clip("a.mp4", seconds=3), 3), (scene_clip("b.mp4", seconds=3), 2.5),
                   (scene_clip("c.mp4", seconds=3), 2))  # fmt: skip

    result = compose(spec, tmp_path / "out")

    assert len(decoded_frames(result.video_path)) == round(total_duration(spec) * FPS) == 52
    assert result.duration == pytest.approx(6.5)
    facts = ffmpeg.probe(result.video_path)
    assert (facts.video_codec, facts.pix_fmt, facts.audio_codec) == ("h264", "yuv420p", "aac")
    assert facts.duration == pytest.approx(6.5, abs=1 / FPS)


@pytest.mark.slow
def test_cut_film_lasts_the_sum_of_the_durations(scene_clip, tmp_path):
    spec = spec_of((scene_clip("a.mp4", seconds=2), 2), (scene_clip("b.mp4", seconds=2), 1.5),
                   transition=Transition.CUT)  # fmt: skip

    result = compose(spec, tmp_path / "out")

    assert len(decoded_frames(result.video_path)) == 28
    assert stream_seconds(result.video_path, "v") == pytest.approx(3.5)


@pytest.mark.slow
def test_fade_through_black_overlaps_and_is_dark_mid_join(lavfi_clip, tmp_path):
    white = lavfi_clip("white.mp4", "color=c=white:s=64x112:r=8", seconds=2)
    spec = spec_of((white, 2), (white, 2), transition=Transition.FADE_BLACK, transition_seconds=1)

    result = compose(spec, tmp_path / "out")

    assert len(decoded_frames(result.video_path)) == 24
    middle = ImageStat.Stat(frame_at(result.video_path, 1.5, tmp_path)).mean[0]
    outside = ImageStat.Stat(frame_at(result.video_path, 0.5, tmp_path)).mean[0]
    assert middle < 20 < 200 < outside


@pytest.mark.slow
@pytest.mark.parametrize("name", FORMATS)
def test_each_format_gets_its_frame_size_and_rate(name, lavfi_clip, tmp_path):
    width, height = (side // 30 * 2 for side in FORMATS[name])  # e.g. 9:16 → 72×128
    clip = lavfi_clip("clip.mp4", "testsrc2=s=96x96:r=25", seconds=1)
    spec = CompositionSpec(clips=[ClipInput(clip, 1)], width=width, height=height, fps=12)

    result = compose(spec, tmp_path / "out")

    facts = ffmpeg.probe(result.video_path)
    assert (facts.width, facts.height, facts.fps) == (width, height, 12)
    assert len(decoded_frames(result.video_path)) == 12
    assert Image.open(result.poster_path).size == (width, height)


@pytest.mark.slow
def test_pad_letterboxes_a_wide_clip_and_crop_fills_the_frame(lavfi_clip, tmp_path):
    wide = lavfi_clip("wide.mp4", "color=c=white:s=160x90:r=8", seconds=1)
    band = (0, 0, FRAME_WIDTH, 20)

    padded = compose(spec_of((wide, 1), reframe=Reframe.PAD), tmp_path / "pad")
    cropped = compose(spec_of((wide, 1), reframe=Reframe.CROP), tmp_path / "crop")

    assert ImageStat.Stat(frame_at(padded.video_path, 0.5, tmp_path).crop(band)).mean[0] < 30
    assert ImageStat.Stat(frame_at(cropped.video_path, 0.5, tmp_path).crop(band)).mean[0] > 200


@pytest.mark.slow
def test_mixed_sizes_rates_and_rotation_become_the_output_frame(lavfi_clip, tmp_path):
    landscape = lavfi_clip("land.mp4", "color=c=white:s=112x64:r=30", seconds=1)
    rotated = tmp_path / "rotated.mp4"
    ffmpeg.run_ffmpeg(
        ["-display_rotation", "90", "-i", str(landscape), "-c", "copy", str(rotated)], timeout=60
    )
    square = lavfi_clip("square.mp4", "testsrc2=s=96x96:r=12", seconds=1.5)
    small = lavfi_clip("small.mp4", "testsrc2=s=40x30:r=5", seconds=1)

    result = compose(spec_of((rotated, 1), (square, 1.5), (small, 1)), tmp_path / "out")

    assert not result.smart
    facts = ffmpeg.probe(result.video_path)
    assert (facts.width, facts.height, facts.fps) == (FRAME_WIDTH, FRAME_HEIGHT, FPS)
    assert len(decoded_frames(result.video_path)) == round(2.5 * FPS)
    # Turned upright, the 112×64 clip fills the 64×112 frame: no letterbox at the top.
    top = frame_at(result.video_path, 0.25, tmp_path).crop((0, 0, FRAME_WIDTH, 10))
    assert ImageStat.Stat(top).mean[0] > 200


@pytest.mark.slow
def test_short_clip_holds_its_last_frame_and_long_one_is_trimmed(scene_clip, tmp_path):
    short, long = scene_clip("short.mp4", seconds=1), scene_clip("long.mp4", seconds=3)
    spec = spec_of((short, 2), (long, 1), transition=Transition.CUT)

    result = compose(spec, tmp_path / "out")

    def difference(first: float, second: float) -> float:
        frames = (frame_at(result.video_path, at, tmp_path) for at in (first, second))
        return ImageStat.Stat(ImageChops.difference(*frames)).mean[0]

    assert len(decoded_frames(result.video_path)) == 24
    assert difference(1.125, 1.875) < 1 < 5 < difference(0.25, 0.75)


@pytest.mark.slow
def test_short_audio_bed_is_looped_and_long_one_trimmed(scene_clip, tone, tmp_path):
    clip = scene_clip("a.mp4", seconds=3)
    looped = compose(spec_of((clip, 3), audio_path=tone("short.m4a", seconds=1)), tmp_path / "l")
    trimmed = compose(spec_of((clip, 2), audio_path=tone("long.m4a", seconds=5)), tmp_path / "t")

    assert stream_seconds(looped.video_path, "a") == pytest.approx(3, abs=0.05)
    assert rms_db(looped.video_path, start=1.6, seconds=0.5) > -30
    assert stream_seconds(trimmed.video_path, "a") == pytest.approx(2, abs=0.05)


@pytest.mark.slow
def test_bed_is_normalised_to_the_target_loudness_then_scaled_by_volume(scene_clip, tone, tmp_path):
    clip, bed = scene_clip("a.mp4", seconds=4), tone(seconds=4, volume=0.05)

    normal = compose(spec_of((clip, 4), audio_path=bed), tmp_path / "normal")
    quieter = compose(
        spec_of((clip, 4), audio_path=bed, audio_volume=0.5, loudness_lufs=-16), tmp_path / "q"
    )

    assert integrated_lufs(normal.video_path) == pytest.approx(-14, abs=1.5)
    assert integrated_lufs(quieter.video_path) == pytest.approx(-16 - 6.02, abs=1.5)


@pytest.mark.slow
def test_without_a_bed_the_film_has_silence_and_clip_audio_is_ignored(lavfi_clip, tmp_path):
    loud = lavfi_clip("loud.mp4", "testsrc2=s=64x112:r=8", seconds=2, audio=True)

    result = compose(spec_of((loud, 2)), tmp_path / "out")

    facts = ffmpeg.probe(result.video_path)
    assert (facts.audio_codec, facts.sample_rate, facts.channels) == ("aac", 48000, 2)
    assert stream_seconds(result.video_path, "a") == pytest.approx(2, abs=0.05)
    assert rms_db(result.video_path, start=0.5, seconds=1) < -90


@pytest.mark.slow
@pytest.mark.parametrize("normalised", [False, True], ids=["fitted clips", "scene clips"])
def test_captions_show_in_their_safe_zone_only_while_their_scene_shows(
    normalised, lavfi_clip, scene_clip, encodes, tmp_path
):
    if (
        normalised
    ):  # the runs between joins re-encoded with their card in one run, the join in another
        grey = scene_clip("grey.mp4", seconds=2, source="color=c=gray:s=96x96:r=12")
    else:  # a piece per clip
        grey = lavfi_clip("grey.mp4", "color=c=gray:s=64x112:r=8", seconds=2)
    clips = [ClipInput(grey, 2, caption="Glow all day long"), ClipInput(grey, 2)]
    plain = CompositionSpec(clips=clips, **FRAME)
    captioned = CompositionSpec(clips=clips, captions=True, **FRAME)
    card = render_caption(
        clips[0].caption, frame_width=64, frame_height=112, path=tmp_path / "c.png"
    )
    box = (card.x, card.y, card.x + card.width, card.y + card.height)

    with_captions = compose(captioned, tmp_path / "on").video_path
    runs = list(encodes)
    without = compose(plain, tmp_path / "off").video_path

    def difference(at: float, region: tuple[int, int, int, int]) -> float:
        frames = (frame_at(path, at, tmp_path).crop(region) for path in (with_captions, without))
        return ImageStat.Stat(ImageChops.difference(*frames)).mean[0]

    expected = ["reel.mp4", "runs.mp4"] if normalised else ["piece-0000.mp4", "piece-0001.mp4"]
    assert runs == expected
    assert difference(0.75, box) > 20
    assert difference(0.75, (0, 0, FRAME_WIDTH, card.y)) < 2
    # Mid-join the outgoing scene's caption is half dissolved with it.
    assert 5 < difference(1.75, box) < difference(0.75, box) - 5
    assert difference(3.0, box) < 2
    assert card.y + card.height <= FRAME_HEIGHT * 0.8
    assert card.x >= FRAME_WIDTH * 0.08 - 1


@pytest.mark.slow
def test_smart_render_copies_and_matches_the_full_render(scene_clip, tmp_path):
    clips = [scene_clip(f"{n}.mp4", seconds=3) for n in "abc"]
    inputs = [ClipInput(path, 3) for path in clips]
    smart = compose(CompositionSpec(clips=inputs, **FRAME), tmp_path / "smart")
    # Captions switched on (though none is written) force the full render.
    full = compose(CompositionSpec(clips=inputs, captions=True, **FRAME), tmp_path / "full")

    assert smart.smart and not full.smart
    assert len(decoded_frames(smart.video_path)) == len(decoded_frames(full.video_path)) == 64
    for at in (0.5, 1.5, 3.5, 4.0, 6.5, 7.5):  # inside the scenes, away from the joins
        frames = (frame_at(result.video_path, at, tmp_path) for result in (smart, full))
        assert ImageStat.Stat(ImageChops.difference(*frames)).mean[0] < 3


@pytest.mark.slow
def test_unreadable_clip_names_its_index_and_leaves_no_files(scene_clip, tmp_path):
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00" * 500)
    good = scene_clip("good.mp4", seconds=2)
    output = tmp_path / "out"

    with pytest.raises(ClipUnreadable) as caught:
        compose(spec_of((good, 2), (broken, 2), (good, 2)), output)

    assert caught.value.clip_index == 1
    assert "Clip 2" in str(caught.value)
    assert list(output.iterdir()) == []


@pytest.mark.slow
def test_cancel_stops_ffmpeg_and_leaves_no_files(scene_clip, tmp_path):
    clip = scene_clip("a.mp4", seconds=2)
    cancel, output = threading.Event(), tmp_path / "out"

    def stop_when_joining(percent: int, stage: str) -> None:
        if stage == "joining":
            cancel.set()

    with pytest.raises(CompositionCancelled):
        compose(spec_of((clip, 2), (clip, 2)), output, on_progress=stop_when_joining, cancel=cancel)

    assert list(output.iterdir()) == []


@pytest.mark.slow
def test_progress_rises_to_100_through_the_stages_in_order(scene_clip, tone, tmp_path):
    clip = scene_clip("a.mp4", seconds=2)
    reports: list[tuple[int, str]] = []

    compose(
        spec_of((clip, 2), (clip, 2), audio_path=tone(seconds=1)),
        tmp_path / "out",
        on_progress=lambda percent, stage: reports.append((percent, stage)),
    )

    percents = [percent for percent, _ in reports]
    assert percents == sorted(percents) and percents[-1] == 100
    stages = list(dict.fromkeys(stage for _, stage in reports))
    assert stages == ["preparing clips", "joining", "audio", "finishing"]
    assert [STAGES.index(stage) for stage in stages] == sorted(STAGES.index(s) for s in stages)


def test_scene_shorter_than_its_transitions_is_refused(tmp_path):
    spec = spec_of((Path("a.mp4"), 2), (Path("b.mp4"), 0.6), (Path("c.mp4"), 2))

    with pytest.raises(CompositionError, match="Scene 2 is too short"):
        compose(spec, tmp_path / "out")


def test_bed_gain_reaches_the_target_unless_the_true_peak_would_pass_its_ceiling():
    summary = (
        "  Integrated loudness:\n    I:         -20.5 LUFS\n  True peak:\n    Peak:  -9.0 dBFS\n"
    )

    loudness = compose_audio.parse_measurement(summary)

    assert loudness == compose_audio.Loudness(integrated_lufs=-20.5, true_peak_dbtp=-9.0)
    assert loudness.gain_db(-14) == pytest.approx(6.5)
    assert loudness.gain_db(-10) == pytest.approx(7.5)  # -9 dBTP + 7.5 dB = the -1.5 ceiling
    assert compose_audio.parse_measurement(summary.replace("-20.5", "-70.0")) is None


def keyframe_scan(frames: int, *, every: int) -> compose_graph.ClipScan:
    """A clip's scan at 8 fps with a keyframe every `every` frames and two B-frames."""
    listing = "#tb 0: 1/16\n" + "".join(  # DTS runs 2 ticks behind
        f"0, {2 * n - 4}, {2 * n}, 2, 100, 0x0{'' if n % every == 0 else ', F=0x0'}\n"
        for n in range(frames)
    )
    return compose_graph.parse_scan(listing, "Input #0, mov, from 'a.mp4':", fps=8)


def reel_args(reel: compose_graph.Reel, **options) -> list[str]:
    """The FFmpeg arguments of a reel at 64×112, 8 fps, its sides in out/in.ffconcat."""
    return compose_graph.encode_reel(
        reel,
        outgoing=Path("out.ffconcat"),
        incoming=Path("in.ffconcat"),
        canvas=compose_graph.Canvas(width=64, height=112, fps=8),
        **options,
    ).get_args()


def test_smart_plan_encodes_its_joins_in_one_reel_read_by_two_decoders():
    scan = keyframe_scan(24, every=8)
    spans = compose_graph.spans([3, 3, 3], overlap_seconds=3 / 8, fps=8)
    pieces = compose_graph.plan_pieces(spans, [scan] * 3, copy=True)
    clips = [(Path(f"/clips/{name}.mp4"), scan) for name in "abc"]

    reel = compose_graph.plan_reel(pieces, [scan] * 3)
    outgoing, incoming = compose_graph.reel_sides(reel, fps=8, clips=clips)
    args = reel_args(reel, output=Path("reel.mp4"))

    # Each join stretches to the keyframes around its 3 overlapping frames: 8 + 8 - 3.
    assert reel.starts == (0, 13) and reel.frames == 26
    assert outgoing == (
        "ffconcat version 1.0\n"
        "file '/clips/a.mp4'\ninpoint 2.000000\nduration 1.625000000\n"
        "file '/clips/b.mp4'\ninpoint 2.000000\nduration 1.625000000\n"
    )
    # The incoming heads start where their overlaps do, frames 5 and 18 of the reel.
    assert incoming == (
        "ffconcat version 1.0\n"
        "file '/clips/b.mp4'\noutpoint 0.750000\nduration 1.625000000\n"
        "file '/clips/c.mp4'\noutpoint 0.750000\n"
    )
    graph = args[args.index("-filter_complex") + 1]
    assert "tpad=start=5:start_mode=clone" in graph
    assert "enable=between(n\\,0\\,12):nb_frames=3:start_frame=5" in graph
    assert "enable=between(n\\,13\\,25):nb_frames=3:start_frame=18" in graph
    assert "enable=between(n\\,5\\,12)+between(n\\,18\\,25)" in graph
    assert args[args.index("-force_key_frames") + 1] == "0.000000,1.625000"
    assert compose_graph.reel_copies(pieces, reel, clip=3) == [
        pieces[0],
        compose_graph.Piece(Window(3, 0, 13), copy=True),
        pieces[2],
        compose_graph.Piece(Window(3, 13, 26, seek=13), copy=True),
        pieces[4],
    ]


def test_reel_refuses_a_window_that_does_not_start_where_decoding_does():
    scan = keyframe_scan(24, every=8)
    late = compose_graph.Piece(Window(0, 18, 24, seek=16), Window(1, 0, 8), overlap=3)
    unaligned_end = compose_graph.Piece(Window(0, 16, 24, seek=16), Window(1, 0, 6), overlap=3)

    assert compose_graph.plan_reel([late], [scan, scan]) is None
    assert compose_graph.plan_reel([unaligned_end], [scan, scan]) is None


def gray_frames(path: Path) -> list[bytes]:
    """Every decoded frame's luma, FRAME_WIDTH × FRAME_HEIGHT bytes each."""
    raw = subprocess.run(
        [ffmpeg.ffmpeg_binary(), "-v", "error", "-i", str(path), "-map", "0:v"]
        + ["-f", "rawvideo", "-pix_fmt", "gray", "-"],
        capture_output=True,
        timeout=60,
    ).stdout
    size = FRAME_WIDTH * FRAME_HEIGHT
    return [raw[at : at + size] for at in range(0, len(raw), size)]


@pytest.mark.slow
@pytest.mark.parametrize("transition", [Transition.CROSSFADE, Transition.FADE_BLACK])
def test_the_reel_renders_the_joins_as_a_piece_per_clip_does_frame_by_frame(
    transition, scene_clip, encodes, tmp_path, monkeypatch
):
    sources = ("testsrc2", "testsrc", "rgbtestsrc")
    clips = [scene_clip(f"{n}.mp4", seconds=3, source=f"{source}=s=96x96:r=12")
             for n, source in zip("abc", sources, strict=True)]  # fmt: skip
    inputs = [ClipInput(path, 3) for path in clips]
    # 3 frames at 8 fps: each join is stretched to the keyframes half a second apart.
    options = {"transition": transition, "transition_seconds": 3 / 8, **FRAME}

    smart = compose(CompositionSpec(clips=inputs, **options), tmp_path / "smart")
    smart_runs = list(encodes)
    # Captions switched on (though none is written) re-encode the runs between the joins,
    # all in one run of their own.
    captioned = compose(CompositionSpec(clips=inputs, captions=True, **options), tmp_path / "cc")
    captioned_runs = encodes[len(smart_runs) :]
    monkeypatch.setattr(compose_graph, "plan_reel", lambda pieces, scans: None)
    per_clip = compose(CompositionSpec(clips=inputs, captions=True, **options), tmp_path / "full")

    assert smart.smart and smart_runs == ["reel.mp4"]
    assert not captioned.smart and captioned_runs == ["reel.mp4", "runs.mp4"]
    reference = gray_frames(per_clip.video_path)
    assert len(reference) == 3 * 24 - 2 * 3
    for film in (smart, captioned):
        pairs = list(zip(gray_frames(film.video_path), reference, strict=True))
        differences = [sum(abs(a - b) for a, b in zip(*pair, strict=True)) / len(pair[0])
                       for pair in pairs]  # fmt: skip
        assert max(differences) < 3, [f"{i}:{d:.1f}" for i, d in enumerate(differences) if d >= 1.5]


def test_a_reel_of_runs_alone_reads_one_side_and_encodes_at_full_settings():
    scan = keyframe_scan(24, every=8)
    runs = [compose_graph.Piece(Window(0, 0, 16)), compose_graph.Piece(Window(1, 8, 24, seek=8))]
    clips = [(Path(f"/clips/{name}.mp4"), scan) for name in "ab"]

    reel = compose_graph.plan_reel(runs, [scan, scan])
    outgoing, incoming = compose_graph.reel_sides(reel, fps=8, clips=clips)
    args = reel_args(reel, output=Path("runs.mp4"), quick=False)

    assert reel.starts == (0, 16) and reel.frames == 32
    assert outgoing == (
        "ffconcat version 1.0\n"
        "file '/clips/a.mp4'\noutpoint 1.750000\nduration 2.000000000\n"
        "file '/clips/b.mp4'\ninpoint 1.000000\nduration 2.000000000\n"
    )
    assert incoming == "ffconcat version 1.0\n"
    assert "in.ffconcat" not in args and "overlay" not in args[args.index("-filter_complex") + 1]
    assert args[args.index("-x264-params") + 1] == "sync-lookahead=0"
    assert args[args.index("-force_key_frames") + 1] == "0.000000,2.000000"


@pytest.mark.slow
def test_the_poster_is_the_films_frame_a_second_in(scene_clip, tmp_path):
    clip = scene_clip("a.mp4", seconds=2, source="testsrc2=s=96x96:r=12")

    result = compose(spec_of((clip, 2), (clip, 2)), tmp_path / "out")

    poster = Image.open(result.poster_path).convert("L")
    film = frame_at(result.video_path, 1.0, tmp_path)
    following = frame_at(result.video_path, 1.25, tmp_path)
    assert ImageStat.Stat(ImageChops.difference(poster, film)).mean[0] < 2
    assert ImageStat.Stat(ImageChops.difference(poster, following)).mean[0] > 5


@pytest.mark.slow
def test_cut_scene_clips_with_captions_are_one_run_of_their_own(scene_clip, encodes, tmp_path):
    clip = scene_clip("a.mp4", seconds=2)
    clips = [ClipInput(clip, 2, caption="One"), ClipInput(clip, 2, caption="Two")]
    spec = CompositionSpec(clips=clips, transition=Transition.CUT, captions=True, **FRAME)

    result = compose(spec, tmp_path / "out")

    assert encodes == ["runs.mp4"] and not result.smart
    assert len(decoded_frames(result.video_path)) == 4 * FPS


@pytest.mark.slow
@pytest.mark.parametrize("captions", [False, True])
def test_many_scenes_make_one_reel_and_last_to_the_frame(captions, scene_clip, encodes, tmp_path):
    clip = scene_clip("a.mp4", seconds=2)
    clips = [ClipInput(clip, 2, caption=f"Scene {n}") for n in range(12)]

    result = compose(CompositionSpec(clips=clips, captions=captions, **FRAME), tmp_path / "out")

    assert encodes == (["reel.mp4", "runs.mp4"] if captions else ["reel.mp4"])
    # Twelve scenes of 16 frames, less eleven overlaps of 4.
    assert len(decoded_frames(result.video_path)) == 12 * 16 - 11 * 4
