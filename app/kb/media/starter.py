"""``flask content videos build``: the starter videos, made from their own transcripts.

Each chapter becomes a title card (ffmpeg ``drawtext`` on a coloured background), each
transcript line is narrated by espeak-ng and placed at its time stamp, and the captions go into
the MP4 as a subtitle track too. Small and cheap on purpose (640 by 360, 5 frames a second: the
picture only changes at chapters). A video whose inputs did not change is skipped.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from app.kb import rules as kb_rules
from app.kb.media import rules, services
from app.kb.media.models import VideoFile
from app.kb.media.tools import Tools
from app.kb.models import Article

#: Bump when the look or the sound of the generated videos changes: every video is rebuilt.
BUILDER_VERSION = "1"
SIZE = (640, 360)
FPS = 5
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def starter_articles(slugs: tuple[str, ...] = ()) -> list[Article]:
    """Live video articles that play a file of their own (not an external embed)."""
    query = select(Article).where(Article.type == "video", Article.is_archived.is_(False))
    if slugs:
        query = query.where(Article.slug.in_(slugs))
    return [a for a in db.session.scalars(query.order_by(Article.slug)) if not a.video.get("embed")]


def fingerprint(article: Article) -> str:
    return rules.starter_fingerprint(
        article.slug, article.title, article.video, article.transcript, BUILDER_VERSION
    )


def is_current(article: Article) -> bool:
    return (
        db.session.scalars(
            select(VideoFile.id).where(
                VideoFile.article_id == article.id,
                VideoFile.origin == "starter",
                VideoFile.status == "ready",
                VideoFile.fingerprint == fingerprint(article),
            )
        ).first()
        is not None
    )


def build(article: Article, tools: Tools, now: datetime, say: Callable[[str], None]) -> VideoFile:
    """Render, check and store one starter video; flushes its ready row."""
    duration = int(article.video.get("duration") or 0)
    cues = kb_rules.parse_transcript(article.transcript)
    if not duration:
        duration = (cues[-1].seconds + 5) if cues else 10
    chapters = article.video.get("chapters") or [{"start": 0, "title": article.title}]
    with tempfile.TemporaryDirectory(prefix="kb-starter-") as scratch:
        work = Path(scratch)
        say(f"{article.slug}: narrating {len(cues)} line(s)")
        narration = _narrate(tools, cues, duration, work)
        captions = work / "captions.vtt"
        captions.write_text(rules.captions_vtt(cues, duration), encoding="utf-8")
        mp4 = work / "video.mp4"
        say(f"{article.slug}: rendering {duration} s of title cards")
        tools.run_ffmpeg(
            ["-f", "lavfi", "-i", f"color=c=0x1f4d2b:s={SIZE[0]}x{SIZE[1]}:r={FPS}:d={duration}",
             "-protocol_whitelist", "file", "-i", str(narration),
             "-protocol_whitelist", "file", "-i", str(captions),
             "-vf", _cards_filter(article.title, chapters, duration, work),
             "-map", "0:v", "-map", "1:a", "-map", "2:s",
             "-c:v", "libx264", "-preset", "veryfast", "-tune", "stillimage", "-crf", "28",
             "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k", "-ac", "1",
             "-c:s", "mov_text", "-metadata:s:s:0", "language=eng",
             "-t", str(duration), "-movflags", "+faststart", str(mp4)],
            total=duration, on_progress=lambda p: None,
        )  # fmt: skip
        checked = rules.check_probe(
            tools.probe(mp4),
            mp4.stat().st_size,
            rules.Limits(max_seconds=duration + 5, max_width=SIZE[0], max_height=SIZE[1],
                         max_bytes=1 << 30),
        )  # fmt: skip
        poster = work / "poster.jpg"
        tools.run_ffmpeg(["-ss", "1", "-i", str(mp4), "-frames:v", "1", "-q:v", "4", str(poster)])
        keys = services.store_results(
            services.current_storage(), services.Result(mp4, poster, None, checked)
        )
    video = VideoFile(
        article_id=article.id, origin="starter", status="ready", progress=100,
        original_name=f"{article.slug}.mp4", fingerprint=fingerprint(article),
        mp4_key=keys[0], webm_key=None, poster_key=keys[2], duration=checked.duration,
        width=checked.width, height=checked.height, created_at=now, finished_at=now,
    )  # fmt: skip
    db.session.add(video)
    db.session.flush()
    return video


def _narrate(tools: Tools, cues: list, duration: int, work: Path) -> Path:
    """One WAV track: each line spoken at its time stamp, cut at the next line's."""
    inputs, filters = [], []
    for index, cue in enumerate(cues):
        end = cues[index + 1].seconds if index + 1 < len(cues) else duration
        slot = max(0.5, end - cue.seconds)
        wav = work / f"line-{index}.wav"
        tools.speak(cue.text, rules.speech_rate(len(cue.text.split()), slot), wav)
        inputs += ["-protocol_whitelist", "file", "-i", str(wav)]
        delay = cue.seconds * 1000
        filters.append(f"[{index}:a]atrim=0:{slot:.2f},adelay={delay}:all=1[a{index}]")
    track = work / "narration.wav"
    if not cues:
        tools.run_ffmpeg(
            ["-f", "lavfi", "-i", f"anullsrc=r=22050:cl=mono:d={duration}", str(track)]
        )
        return track
    mix = "".join(f"[a{i}]" for i in range(len(cues)))
    graph = (
        ";".join(filters)
        + f";{mix}amix=inputs={len(cues)}:normalize=0,apad=whole_dur={duration}[out]"
    )
    tools.run_ffmpeg(
        [*inputs, "-filter_complex", graph, "-map", "[out]", "-t", str(duration), str(track)]
    )
    return track


def _cards_filter(title: str, chapters: list[dict], duration: int, work: Path) -> str:
    """The title cards as drawtext filters. Each text is read from a file of its own
    (``textfile``, ``expansion=none``), so no title can break out of the filter graph."""
    texts: list[Path] = []

    def text(value: str) -> str:
        path = work / f"text-{len(texts)}.txt"
        path.write_text(value, encoding="utf-8")
        texts.append(path)
        return f"textfile={path}:expansion=none"

    parts = [
        f"drawtext=fontfile={FONT}:{text(title)}:fontcolor=0xd9f2d9:fontsize=20"
        ":x=(w-text_w)/2:y=40",
        f"drawtext=fontfile={FONT}:{text('GrowgrEbuddy Help Center')}:fontcolor=0x9cc79c"
        ":fontsize=14:x=(w-text_w)/2:y=h-40",
    ]
    starts = [chapter["start"] for chapter in chapters]
    for index, chapter in enumerate(chapters):
        end = starts[index + 1] if index + 1 < len(starts) else duration
        enable = f":enable='between(t,{chapter['start']},{end - 0.001})'"
        label = f"Chapter {index + 1} of {len(chapters)}"
        parts.append(
            f"drawtext=fontfile={FONT}:{text(label)}:fontcolor=0x9cc79c"
            f":fontsize=18:x=(w-text_w)/2:y=130{enable}"
        )
        parts.append(
            f"drawtext=fontfile={FONT_BOLD}:{text(chapter['title'])}"
            f":fontcolor=white:fontsize=34:x=(w-text_w)/2:y=(h-text_h)/2+10{enable}"
        )
    return ",".join(parts)
