"""The video pipeline's operations: take an upload, process it in the background (validate,
transcode to H.264/AAC MP4 with ``faststart``, cut a poster, store by content hash), and store
finished files (the starter videos use that last step too).

An upload is checked with ffprobe before it is accepted (the person sees why a file is refused
next to the field); the transcode runs from the outbox (``video`` events, ``flask outbox
drain`` or ``flask content videos process``), so a page never waits for ffmpeg.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update

from app.extensions import db
from app.kb.media import rules
from app.kb.media.models import VideoFile
from app.kb.media.storage import LocalStorage, MediaStorage
from app.kb.media.tools import ToolFailed, Tools, tools_from_config
from app.models import utcnow
from app.outbox import record

log = logging.getLogger(__name__)
EVENT_KIND = "video"
#: Who else hears of a job's progress (``flask content videos process`` prints it).
progress_listener: ContextVar[Callable[[int, int], None] | None] = ContextVar(
    "video_progress_listener", default=None
)


def current_storage() -> MediaStorage:
    config = current_app.config
    if config["KB_MEDIA_STORAGE"] == "s3":
        # Imported here: boto3 takes a noticeable while to load and local sites never need it.
        from app.kb.media.s3 import S3Storage

        return S3Storage(
            config["KB_S3_BUCKET"],
            prefix=config["KB_S3_PREFIX"],
            endpoint_url=config["KB_S3_ENDPOINT_URL"],
            region=config["KB_S3_REGION"],
            access_key=config["KB_S3_ACCESS_KEY_ID"],
            secret_key=config["KB_S3_SECRET_ACCESS_KEY"],
        )
    folder = current_app.config["KB_MEDIA_DIR"] or str(Path(current_app.instance_path, "media"))
    return LocalStorage(folder)


def current_tools() -> Tools:
    return tools_from_config(current_app.config)


def current_limits() -> rules.Limits:
    config = current_app.config
    return rules.Limits(
        max_seconds=config["KB_VIDEO_MAX_SECONDS"],
        max_width=config["KB_VIDEO_MAX_WIDTH"],
        max_height=config["KB_VIDEO_MAX_HEIGHT"],
        max_bytes=config["KB_VIDEO_MAX_UPLOAD_MB"] * 1024 * 1024,
    )


def content_key(path: Path, suffix: str) -> str:
    """The storage key of a finished file: its SHA-256, so a changed file is a new URL and
    every URL may be cached for a year."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest() + suffix


def queue_upload(article, user, source: Path, original_name: str, now: datetime) -> VideoFile:
    """Accept an uploaded file for ``article`` and queue its processing.

    :param source: the uploaded file, saved by the view.
    :raises rules.VideoRejected: not a video we accept (the message says why).
    """
    video = _accept(article, source, original_name, now, origin="upload")
    video.uploaded_by_id = user.id
    return video


def _accept(article, source: Path, original_name: str, now: datetime, *, origin: str):
    tools = current_tools()
    if not tools.available():
        raise rules.VideoRejected(
            "Video processing needs ffmpeg on this server (apt-get install ffmpeg).", field="video"
        )
    rules.check_probe(tools.probe(source), source.stat().st_size, current_limits())
    incoming = f"incoming/{uuid.uuid4().hex}"
    current_storage().put(source, incoming)
    video = VideoFile(
        article_id=article.id,
        origin=origin,
        status="queued",
        progress=0,
        original_name=original_name[:255],
        incoming_key=incoming,
        created_at=now,
    )
    db.session.add(video)
    db.session.flush()
    record(EVENT_KIND, {"video_file": video.id}, now)
    return video


def _update(file_id: int, **values) -> None:
    """Write the job's state in its own short transaction, so the staff page and the CLI see
    the progress while the job (whose own transaction commits only at the end) is running."""
    with db.engine.begin() as connection:
        connection.execute(update(VideoFile).where(VideoFile.id == file_id).values(**values))
    listener = progress_listener.get()
    if listener is not None and "progress" in values:
        listener(file_id, values["progress"])


def process_event(payload: dict) -> None:
    """Outbox handler of ``video`` events: process one queued file (a no-op once it's done)."""
    process(int(payload["video_file"]), utcnow())


def process(file_id: int, now: datetime) -> VideoFile | None:
    """Validate, transcode and store one queued upload; a refused file ends ``failed`` with
    the reason (the event is then done: a retry could not help)."""
    video = db.session.get(VideoFile, file_id)
    if video is None or video.status in ("ready", "failed"):
        return video
    _update(file_id, status="processing", progress=0, error=None)
    storage, tools, limits = current_storage(), current_tools(), current_limits()
    with tempfile.TemporaryDirectory(prefix="kb-video-") as scratch:
        work = Path(scratch)
        source = work / "source"
        try:
            storage.fetch(video.incoming_key or "", source)
            probed = rules.check_probe(tools.probe(source), source.stat().st_size, limits)
            result = transcode(tools, source, probed, work, lambda p: _update(file_id, progress=p))
            keys = store_results(storage, result)
        except (rules.VideoRejected, ToolFailed) as error:
            log.info("video file %s refused: %s", file_id, error)
            db.session.expire(video)
            video.status, video.error, video.finished_at = "failed", str(error), now
            _drop_incoming(storage, video)
            db.session.flush()
            return video
    db.session.expire(video)
    video.status, video.progress, video.finished_at = "ready", 100, now
    video.mp4_key, video.webm_key, video.poster_key = keys
    video.duration, video.width, video.height = result.duration, result.width, result.height
    _drop_incoming(storage, video)
    db.session.flush()
    return video


