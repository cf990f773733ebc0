"""The composition engine: scene clips in, the finished film (H.264/AAC MP4) and its poster out.

    result = compose(spec, output_dir, on_progress=report, cancel=stop_event)

Plain values and local files only; it knows nothing of projects or storyboards.

Stages, in order (`STAGES`; "captions" is not a pass of its own, see below):
1. preparing clips: one packet scan of all the clips (no decoding), in one run. A clip
   FFmpeg cannot read raises ClipUnreadable with its index. Caption cards are drawn here with Pillow.
2. joining: the film is rendered as pieces (see compose_graph) that the concat demuxer
   joins, so no run holds more than two clips and memory stays flat as scenes are added.
   Clips already H.264 yuv420p at the output's size, rate and encoder settings (as
   `clips.normalise_clip` makes them) are cut at their keyframes: the transition windows,
   stretched to the nearest keyframes (none, with keyframes every half second), are all
   encoded in one run (a reel, see compose_graph.Reel), each clip's caption laid on its side
   before the mix. The runs of GOPs between them are stream-copied straight from the clips
   (the smart render) or, with captions, re-encoded with their cards in one more reel; the
   film copies the joins out of their reel.
   Other clips (the full render): each is fitted to the frame (unless it already has the
   frame's shape), trimmed or held on its last frame, its caption burned in, and crossfaded
   into the next, all in one encode per clip; the next clip is decoded only for the
   overlap, and the clip's body from its keyframe after the previous overlap.
3. audio: the bed's loudness and true peak are measured (first of two passes), then the bed
   is levelled and encoded. Both runs go on beside the joining, in a thread of their own,
   so on two cores they add little to the wait; the stage is reported once joining ends.
4. finishing: the joined video and the encoded audio are copied into the film with
   `+faststart`; the poster is taken ~1 s in.
Captions are burned while joining: a separate captions pass would encode the film twice.

Joins: CUT adds the clips end to end. CROSSFADE and FADE_BLACK both *overlap* the two
clips by `transition_seconds`, so the film lasts
sum(durations) - (n-1) * transition_seconds, to the nearest frame.
Through black, the outgoing clip fades to black over the first half of the overlap and
the incoming one fades in from black over the second half.

Everything is written in a hidden work folder inside `output_dir`, and only the finished
film and poster are renamed into place, so a failure or cancel leaves nothing behind.
"""

import dataclasses
import logging
import math
import os
import resource
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from media_pipeline import compose_audio, ffmpeg
from media_pipeline import compose_graph as graph
from media_pipeline.captions import CaptionCard, render_caption

FORMATS: dict[str, tuple[int, int]] = {
    "9:16": (1080, 1920),
    "4:5": (1080, 1350),
    "1:1": (1080, 1080),
    "16:9": (1920, 1080),
}
STAGES = ("preparing clips", "joining", "audio", "captions", "finishing")
FILM_NAME = "film.mp4"
POSTER_NAME = "poster.jpg"
POSTER_SECONDS = 1.0
# Progress: the packet scans take this share; the rest is split by estimated work, where
# encoding one frame is one unit and the other runs cost these fractions of a frame.
PREPARING_PERCENT = 5.0
AUDIO_FRAME_COST = 0.05
MUX_FRAME_COST = 0.05
RUN_COST = 2.0

logger = logging.getLogger(__name__)
# (FFmpeg binary, width, height, fps) -> the extradata checksum of our encoder's output.
_REFERENCE_EXTRADATA: dict[tuple[str, int, int, int], str | None] = {}


class Transition(StrEnum):
    CROSSFADE = "crossfade"
    CUT = "cut"
    FADE_BLACK = "fade_black"


class Reframe(StrEnum):
    PAD = "pad"
    CROP = "crop"


@dataclass(frozen=True)
class ClipInput:
    path: Path
    duration: float
    caption: str = ""


@dataclass(frozen=True)
class CompositionSpec:
    clips: list[ClipInput]
    width: int
    height: int
    fps: int
    transition: Transition = Transition.CROSSFADE
    transition_seconds: float = 0.5
    reframe: Reframe = Reframe.PAD
    audio_path: Path | None = None
    audio_volume: float = 1.0
    captions: bool = False
    loudness_lufs: float = -14.0


