"""Pure rules of the video pipeline: WebVTT captions and chapters from a transcript, what an
uploaded file may be (from ffprobe's report, never from its name), the web size to transcode
to, ffmpeg's progress lines and the fingerprint of a starter video's inputs.

No Flask, no database, no clock, no files.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from app.errors import DomainError

#: Containers ffprobe may report for an upload (its ``format_name``, comma-separated aliases).
ALLOWED_CONTAINERS = {"mov", "mp4", "m4a", "3gp", "3g2", "mj2", "matroska", "webm"}
#: Video codecs we accept as input; everything is transcoded to H.264 anyway, so this list is
#: about what real cameras and screen recorders produce, not about what browsers play.
ALLOWED_VIDEO_CODECS = {"h264", "hevc", "vp8", "vp9", "av1", "mpeg4", "prores"}
ALLOWED_AUDIO_CODECS = {"aac", "mp3", "opus", "vorbis", "pcm_s16le", "pcm_s24le", "alac", "ac3"}
#: Cue text that would end a cue or open a tag in WebVTT.
_VTT_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))
_PROGRESS_RE = re.compile(r"^out_time_(?:us|ms)=(\d+)$")


class VideoRejected(DomainError):
    """An uploaded file that is not a video we can serve; the message says why."""


@dataclass(frozen=True)
class Limits:
    """What an upload may be (from the ``KB_VIDEO_*`` settings)."""

    max_seconds: int
    max_width: int
    max_height: int
    max_bytes: int


@dataclass(frozen=True)
class ProbedVideo:
    """What ffprobe found in an accepted file."""

    container: str
    video_codec: str
    audio_codec: str | None
    width: int
    height: int
    duration: float


# --- WebVTT -----------------------------------------------------------------------------------


def vtt_timestamp(seconds: float) -> str:
    """``hh:mm:ss.mmm`` (WebVTT allows ``mm:ss.mmm`` too; the long form is never ambiguous)."""
    millis = max(0, round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def vtt_text(text: str) -> str:
    """Cue text as WebVTT text: markup shown as written, no line that ends the cue.

    ``&``, ``<`` and ``>`` become character references (so ``-->`` cannot end a timing line and
    ``<b>`` is shown, not applied); line breaks become spaces, since a blank line ends a cue.
    """
    text = " ".join(str(text).split())
    for raw, escaped in _VTT_ESCAPES:
        text = text.replace(raw, escaped)
    return text


def _cue_spans(starts: list[int], duration: int) -> list[tuple[int, int]]:
    """Each start with the next start (or the end of the video) as its end; a cue that would
    be empty (two lines at the same second, a line at the very end) lasts one second."""
    spans = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else max(duration, start + 1)
        spans.append((start, max(end, start + 1)))
    return spans


def captions_vtt(cues: list, duration: int) -> str:
    """The captions file of a transcript.

    :param cues: ``app.kb.rules.Cue`` items or mappings with ``seconds`` and ``text``.
    :param duration: the video's length in seconds (the last cue ends there).
    """
    items = [(_get(cue, "seconds"), _get(cue, "text")) for cue in cues]
    spans = _cue_spans([seconds for seconds, _ in items], duration)
    blocks = ["WEBVTT"]
    for number, ((start, end), (_, text)) in enumerate(zip(spans, items, strict=True), 1):
        blocks.append(
            f"{number}\n{vtt_timestamp(start)} --> {vtt_timestamp(end)}\n{vtt_text(text)}"
        )
    return "\n\n".join(blocks) + "\n"


def chapters_vtt(chapters: list[dict], duration: int) -> str:
    """The chapters track (``<track kind="chapters">``): one cue per chapter, titled."""
    spans = _cue_spans([chapter["start"] for chapter in chapters], duration)
    blocks = ["WEBVTT"]
    for number, ((start, end), chapter) in enumerate(zip(spans, chapters, strict=True), 1):
        blocks.append(
            f"chapter-{number}\n{vtt_timestamp(start)} --> {vtt_timestamp(end)}\n"
            f"{vtt_text(chapter['title'])}"
        )
    return "\n\n".join(blocks) + "\n"


def _get(item, name):
    return item[name] if isinstance(item, dict) else getattr(item, name)


def moment_of(cues: list, words: list[str], chapters: list | None = None) -> int | None:
    """The second of a video a search for ``words`` is about: where a search hit inside a
    transcript should start playing.

    A chapter whose title holds the words wins (a chapter is about its title; a line may only
    mention it in passing), else the transcript line. A word matches a word it begins, in any
    case ("harvest" finds "harvests"); rarer words count more (a word in few lines says more
    than "app"); the earliest of the best wins; words under three letters are ignored.
    """
    needles = sorted({word.lower() for word in words if len(word.strip()) >= 3})
    if not needles:
        return None
    for items, text_key, time_key in (
        (chapters or [], "title", "start"),
        (cues, "text", "seconds"),
    ):
        best = _best_match([_get(item, text_key) for item in items], needles)
        if best is not None:
            return int(_get(items[best], time_key))
    return None


def _best_match(texts: list[str], needles: list[str]) -> int | None:
    lines = [set(re.findall(r"\w+", text.lower())) for text in texts]
    found = {
        needle: {i for i, tokens in enumerate(lines) if any(t.startswith(needle) for t in tokens)}
        for needle in needles
    }
    best, best_score = None, 0.0
    for index in range(len(texts)):
        score = sum(1 / len(hits) for hits in found.values() if index in hits)
        if score > best_score:
            best, best_score = index, score
    return best


# --- Uploads ----------------------------------------------------------------------------------


def check_probe(report: dict | None, size: int, limits: Limits) -> ProbedVideo:
    """Accept or refuse an upload from ffprobe's JSON report (``-show_format -show_streams``).

    :param size: the file's size in bytes.
    :raises VideoRejected: not a video container, no video stream, an unknown codec, too big,
        too long, too wide, or a length that cannot be read (a truncated file).
    """
    if size > limits.max_bytes:
        raise VideoRejected(
            f"The file is {size / 1e6:.0f} MB; the limit is {limits.max_bytes / 1e6:.0f} MB.",
            field="video",
        )
    if not report or "format" not in report:
        raise VideoRejected("This file is not a video we can read.", field="video")
    container = str(report["format"].get("format_name", ""))
    if not set(container.split(",")) & ALLOWED_CONTAINERS:
        raise VideoRejected("This file is not an MP4, MOV, WebM or MKV video.", field="video")
    streams = report.get("streams") or []
    videos = [s for s in streams if s.get("codec_type") == "video" and not _is_cover(s)]
    audios = [s for s in streams if s.get("codec_type") == "audio"]
    if not videos:
        raise VideoRejected("The file has no video picture.", field="video")
    video = videos[0]
    codec = str(video.get("codec_name", ""))
    if codec not in ALLOWED_VIDEO_CODECS:
        raise VideoRejected(
            f"Video in {codec or 'an unknown format'} is not supported.", field="video"
        )
    audio_codec = str(audios[0].get("codec_name", "")) if audios else None
    if audio_codec is not None and audio_codec not in ALLOWED_AUDIO_CODECS:
        raise VideoRejected(f"Sound in {audio_codec} is not supported.", field="video")
    width, height = int(video.get("width") or 0), int(video.get("height") or 0)
    if width <= 0 or height <= 0:
        raise VideoRejected("The video's picture size cannot be read.", field="video")
    if width > limits.max_width or height > limits.max_height:
        raise VideoRejected(
            f"The picture is {width}×{height}; the largest accepted is "  # noqa: RUF001
            f"{limits.max_width}×{limits.max_height}.",  # noqa: RUF001
            field="video",
        )
    duration = _duration(report["format"], video)
    if duration is None or duration <= 0:
        raise VideoRejected(
            "The video's length cannot be read (is the file complete?).", field="video"
        )
    if duration > limits.max_seconds:
        raise VideoRejected(
            f"The video is {duration / 60:.0f} minutes long; the limit is "
            f"{limits.max_seconds / 60:.0f} minutes.",
            field="video",
        )
    return ProbedVideo(container, codec, audio_codec, width, height, duration)


def _is_cover(stream: dict) -> bool:
    """An embedded cover picture (a music file's artwork) is a video stream of one frame."""
    return bool((stream.get("disposition") or {}).get("attached_pic"))


def _duration(fmt: dict, video: dict) -> float | None:
    for value in (fmt.get("duration"), video.get("duration")):
        try:
            return float(value)
        except (TypeError, ValueError):
            continue
    return None


def web_size(width: int, height: int, max_height: int) -> tuple[int, int]:
    """The transcoded picture size: at most ``max_height`` lines, the aspect kept, both sides
    even (H.264 in 4:2:0 needs them even)."""
    if height > max_height:
        width, height = round(width * max_height / height), max_height
    return max(2, width - width % 2), max(2, height - height % 2)


def progress_seconds(line: str) -> float | None:
    """The position ffmpeg's ``-progress`` output reports on this line, in seconds."""
    match = _PROGRESS_RE.match(line.strip())
    return int(match.group(1)) / 1_000_000 if match else None


def progress_percent(done_seconds: float, total_seconds: float) -> int:
    if total_seconds <= 0:
        return 0
    return max(0, min(99, int(done_seconds * 100 / total_seconds)))


# --- Starter videos ---------------------------------------------------------------------------


def starter_fingerprint(slug: str, title: str, video: dict, transcript: str, version: str) -> str:
    """What a generated starter video depends on: its build skips the video while this stays."""
    inputs = {
        "slug": slug,
        "title": title,
        "duration": video.get("duration"),
        "chapters": video.get("chapters"),
        "transcript": transcript,
        "version": version,
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def speech_rate(words: int, seconds: float, normal: int = 165, fastest: int = 320) -> int:
    """The espeak-ng rate (words per minute) that fits a line into its slot of the video."""
    if seconds <= 0:
        return fastest
    needed = words * 60 / (seconds * 0.92)
    return int(min(fastest, max(normal, needed)))
