"""The video files of an article: each upload or generated starter video is one row, from
"queued" to "ready" (or "failed" with the reason). The page plays the newest ready one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

STATUSES = ("queued", "processing", "ready", "failed")


class VideoFile(db.Model):
    __tablename__ = "kb_video_file"
    __table_args__ = (Index("ix_kb_video_file_article_status", "article_id", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_article.id", ondelete="CASCADE"))
    #: ``upload`` (staff page), ``content`` (a file beside the Markdown) or ``starter`` (built).
    origin: Mapped[str] = mapped_column(String(20))
    #: ``queued``, ``processing``, ``ready`` or ``failed``.
    status: Mapped[str] = mapped_column(String(20), default="queued")
    #: 0-100 while processing; written in its own transaction so pages see it move.
    progress: Mapped[int] = mapped_column(default=0)
    #: What went wrong, in words for the staff page (failed only).
    error: Mapped[str | None] = mapped_column(Text)
    #: The name the file had on the uploader's machine (shown, never used as a path).
    original_name: Mapped[str] = mapped_column(String(255), default="")
    #: Storage key of the untouched upload while it waits to be processed; removed afterwards.
    incoming_key: Mapped[str | None] = mapped_column(String(200))
    #: Starter videos: fingerprint of their inputs (transcript, chapters, builder version).
    fingerprint: Mapped[str | None] = mapped_column(String(64), index=True)
    #: Storage keys (content-hash names) of the results.
    mp4_key: Mapped[str | None] = mapped_column(String(200))
    webm_key: Mapped[str | None] = mapped_column(String(200))
    poster_key: Mapped[str | None] = mapped_column(String(200))
    #: What ffprobe read from the result (seconds, pixels).
    duration: Mapped[float | None]
    width: Mapped[int | None]
    height: Mapped[int | None]
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