@dataclass(frozen=True)
class CompositionResult:
    video_path: Path
    poster_path: Path
    duration: float
    smart: bool


class CompositionError(Exception):
    """The film could not be made; the message says what to change."""


class ClipUnreadable(CompositionError):
    def __init__(self, clip_index: int, message: str) -> None:
        super().__init__(message)
        self.clip_index = clip_index


class CompositionCancelled(CompositionError):
    """compose() was asked to stop; nothing was left in the output folder."""


def total_duration(spec: CompositionSpec) -> float:
    """The film's length in seconds: the clips' durations less one overlap per join."""
    total = sum(clip.duration for clip in spec.clips)
    return total - (len(spec.clips) - 1) * _overlap_seconds(spec)


def compose(
    spec: CompositionSpec,
    output_dir: Path,
    *,
    on_progress: Callable[[int, str], None] | None = None,
    cancel: threading.Event | None = None,
    timeout: float = 900,
) -> CompositionResult:
    """Render the film and poster into `output_dir` (see the module docstring)."""
    spans = _validated_spans(spec)
    output_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".compose-", dir=output_dir))
    job = _Job(spec, spans, work, _Progress(on_progress), cancel, time.monotonic() + timeout)
    try:
        smart = job.run()
        for name in (FILM_NAME, POSTER_NAME):
            os.replace(work / name, output_dir / name)
    except ffmpeg.FFmpegCancelled:
        raise CompositionCancelled("The film was not made: composing was cancelled.") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    job.progress.report(100, STAGES[-1])
    return CompositionResult(
        video_path=output_dir / FILM_NAME,
        poster_path=output_dir / POSTER_NAME,
        duration=job.duration,
        smart=smart,
    )


def _overlap_seconds(spec: CompositionSpec) -> float:
    return 0.0 if spec.transition == Transition.CUT else spec.transition_seconds


def _validated_spans(spec: CompositionSpec) -> list[graph.Span]:
    if not spec.clips:
        raise CompositionError("There are no clips to join; add at least one scene.")
    if spec.width % 2 or spec.height % 2 or spec.width <= 0 or spec.height <= 0:
        raise CompositionError(f"The frame must have even sides, not {spec.width}×{spec.height}.")
    if spec.fps <= 0 or spec.transition_seconds < 0 or not 0 <= spec.audio_volume <= 2:
        raise CompositionError("Frame rate must be positive, transitions ≥ 0 s, volume 0–2.")
    spans = graph.spans(
        [clip.duration for clip in spec.clips],
        overlap_seconds=_overlap_seconds(spec),
        fps=spec.fps,
    )
    for number, span in enumerate(spans, start=1):
        if span.frames < 1 or span.lead_in + span.lead_out > span.frames:
            raise CompositionError(
                f"Scene {number} is too short for its transitions; lengthen it or shorten "
                "the transitions."
            )
    return spans


class _Progress:
    """One monotonic 0–100 over the whole job, reported only when it or the stage changes."""

    def __init__(self, callback: Callable[[int, str], None] | None) -> None:
        self.callback = callback
        self.done = 0.0
        self.last: tuple[int, str] | None = None

    def report(self, percent: float, stage: str) -> None:
        value = max(int(percent), self.last[0] if self.last else 0)
        if self.callback is not None and (value, stage) != self.last:
            self.callback(value, stage)
        self.last = (value, stage)