def _drop_incoming(storage: MediaStorage, video: VideoFile) -> None:
    if video.incoming_key:
        storage.delete(video.incoming_key)
        video.incoming_key = None


class Result:
    def __init__(self, mp4: Path, poster: Path, webm: Path | None, probed: rules.ProbedVideo):
        self.mp4, self.poster, self.webm = mp4, poster, webm
        self.duration, self.width, self.height = probed.duration, probed.width, probed.height


def transcode(tools: Tools, source: Path, probed: rules.ProbedVideo, work: Path, on_progress):
    """H.264/AAC MP4 (``faststart``: playable before it has fully loaded) at web size, a poster,
    and a WebM/VP9 copy when ``KB_VIDEO_WEBM`` is on; the result is checked with ffprobe."""
    width, height = rules.web_size(
        probed.width, probed.height, current_app.config["KB_VIDEO_WEB_HEIGHT"]
    )
    mp4 = work / "video.mp4"
    # -t: a file whose header lies about its length still cannot make ffmpeg run for hours.
    tools.run_ffmpeg(
        ["-protocol_whitelist", "file", "-i", str(source), "-map", "0:v:0", "-map", "0:a:0?",
         "-t", str(current_limits().max_seconds), "-vf", f"scale={width}:{height},format=yuv420p",
         "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-c:a", "aac", "-b:a", "128k",
         "-ac", "2", "-map_metadata", "-1", "-movflags", "+faststart", str(mp4)],
        total=probed.duration, on_progress=on_progress,
    )  # fmt: skip
    report = tools.probe(mp4)
    checked = rules.check_probe(report, mp4.stat().st_size, current_limits())
    webm = None
    if current_app.config["KB_VIDEO_WEBM"]:
        webm = work / "video.webm"
        tools.run_ffmpeg(
            ["-i", str(mp4), "-c:v", "libvpx-vp9", "-b:v", "0", "-crf", "33", "-deadline",
             "realtime", "-cpu-used", "8", "-row-mt", "1", "-c:a", "libopus", str(webm)]
        )  # fmt: skip
    poster = work / "poster.jpg"
    tools.run_ffmpeg(
        ["-ss", f"{min(1.0, checked.duration / 3):.2f}", "-i", str(mp4), "-frames:v", "1",
         "-q:v", "4", str(poster)]
    )  # fmt: skip
    return Result(mp4, poster, webm, checked)


def store_results(storage: MediaStorage, result: Result) -> tuple[str, str | None, str]:
    keys = []
    for path, suffix in ((result.mp4, ".mp4"), (result.webm, ".webm"), (result.poster, ".jpg")):
        if path is None:
            keys.append(None)
            continue
        key = content_key(path, suffix)
        if not storage.exists(key):
            storage.put(path, key)
        keys.append(key)
    return keys[0], keys[1], keys[2]


def current_file(article) -> VideoFile | None:
    """The file the article's page plays: its newest ready one."""
    return db.session.scalars(
        select(VideoFile)
        .where(VideoFile.article_id == article.id, VideoFile.status == "ready")
        .order_by(VideoFile.id.desc())
        .limit(1)
    ).first()


def recent_files(article, limit: int = 5) -> list[VideoFile]:
    return list(
        db.session.scalars(
            select(VideoFile)
            .where(VideoFile.article_id == article.id)
            .order_by(VideoFile.id.desc())
            .limit(limit)
        )
    )


def pending_ids() -> list[int]:
    return list(
        db.session.scalars(
            select(VideoFile.id).where(VideoFile.status.in_(("queued", "processing")))
        )
    )


def recent_all(limit: int = 50) -> list[VideoFile]:
    return list(db.session.scalars(select(VideoFile).order_by(VideoFile.id.desc()).limit(limit)))


#: A video file beside an article's Markdown (``content/.../<slug>.mp4``) is that article's.
CONTENT_SUFFIXES = (".mp4", ".mov", ".m4v", ".webm", ".mkv")


def queue_content_files(content_dir: str, now: datetime) -> tuple[list, list]:
    """Queue the video files placed beside video articles' Markdown in ``content_dir``, once
    per file content (a file already queued or processed is skipped).

    :returns: (queued, refused): ``(slug, file name)`` and ``(path, reason)`` pairs.
    """
    from app.kb.models import Article

    queued, refused = [], []
    articles = db.session.scalars(
        select(Article).where(Article.type == "video", Article.is_archived.is_(False))
    )
    for article in articles:
        if not article.source_path:
            continue
        markdown = Path(content_dir, article.source_path)
        for suffix in CONTENT_SUFFIXES:
            path = markdown.with_suffix(suffix)
            if not path.is_file():
                continue
            digest = content_key(path, "")
            seen = db.session.scalars(
                select(VideoFile.id).where(
                    VideoFile.article_id == article.id,
                    VideoFile.origin == "content",
                    VideoFile.fingerprint == digest,
                )
            ).first()
            if seen is not None:
                continue
            try:
                video = _accept(article, path, path.name, now, origin="content")
            except rules.VideoRejected as error:
                refused.append((str(path), error.message))
                continue
            video.fingerprint = digest
            queued.append((article.slug, path.name))
    return queued, refused
