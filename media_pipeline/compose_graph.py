"""The composer's plan and FFmpeg graphs, as data: frame spans, pieces, and ffmpeg-python nodes.

The film is cut into *pieces* that are joined with the concat demuxer, so no FFmpeg run
ever holds more than two clips (memory stays flat however many scenes there are):

- an encoded piece is a window of one clip, optionally crossfaded into the first frames
  of the next clip (the transition is encoded where it happens, nowhere else). Each input
  is decoded only over its window: from the keyframe before it (input seeking) to its end
  (an input duration), so the next clip's head is decoded for the overlap alone, and the
  frames outside the overlap pass through untouched;
- a copied piece is a run of whole GOPs of a clip that already has the output's shape,
  stream-copied from keyframe to keyframe (the smart render). It is no file of its own:
  the concat list reads it straight from the clip, between an in point and an out point.
  When the clips are cut at their keyframes, the joins are all encoded in one run, a Reel
  (and, to burn captions, the runs between them in another), and copied out of it the same
  way.

All positions are frame numbers at the output rate, so the joined lengths add up exactly.
"""

import math
import re
from dataclasses import dataclass
from pathlib import Path

import ffmpeg

from media_pipeline import clips
from media_pipeline import ffmpeg as runner
from media_pipeline.captions import CaptionCard

CONCAT_HEADER = "ffconcat version 1.0\n"
POSTER_QUALITY = 3  # JPEG qscale: 2 is best, 31 worst
TB_RE = re.compile(r"^#tb 0: (?P<num>\d+)/(?P<den>\d+)$", re.MULTILINE)
EXTRADATA_RE = re.compile(r"^#extradata 0:\s*(?P<crc>.+)$", re.MULTILINE)
SAR_RE = re.compile(r"^#sar 0: (?P<sar>\S+)$", re.MULTILINE)
ROTATION_RE = re.compile(r"rotation of (?P<degrees>-?[\d.]+) degrees")
# x264's default (1.5 threads a core) holds a set of full-size frame buffers per thread, so
# memory would grow with the machine; two threads keep a 1080×1920 encode near 250 MiB.
# sync-lookahead=0 drops the lookahead thread's own frame buffers; the output is the same.
X264_THREADS = 2
X264_PARAMS = "sync-lookahead=0"
# A piece of up to a second is encoded on one thread (frame threads buy it little wall time
# for ~15% more CPU). It and the smart render's reel of joins use x264's quickest motion
# search: a fifth less CPU than veryfast's own, for ~8% more bits on a dissolve at the
# same CRF (-0.3 dB PSNR). The SPS/PPS stay those of the copied clips.
SHORT_PIECE_SECONDS = 1
QUICK_X264_PARAMS = "me=dia:subme=1"


@dataclass(frozen=True)
class Canvas:
    """The output frame, and how clips are fitted into it and joined."""

    width: int
    height: int
    fps: int
    crop: bool = False
    through_black: bool = False


@dataclass(frozen=True)
class Span:
    """One clip on the film's timeline, in output frames.

    `lead_in`/`lead_out` are the frames it shares with the previous/next clip's transition.
    """

    frames: int
    lead_in: int = 0
    lead_out: int = 0