class _Job:
    def __init__(
        self,
        spec: CompositionSpec,
        spans: list[graph.Span],
        work: Path,
        progress: _Progress,
        cancel: threading.Event | None,
        deadline: float,
    ) -> None:
        self.spec, self.spans, self.work = spec, spans, work
        self.progress, self.deadline = progress, deadline
        self.cancel = _Stop(cancel)
        self.frames = sum(span.frames - span.lead_out for span in spans)
        self.canvas = graph.Canvas(
            width=spec.width,
            height=spec.height,
            fps=spec.fps,
            crop=spec.reframe == Reframe.CROP,
            through_black=spec.transition == Transition.FADE_BLACK,
        )

    def run(self) -> bool:
        """Make film.mp4 and poster.jpg in the work folder; say whether the smart path ran.

        The audio bed needs only the film's length, so it starts first, beside everything."""
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="compose-audio") as pool:
            bed = pool.submit(self._audio_bed)
            try:
                scans = self._prepare()
                matched = self._all_match(scans)
                pieces, reel = self._plan(scans, matched=matched)
                burn = reel is not None and self.spec.captions
                self.units = self._remaining_units(pieces, reel, burn)
                concat = self._join(pieces, scans, self._cards(), reel, burn)
            except BaseException:
                self.cancel.stop_own_runs()
                raise
        self.progress.report(self.progress.done, STAGES[2])
        self._finish(concat, bed.result())
        return matched and not self.spec.captions

    def _plan(
        self, scans: list[graph.ClipScan], *, matched: bool
    ) -> tuple[list[graph.Piece], graph.Reel | None]:
        """The pieces, and the reel their joins are encoded in (None: a run per piece).

        Clips with our encoder's SPS/PPS are cut at their keyframes: the runs of GOPs between
        joins are copied (the smart render) or, to burn captions, re-encoded with their card,
        and the joins go in one reel. Other clips are fitted and joined a piece per clip.
        """
        if matched:
            pieces = graph.plan_pieces(self.spans, scans, copy=True)
            reel = graph.plan_reel(pieces, scans)
            if reel is not None or not self.spec.captions:
                return pieces, reel
        return graph.plan_pieces(self.spans, scans), None

    def _prepare(self) -> list[graph.ClipScan]:
        """Scan every clip in one run; if that fails, one by one to name the clip at fault."""
        stage, paths = STAGES[0], [clip.path for clip in self.spec.clips]
        self.progress.report(0, stage)
        try:
            scans = self._scan_files(paths, "scan")
        except ffmpeg.FFmpegCancelled:
            raise
        except (CompositionError, ffmpeg.FFmpegError, ValueError):
            scans = [self._scan(index, path) for index, path in enumerate(paths)]
        for index, scan in enumerate(scans):
            if scan.frames == 0:
                raise self._unreadable(index)
        self.progress.report(PREPARING_PERCENT, stage)
        self.progress.done = PREPARING_PERCENT
        return scans

    def _scan(self, index: int, path: Path) -> graph.ClipScan:
        try:
            return self._scan_files([path], f"scan-{index:03d}")[0]
        except ffmpeg.FFmpegCancelled:
            raise
        except (CompositionError, ffmpeg.FFmpegError, ValueError):
            raise self._unreadable(index) from None

    def _unreadable(self, index: int) -> ClipUnreadable:
        return ClipUnreadable(
            index,
            f"Clip {index + 1} ({self.spec.clips[index].path.name}) could not be read as "
            "video; regenerate that scene's clip or replace it.",
        )

    def _scan_files(self, paths: list[Path], name: str) -> list[graph.ClipScan]:
        """One scan of each distinct file (a clip used twice is read once), in one run."""
        distinct = list(dict.fromkeys(paths))
        listings = [self.work / f"{name}-{index:03d}.framecrc" for index in range(len(distinct))]
        log = self._run(graph.scan_packets(distinct, listings), log_level="info")
        summaries = graph.input_summaries(log, len(distinct))
        scans = {
            path: graph.parse_scan(listing.read_text(), summary, fps=self.spec.fps)
            for path, listing, summary in zip(distinct, listings, summaries, strict=True)
        }
        return [scans[path] for path in paths]

    def _all_match(self, scans: list[graph.ClipScan]) -> bool:
        """Whether every clip can be copied: same shape and same SPS/PPS as our encoder's."""
        if not all(scan.constant_rate and graph.is_native(scan, self.canvas) for scan in scans):
            return False
        expected = self._reference_extradata()
        return expected is not None and all(scan.extradata == expected for scan in scans)

    def _reference_extradata(self) -> str | None:
        """Our encoder's SPS/PPS at this frame size and rate: encoded once per process."""
        key = (ffmpeg.ffmpeg_binary(), self.canvas.width, self.canvas.height, self.canvas.fps)
        if key not in _REFERENCE_EXTRADATA:
            reference = self.work / "reference.mp4"
            self._run(graph.reference_encode(self.canvas, reference))
            _REFERENCE_EXTRADATA[key] = self._scan_files([reference], "scan-reference")[0].extradata
        return _REFERENCE_EXTRADATA[key]

    def _cards(self) -> dict[int, CaptionCard]:
        if not self.spec.captions:
            return {}
        return {
            index: render_caption(
                clip.caption,
                frame_width=self.spec.width,
                frame_height=self.spec.height,
                path=self.work / f"caption-{index:03d}.png",
            )
            for index, clip in enumerate(self.spec.clips)
            if clip.caption.strip()
        }

    def _remaining_units(
        self, pieces: list[graph.Piece], reel: graph.Reel | None, burn: bool
    ) -> float:
        if reel is None:
            join = sum(self._piece_units(piece) for piece in pieces if not piece.copy)
        else:
            join = self._reel_units(reel)
        if burn:  # the runs' own reel
            join += 2 * RUN_COST + sum(piece.frames for piece in pieces if piece.copy)
        return join + self.frames * (AUDIO_FRAME_COST + MUX_FRAME_COST) + 3 * RUN_COST

    def _piece_units(self, piece: graph.Piece) -> float:
        return RUN_COST + piece.frames

    def _reel_units(self, reel: graph.Reel) -> float:
        return 2 * RUN_COST + reel.frames if reel.pieces else 0

    def _join(
        self,
        pieces: list[graph.Piece],
        scans: list[graph.ClipScan],
        cards: dict[int, CaptionCard],
        reel: graph.Reel | None,
        burn: bool,
    ) -> Path:
        clips = [(clip.path, scan) for clip, scan in zip(self.spec.clips, scans, strict=True)]
        self.progress.report(self.progress.done, STAGES[1])
        runs = [piece.copy for piece in pieces]  # the runs of GOPs copied from the clips
        if reel is not None:
            pieces = self._encode_reel(pieces, reel, clips, cards, name="reel")
        if burn:
            pieces = self._burn_runs(pieces, runs, clips, cards)
        files = [
            None if piece.copy else self.work / f"piece-{number:04d}.mp4"
            for number, piece in enumerate(pieces)
        ]
        sources = [
            graph.Source(clip.path, native=graph.is_native(scan, self.canvas))
            for clip, scan in zip(self.spec.clips, scans, strict=True)
        ]
        for piece, output in zip(pieces, files, strict=True):
            if output is not None:
                node = graph.encode_piece(
                    piece, sources=sources, canvas=self.canvas, cards=cards, output=output
                )
                self._step(node, STAGES[1], self._piece_units(piece), piece.frames / self.spec.fps)
        concat = self.work / "pieces.ffconcat"
        concat.write_text(graph.concat_list(pieces, files, fps=self.spec.fps, clips=clips))
        return concat

    def _burn_runs(
        self,
        pieces: list[graph.Piece],
        runs: list[bool],
        clips: list[tuple[Path, graph.ClipScan]],
        cards: dict[int, CaptionCard],
    ) -> list[graph.Piece]:
        """The runs of GOPs re-encoded with their captions, in a reel of their own at the
        full encoder settings (or a run each if a run cannot be read exactly)."""
        pieces = [
            dataclasses.replace(piece, copy=not run)
            for piece, run in zip(pieces, runs, strict=True)
        ]
        reel = graph.plan_reel(pieces, [scan for _, scan in clips])
        if reel is None:
            return pieces
        return self._encode_reel(pieces, reel, clips, cards, name="runs", quick=False)

    def _encode_reel(
        self,
        pieces: list[graph.Piece],
        reel: graph.Reel,
        clips: list[tuple[Path, graph.ClipScan]],
        cards: dict[int, CaptionCard],
        *,
        name: str,
        quick: bool = True,
    ) -> list[graph.Piece]:
        """Encode the plan's encoded pieces in one reel (see graph.Reel), add the reel to
        `clips` and return the plan with every piece copied, from its clip or the reel."""
        if not reel.pieces:
            return pieces
        sides = [self.work / f"{name}-outgoing.ffconcat", self.work / f"{name}-incoming.ffconcat"]
        for side, script in zip(
            sides, graph.reel_sides(reel, fps=self.spec.fps, clips=clips), strict=True
        ):
            side.write_text(script)
        output = self.work / f"{name}.mp4"
        node = graph.encode_reel(
            reel,
            outgoing=sides[0],
            incoming=sides[1],
            canvas=self.canvas,
            cards=cards,
            output=output,
            quick=quick,
        )
        self._step(node, STAGES[1], self._reel_units(reel) - RUN_COST, reel.frames / self.spec.fps)
        scan = self._scan_files([output], f"scan-{name}")[0]
        self._advance(RUN_COST)
        if scan.frames != reel.frames or not set(reel.starts) <= set(scan.keyframes):
            raise CompositionError("The film could not be rendered: its joins came out misaligned.")
        clips.append((output, scan))
        return graph.reel_copies(pieces, reel, clip=len(clips) - 1)

    def _audio_bed(self) -> Path:
        """The bed measured, levelled and encoded (runs beside the joining: no progress)."""
        loudness = None
        if self.spec.audio_path is not None:
            node = compose_audio.measure(self.spec.audio_path, duration=self.duration)
            loudness = compose_audio.parse_measurement(self._run(node, log_level="info"))
        stream = compose_audio.levelled(
            self.spec.audio_path,
            duration=self.duration,
            loudness=loudness,
            target_lufs=self.spec.loudness_lufs,
            volume=self.spec.audio_volume,
        )
        bed = self.work / "bed.m4a"
        self._run(compose_audio.encode(stream, bed))
        return bed

    def _finish(self, concat: Path, bed: Path) -> None:
        self._advance(RUN_COST + self.frames * AUDIO_FRAME_COST)
        film = self.work / FILM_NAME
        node = graph.mux(concat, bed, frames=self.frames, output=film)
        self._step(node, STAGES[4], RUN_COST + self.frames * MUX_FRAME_COST, self.duration)
        at = min(POSTER_SECONDS, math.floor(self.frames / 2) / self.spec.fps)
        self._step(
            graph.poster(film, at=at, output=self.work / POSTER_NAME), STAGES[4], RUN_COST, 0
        )

    @property
    def duration(self) -> float:
        return self.frames / self.spec.fps

    def _step(self, node, stage: str, units: float, seconds: float, log_level="error") -> str:
        """Run one FFmpeg command as `units` of the remaining work, reporting as it goes."""
        share = (100 - PREPARING_PERCENT) * units / self.units
        start = self.progress.done

        def on_time(at: float) -> None:
            fraction = min(1.0, at / seconds) if seconds > 0 else 0.0
            self.progress.report(start + share * fraction, stage)

        on_time(0)
        stderr = self._run(node, log_level=log_level, on_time=on_time)
        self._advance(units)
        return stderr

    def _advance(self, units: float) -> None:
        self.progress.done += (100 - PREPARING_PERCENT) * units / self.units

    def _run(self, node, *, log_level: str = "error", on_time=None) -> str:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise CompositionError("Composing took too long; try fewer or shorter scenes.")
        args = node.get_args()
        started, before = time.monotonic(), _children_cpu()
        try:
            stderr = ffmpeg.run_ffmpeg_with_progress(
                args,
                on_time=on_time or (lambda at: None),
                cancel=self.cancel,
                timeout=remaining,
                log_level=log_level,
            )
        except ffmpeg.FFmpegCancelled:
            raise
        except ffmpeg.FFmpegError as error:
            raise CompositionError(f"The film could not be rendered: {error}") from error
        logger.debug(
            "ffmpeg %s: %.2f s wall, %.2f s CPU",
            Path(args[-1]).name,
            time.monotonic() - started,
            _children_cpu() - before,
        )
        return stderr


class _Stop:
    """What stops the job's FFmpeg runs: the caller's cancel, or the job itself, which stops
    the audio runs when the joining fails. Only a caller's cancel counts as cancelling."""

    def __init__(self, cancel: threading.Event | None) -> None:
        self.cancel = cancel
        self.own = threading.Event()

    def is_set(self) -> bool:
        return self.own.is_set() or (self.cancel is not None and self.cancel.is_set())

    def stop_own_runs(self) -> None:
        self.own.set()


def _children_cpu() -> float:
    """CPU seconds (user + system) of the finished child processes, FFmpeg's included."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
