"""What the article page's player needs: the file to play (or why there is none), its
poster, the caption and chapter tracks, or an external host's video behind a consent click."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app, url_for

from app.kb.media import rules, services


def player_state(article) -> dict:
    """The player's sources for ``article`` (a video article).

    Keys: ``src``, ``webm``, ``poster`` (URLs or None), ``captions``, ``chapters`` (track URLs),
    ``embed_url`` (an allowed host's page, loaded only after a click), ``file_missing`` and
    ``poster_missing`` (nothing to play), ``missing_reason`` (for staff: what to do).
    """
    video = article.video or {}
    state = {
        "src": None, "webm": None, "poster": None, "embed_url": None,
        "file_missing": False, "poster_missing": False, "missing_reason": None,
        "captions": url_for("kb_media.captions", slug=article.slug),
        "chapters": url_for("kb_media.chapters", slug=article.slug),
    }  # fmt: skip
    embed = video.get("embed") or ""
    if embed and urlsplit(embed).netloc in current_app.config["VIDEO_EMBED_HOSTS"]:
        state["embed_url"] = embed
        return state
    playing = services.current_file(article)
    if playing is not None:
        state["src"] = url_for("kb_media.media_file", key=playing.mp4_key)
        if playing.webm_key:
            state["webm"] = url_for("kb_media.media_file", key=playing.webm_key)
        if playing.poster_key:
            state["poster"] = url_for("kb_media.media_file", key=playing.poster_key)
        return state
    # A file named in the front matter under static/ (kept for content written that way).
    for key, missing in (("src", "file_missing"), ("poster", "poster_missing")):
        value = video.get(key) or ""
        exists = bool(value)
        if value.startswith("/static/"):
            exists = Path(current_app.static_folder, value.removeprefix("/static/")).is_file()
        state[key] = value if exists else None
        state[missing] = not exists
    if state["file_missing"]:
        tools = services.current_tools()
        state["missing_reason"] = (
            "Run flask content videos build to generate it (or upload a file)."
            if tools.available() and tools.speech_available()
            else "ffmpeg and espeak-ng are not installed on this server "
            "(apt-get install -y ffmpeg espeak-ng), so the starter video can't be generated; "
            "an uploaded video needs ffmpeg too."
        )
    return state


def transcript_moments(article_ids: list[int], words: list[str]) -> dict[int, int]:
    """For search hits: article id → the second of its transcript a search for ``words`` is
    about (videos whose transcript holds one of the words only)."""
    from sqlalchemy import select

    from app.extensions import db
    from app.kb.models import Article

    if not article_ids or not words:
        return {}
    moments = {}
    query = select(Article).where(Article.id.in_(article_ids), Article.type == "video")
    for article in db.session.scalars(query):
        cues = (article.structure or {}).get("cues") or []
        moment = rules.moment_of(cues, words, (article.video or {}).get("chapters") or [])
        if moment is not None:
            moments[article.id] = moment
    return moments


def articles_of_media(key: str) -> list:
    """The articles whose ready video files include the stored file ``key`` (its MP4, WebM or
    poster): whoever may read one of them may fetch it, nobody else."""
    from sqlalchemy import or_, select

    from app.extensions import db
    from app.kb.media.models import VideoFile
    from app.kb.models import Article

    uses = select(VideoFile.article_id).where(
        VideoFile.status == "ready",
        or_(VideoFile.mp4_key == key, VideoFile.webm_key == key, VideoFile.poster_key == key),
    )
    return list(db.session.scalars(select(Article).where(Article.id.in_(uses))))