@dataclass(frozen=True)
class Window:
    """Frames [start, end) of one clip; past the clip's last frame that frame is held.

    Decoding starts at `seek` (a keyframe at or before `start`; 0 means the clip's start).
    """

    clip: int
    start: int
    end: int
    seek: int = 0

    @property
    def frames(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class Piece:
    first: Window
    second: Window | None = None
    overlap: int = 0
    copy: bool = False

    @property
    def frames(self) -> int:
        second = self.second.frames - self.overlap if self.second else 0
        return self.first.frames + second


@dataclass(frozen=True)
class ClipScan:
    """What one pass over a clip's packets (no decoding) tells about it."""

    frames: int
    keyframes: tuple[int, ...]
    constant_rate: bool
    extradata: str | None
    sar: str | None
    rotation: float
    size: tuple[int, int] | None = None
    pix_fmt: str | None = None
    # Decoding time (seconds) of each keyframe, in the order of `keyframes`.
    keyframe_dts: tuple[float, ...] = ()


@dataclass(frozen=True)
class Source:
    """A clip file; `native` when its frames already have the canvas's shape (no fitting)."""

    path: Path
    native: bool = False


def is_native(scan: ClipScan, canvas: Canvas) -> bool:
    """Whether the clip's frames are canvas-sized, upright, square-pixelled yuv420p."""
    return (
        scan.size == (canvas.width, canvas.height)
        and scan.pix_fmt == "yuv420p"
        and scan.sar in (None, "1/1")
        and scan.rotation == 0
    )


def spans(durations: list[float], *, overlap_seconds: float, fps: int) -> list[Span]:
    """Place the clips on the timeline; rounding the running total keeps the sum exact."""
    starts = [sum(durations[:i]) - i * overlap_seconds for i in range(len(durations))]
    first = [round(start * fps) for start in starts]
    last = [round((start + d) * fps) for start, d in zip(starts, durations, strict=True)]
    shared = [last[i] - first[i + 1] for i in range(len(durations) - 1)]
    return [
        Span(frames=last[i] - first[i], lead_in=([0, *shared])[i], lead_out=([*shared, 0])[i])
        for i in range(len(durations))
    ]


def plan_pieces(
    spans: list[Span], scans: list[ClipScan] | None = None, *, copy: bool = False
) -> list[Piece]:
    """Cut the film into pieces; with `scans` each window is decoded from the keyframe before
    it, and with `copy` too (smart render) every whole GOP outside the transitions is copied."""
    bodies = [_body(span, scans[i] if copy and scans else None) for i, span in enumerate(spans)]
    pieces = [Piece(Window(0, 0, bodies[0][0]))] if bodies[0][0] > 0 else []
    for i, (span, (start, end)) in enumerate(zip(spans, bodies, strict=True)):
        if end > start:
            pieces.append(Piece(Window(i, start, end, seek=start), copy=True))
        tail = Window(i, end, span.frames, seek=_seek(scans[i], end) if scans else 0)
        following = Window(i + 1, 0, bodies[i + 1][0]) if i + 1 < len(spans) else None
        pieces += _join(tail, following, span.lead_out)
    return pieces


def _body(span: Span, scan: ClipScan | None) -> tuple[int, int]:
    """The keyframe-bounded frames of a clip that can be copied: those outside its transitions."""
    first, last = span.lead_in, span.frames - span.lead_out
    if scan is None:
        return first, first
    cuts = [*scan.keyframes, scan.frames]
    start = min((cut for cut in cuts if cut >= first), default=last)
    end = max((cut for cut in cuts if cut <= last), default=first)
    return (start, end) if end > start else (first, first)


def _seek(scan: ClipScan, frame: int) -> int:
    """The last keyframe that still has frames to decode at or before `frame`.

    Only on a constant-rate clip are its frame numbers output frame numbers, so only there
    can decoding start anywhere but at the beginning and still count frames exactly.
    """
    if not scan.constant_rate:
        return 0
    return max((key for key in scan.keyframes if key <= frame and key < scan.frames), default=0)


def _join(tail: Window, following: Window | None, overlap: int) -> list[Piece]:
    if following is not None and overlap:
        return [Piece(tail, following, overlap)]
    return [Piece(window) for window in (tail, following) if window and window.frames]


def encode_piece(
    piece: Piece,
    *,
    sources: list[Source],
    canvas: Canvas,
    cards: dict[int, CaptionCard],
    output: Path,
):
    """The ffmpeg-python graph that renders one encoded piece."""
    video, *incoming = [
        _framed(window, source=sources[window.clip], canvas=canvas, card=cards.get(window.clip))
        for window in (piece.first, piece.second)
        if window is not None
    ]
    if incoming:
        video = _crossfade(video, incoming[0], piece=piece, canvas=canvas)
    short = piece.frames <= SHORT_PIECE_SECONDS * canvas.fps
    return ffmpeg.output(
        video,
        str(output),
        **{"frames:v": piece.frames},
        **encoder_options(canvas, quick=short, threads=1 if short else X264_THREADS),
    )


def _crossfade(first, incoming, *, piece: Piece, canvas: Canvas):
    """The first window as is up to the overlap, then mixed into the incoming one.

    Only the overlap goes through the mixing filter: the frames before it are split off
    and passed through, as the mixing filter would otherwise handle every frame of it.
    """
    body = piece.first.frames - piece.overlap
    outgoing = first
    if body:
        split = first.split()
        whole, outgoing = split[0], split[1]
        outgoing = outgoing.filter("trim", start_frame=body).filter("setpts", "PTS-STARTPTS")
    mixed = mix(outgoing, incoming, overlap=piece.overlap, canvas=canvas)
    return ffmpeg.concat(whole.filter("trim", end_frame=body), mixed) if body else mixed


def mix(outgoing, incoming, *, overlap: int, canvas: Canvas):
    """Crossfade two streams of `overlap` frames; through black, each side fades alone.

    The dissolve is the incoming side laid over the outgoing one with an opacity that rises
    by 1/overlap a frame, as xfade's "fade" mixes them, but in yuv420p: xfade only works
    in 4:4:4, so it would convert both sides up and the result down, every frame.
    """
    outgoing, incoming = _through_black(outgoing, incoming, at=0, overlap=overlap, canvas=canvas)
    rising = _rising(incoming.filter("format", "yuva420p"), at=0, overlap=overlap)
    return ffmpeg.overlay(outgoing, rising, format="yuv420")


def _through_black(outgoing, incoming, *, at: int, overlap: int, canvas: Canvas, only: str = ""):
    """Through black, the outgoing side fades out over the first half of the overlap starting
    at frame `at`, the incoming one in over the second; `only` limits the fades to a range of
    frames. (Before any alpha: fade takes black to 0, not 16, in yuva420p.)"""
    if not canvas.through_black:
        return outgoing, incoming
    enabled = {"enable": only} if only else {}
    half = (overlap + 1) // 2
    outgoing = outgoing.filter("fade", t="out", start_frame=at, nb_frames=half, **enabled)
    incoming = incoming.filter(
        "fade", t="in", start_frame=at + half, nb_frames=max(1, overlap - half), **enabled
    )
    return outgoing, incoming


def _rising(incoming, *, at: int, overlap: int, only: str = ""):
    """The incoming side's opacity, rising by 1/overlap a frame from frame `at`."""
    enabled = {"enable": only} if only else {}
    return incoming.filter("fade", t="in", start_frame=at, nb_frames=overlap, alpha=1, **enabled)


def _framed(window: Window, *, source: Source, canvas: Canvas, card: CaptionCard | None):
    """The window's frames, the last one held if the clip ends early, captioned.

    Decoding starts at the window's seek point and stops a frame past its end (trim drops
    that spare frame, which absorbs any rounding of the input duration).
    """
    # One decoding thread: frame threads cost more CPU (and a frame buffer set each) for a
    # decoder that is far faster than the x264 encode it feeds.
    options = {"threads": 1}
    if window.seek:
        options["ss"] = _floor_time(window.seek, canvas.fps)
    options["t"] = _floor_time(window.end - window.seek + 1, canvas.fps)
    # The fps filter also gives every input the same time base, as overlay and concat need.
    stream = ffmpeg.input(str(source.path), **options)["v"].filter("fps", canvas.fps)
    if not source.native:
        stream = fit(stream, canvas)
    stream = stream.filter("tpad", stop_mode="clone", stop=window.end - window.seek)
    stream = stream.filter(
        "trim", start_frame=window.start - window.seek, end_frame=window.end - window.seek
    ).filter("setpts", "PTS-STARTPTS")
    if card is not None:
        stream = stream.overlay(ffmpeg.input(str(card.path)), x=card.x, y=card.y)
    # Pinned, so the mix, concat and the encoder all take yuv420p and no frame is converted.
    return stream.filter("format", "yuv420p")


def fit(stream, canvas: Canvas):
    """Scale to cover and crop, or to fit and pad with black; square pixels, yuv420p.

    FFmpeg applies a clip's rotation on decode, before these filters.
    """
    size = {"w": canvas.width, "h": canvas.height}
    if canvas.crop:
        stream = stream.filter("scale", **size, force_original_aspect_ratio="increase")
        stream = stream.filter("crop", canvas.width, canvas.height)
    else:
        stream = stream.filter(
            "scale", **size, force_original_aspect_ratio="decrease", force_divisible_by=2
        )
        stream = stream.filter("pad", canvas.width, canvas.height, "(ow-iw)/2", "(oh-ih)/2")
    return stream.filter("setsar", 1).filter("format", "yuv420p")


def encoder_options(
    canvas: Canvas, *, quick: bool = False, threads: int = X264_THREADS
) -> dict[str, object]:
    """The H.264 settings of `clips.normalise_args`, so encoded and copied pieces share SPS/PPS
    (`quick` only changes how hard x264 searches, see QUICK_X264_PARAMS)."""
    keyint = max(1, round(canvas.fps * clips.KEYFRAME_SECONDS))
    return {
        "c:v": "libx264",
        "preset": clips.X264_PRESET,
        "crf": clips.X264_CRF,
        "pix_fmt": "yuv420p",
        "r": canvas.fps,
        "g": keyint,
        "keyint_min": keyint,
        "sc_threshold": 0,
        "force_key_frames": f"expr:gte(t,n_forced*{clips.KEYFRAME_SECONDS})",
        "threads": threads,
        "x264-params": f"{X264_PARAMS}:{QUICK_X264_PARAMS}" if quick else X264_PARAMS,
        "an": None,
        "map_metadata": -1,
        "fflags": "+bitexact",
        "flags:v": "+bitexact",
    }


def reference_encode(canvas: Canvas, output: Path):
    """One black frame with the piece encoder: its SPS/PPS is what copied clips must carry."""
    source = ffmpeg.input(f"color=black:s={canvas.width}x{canvas.height}:r={canvas.fps}", f="lavfi")
    return ffmpeg.output(source, str(output), **{"frames:v": 1}, **encoder_options(canvas))


@dataclass(frozen=True)
class Reel:
    """Pieces of clips cut at their keyframes, back to back in one encode: one process, one
    decoder a side and one x264 run for every join (or every run of GOPs re-encoded for its
    captions), instead of a run each. Each piece starts on a keyframe of the reel, so the
    film copies it out like any other run of GOPs.

    The outgoing side is every piece's first window, one slot each; the incoming side is
    each join's second window, placed where its overlap begins. Both sides are concat
    scripts, read by one decoder each (the fps filter holds a window's last frame to the end
    of its slot); the dissolves are timed fades on the incoming side, overlaid only over
    the joins.
    """

    pieces: tuple[Piece, ...]
    starts: tuple[int, ...]

    @property
    def frames(self) -> int:
        return self.starts[-1] + self.pieces[-1].frames if self.pieces else 0

    def slots(self) -> list[tuple[int, Piece]]:
        """(first frame, piece) of each piece."""
        return list(zip(self.starts, self.pieces, strict=True))

    def joins(self) -> list[tuple[int, int, Piece]]:
        """(first frame, first frame of the overlap, piece) of each piece joining two clips."""
        return [
            (start, start + piece.first.frames - piece.overlap, piece)
            for start, piece in self.slots()
            if piece.second is not None
        ]


def plan_reel(pieces: list[Piece], scans: list[ClipScan]) -> Reel | None:
    """The reel of a plan's encoded pieces, or None if a window cannot be read from
    its clip frame-exactly by the concat demuxer (it must start where decoding starts, and
    end on a keyframe or at the clip's end); those pieces are then encoded one by one."""
    encoded = [piece for piece in pieces if not piece.copy]
    windows = [window for piece in encoded for window in (piece.first, piece.second) if window]
    for window in windows:
        scan = scans[window.clip]
        if window.seek != window.start or not (
            window.end >= scan.frames or window.end in scan.keyframes
        ):
            return None
    starts = [sum(piece.frames for piece in encoded[:i]) for i in range(len(encoded))]
    return Reel(tuple(encoded), tuple(starts))


def reel_sides(reel: Reel, *, fps: int, clips: list[tuple[Path, ClipScan]]) -> tuple[str, str]:
    """The concat scripts of the reel's outgoing and incoming sides (see Reel)."""
    outgoing = [
        _window_entry(piece.first, *clips[piece.first.clip], fps=fps)
        + f"duration {piece.frames / fps:.9f}\n"
        for piece in reel.pieces
    ]
    joins = reel.joins()
    following = [at for _, at, _ in joins[1:]] + [None] if joins else []
    incoming = [
        _window_entry(piece.second, *clips[piece.second.clip], fps=fps)
        + (f"duration {(until - at) / fps:.9f}\n" if until is not None else "")
        for (_, at, piece), until in zip(joins, following, strict=True)
    ]
    return CONCAT_HEADER + "".join(outgoing), CONCAT_HEADER + "".join(incoming)


def encode_reel(
    reel: Reel,
    *,
    outgoing: Path,
    incoming: Path,
    canvas: Canvas,
    output: Path,
    cards: dict[int, CaptionCard] | None = None,
    quick: bool = True,
):
    """The ffmpeg-python graph that renders the reel from its two sides' concat scripts,
    each side's frames captioned with their clip's card (before they are mixed). A reel of
    joins is encoded `quick` (see QUICK_X264_PARAMS); one of whole runs of scenes is not."""
    cards = cards or {}
    video = _side(outgoing, canvas, frames=reel.frames)
    video = _captioned(
        video,
        [(piece.first.clip, start, start + piece.frames) for start, piece in reel.slots()],
        cards,
    )
    joins = reel.joins()
    if joins:
        rising = _side(incoming, canvas, frames=reel.frames)
        if joins[0][1]:
            rising = rising.filter("tpad", start=joins[0][1], start_mode="clone")
        rising = _captioned(
            rising,
            [(piece.second.clip, at, start + piece.frames) for start, at, piece in joins],
            cards,
        )
        slots = [
            (f"between(n,{start},{start + piece.frames - 1})", at, piece)
            for start, at, piece in joins
        ]
        for slot, at, piece in slots:
            video, rising = _through_black(
                video, rising, at=at, overlap=piece.overlap, canvas=canvas, only=slot
            )
        rising = rising.filter("format", "yuva420p")
        for slot, at, piece in slots:
            rising = _rising(rising, at=at, overlap=piece.overlap, only=slot)
        shown = [f"between(n,{at},{start + piece.frames - 1})" for start, at, piece in joins]
        video = ffmpeg.overlay(
            video, rising, format="yuv420", eof_action="pass", enable="+".join(shown)
        )
    options = encoder_options(canvas, quick=quick)
    options["force_key_frames"] = ",".join(_floor_time(start, canvas.fps) for start in reel.starts)
    return ffmpeg.output(
        video.filter("format", "yuv420p"), str(output), **{"frames:v": reel.frames}, **options
    )


def _captioned(stream, showing: list[tuple[int, int, int]], cards: dict[int, CaptionCard]):
    """Each (clip, first frame, end frame) range of the stream with its clip's card."""
    for clip, first, end in showing:
        if (card := cards.get(clip)) is not None:
            stream = stream.overlay(
                ffmpeg.input(str(card.path)),
                x=card.x,
                y=card.y,
                enable=f"between(n,{first},{end - 1})",
            )
    return stream


def _side(script: Path, canvas: Canvas, *, frames: int):
    """One side of the reel, a frame per output frame. The fps filter holds a window's last
    frame over a gap before the next one; tpad holds the last window's to the reel's end."""
    stream = ffmpeg.input(str(script), f="concat", safe=0, threads=1)["v"]
    return stream.filter("fps", canvas.fps).filter("tpad", stop=frames, stop_mode="clone")


def reel_copies(pieces: list[Piece], reel: Reel, *, clip: int) -> list[Piece]:
    """The plan with each encoded piece copied out of the reel (clip number `clip`)."""
    slots = dict(zip(reel.pieces, reel.starts, strict=True))
    return [
        piece
        if piece.copy
        else Piece(
            Window(clip, slots[piece], slots[piece] + piece.frames, seek=slots[piece]), copy=True
        )
        for piece in pieces
    ]


def scan_packets(sources: list[Path], outputs: list[Path]):
    """List each source's video packets (timestamps, key flags, extradata CRC) into its output,
    all in one run and without decoding."""
    listings = [
        ffmpeg.input(str(source))["v"].output(str(output), c="copy", f="framecrc")
        for source, output in zip(sources, outputs, strict=True)
    ]
    return ffmpeg.merge_outputs(*listings)


def input_summaries(log: str, count: int) -> list[str]:
    """Each input's description from a run's log, numbered as input 0 as `parse_scan` reads it."""
    sections = re.split(r"^(?=Input #\d+, |Stream mapping:|Output #)", log, flags=re.MULTILINE)
    inputs = [section for section in sections if section.startswith("Input #")]
    if len(inputs) != count:
        raise ValueError(f"The log describes {len(inputs)} inputs, not {count}.")
    return [
        re.sub(r"\bStream #\d+:", "Stream #0:", re.sub(r"^Input #\d+,", "Input #0,", section))
        for section in inputs
    ]


def parse_scan(listing: str, summary: str, *, fps: int) -> ClipScan:
    """Read a `scan_packets` listing; `summary` is the stderr with the input's description."""
    tb = TB_RE.search(listing)
    num, den = (int(tb["num"]), int(tb["den"])) if tb else (1, fps)
    frames, keyframes = [], {}
    for line in listing.splitlines():
        fields = [field.strip() for field in line.split(",")]
        if line.startswith("#") or len(fields) < 6:
            continue
        position = int(fields[2]) * num * fps / den
        frames.append(position)
        if not any(field.startswith("F=") for field in fields[6:]):
            keyframes[round(position)] = int(fields[1]) * num / den
    ordered = sorted(frames)
    extradata, sar = EXTRADATA_RE.search(listing), SAR_RE.search(listing)
    rotation = ROTATION_RE.search(summary)
    facts = runner.parse_probe_output(summary)
    return ClipScan(
        frames=len(frames),
        keyframes=tuple(sorted(keyframes)),
        keyframe_dts=tuple(keyframes[key] for key in sorted(keyframes)),
        constant_rate=all(abs(at - n) < 0.01 for n, at in enumerate(ordered)),
        extradata=extradata["crc"].strip() if extradata else None,
        sar=sar["sar"] if sar else None,
        rotation=float(rotation["degrees"]) if rotation else 0.0,
        size=(facts.width, facts.height) if facts.width and facts.height else None,
        pix_fmt=facts.pix_fmt,
    )


def concat_list(
    pieces: list[Piece], files: list[Path | None], *, fps: int, clips: list[tuple[Path, ClipScan]]
) -> str:
    """An ffconcat script; each piece's exact duration places the next one frame-accurately.

    An encoded piece is its file (in the list's folder); a copied one is read from its clip.
    """
    entries = []
    for piece, path in zip(pieces, files, strict=True):
        if piece.copy:
            entries.append(_window_entry(piece.first, *clips[piece.first.clip], fps=fps))
        else:
            entries.append(f"file '{path.name}'\n")
        entries.append(f"duration {piece.frames / fps:.9f}\n")
    return CONCAT_HEADER + "".join(entries)


def _window_entry(window: Window, source: Path, scan: ClipScan, *, fps: int) -> str:
    """The clip's packets from the keyframe at the window's start to the one at its end.

    The demuxer seeks to the in point (a presentation time) and stops at the first packet
    whose *decoding* time reaches the out point, so that is the end keyframe's DTS (B-frames
    put it before the frames shown just ahead of it), rounded down to what it can parse.
    """
    quoted = str(source.resolve()).replace("'", "'\\''")
    entry = f"file '{quoted}'\n"
    if window.start:
        entry += f"inpoint {_ceil_time(window.start, fps)}\n"
    if window.end < scan.frames:
        dts = scan.keyframe_dts[scan.keyframes.index(window.end)]
        entry += f"outpoint {math.floor(dts * 1_000_000) / 1_000_000:.6f}\n"
    return entry


def mux(concat: Path, bed: Path, *, frames: int, output: Path):
    """The joined video and the encoded audio bed, both copied as they are, ready for streaming."""
    video = ffmpeg.input(str(concat), f="concat", safe=0)["v"]
    audio = ffmpeg.input(str(bed))["a"]
    options = {"c": "copy", "frames:v": frames, "movflags": "+faststart"}
    return ffmpeg.output(video, audio, str(output), **options)


def poster(film: Path, *, at: float, output: Path):
    return ffmpeg.output(
        ffmpeg.input(str(film), ss=at, threads=1)["v"],
        str(output),
        **{"frames:v": 1, "q:v": POSTER_QUALITY},
    )


def _floor_time(frame: int, fps: int) -> str:
    """Seek time for decoding: never past the frame, so accurate seeking keeps it."""
    return f"{math.floor(frame * 1_000_000 / fps) / 1_000_000:.6f}"


def _ceil_time(frame: int, fps: int) -> str:
    """In point for stream copy: never before the keyframe, so the seek lands on it."""
    return f"{math.ceil(frame * 1_000_000 / fps) / 1_000_000:.6f}"
