"""Video routes: the media files (range requests, cached by content hash), an article's
captions and chapters as WebVTT, and the staff page to upload a video and follow its
processing."""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from werkzeug.datastructures import ContentRange
from werkzeug.exceptions import RequestedRangeNotSatisfiable

from app.accounts.permissions import require
from app.errors import DomainError, form_error
from app.kb.media import queries, rules, services
from app.kb.media.forms import VideoUploadForm
from app.kb.media.storage import MediaNotFound, check_key
from app.kb.views import article_or_404
from app.kb.visibility import PUBLIC, can_read
from app.models import utcnow
from app.outbox import commit

bp = Blueprint("kb_media", __name__)
#: A stored file's name is its content hash: it never changes, so browsers keep it a year.
IMMUTABLE = "public, max-age=31536000, immutable"
PRIVATE = "private, max-age=31536000, immutable"
MEDIA_TYPES = {".mp4": "video/mp4", ".webm": "video/webm", ".jpg": "image/jpeg"}


@bp.route("/media/<key>")
def media_file(key: str):
    suffix = Path(key).suffix
    try:
        check_key(key)
    except MediaNotFound:
        abort(404)
    if key.startswith("incoming/") or suffix not in MEDIA_TYPES:
        abort(404)
    # A file is its articles': an internal article's video is as private as its text (404),
    # and a file no article plays is nobody's.
    readers = [a for a in queries.articles_of_media(key) if can_read(current_user, a)]
    if not readers:
        abort(404)
    shared = any(article.visibility == PUBLIC for article in readers)
    storage = services.current_storage()
    path = storage.local_path(key)
    try:
        if path is not None:
            response = _send_local(path, key, MEDIA_TYPES[suffix])
        else:
            response = _send_remote(storage, key, MEDIA_TYPES[suffix])
    except MediaNotFound:
        abort(404)
    # Only a public article's file may sit in shared caches; an internal one stays in the
    # reader's own browser (still a year: the name is the content hash).
    response.headers["Cache-Control"] = IMMUTABLE if shared else PRIVATE
    response.headers["Accept-Ranges"] = "bytes"
    return response


def _send_local(path: Path, key: str, mimetype: str) -> Response:
    # conditional=True: Range requests get 206 with Content-Range (seeking), If-None-Match 304.
    try:
        return send_file(path, mimetype=mimetype, conditional=True, etag=key)
    except RequestedRangeNotSatisfiable:
        # Answered here: the site's error page would drop the Content-Range a player reads.
        return Response(status=416, headers={"Content-Range": f"bytes */{path.stat().st_size}"})


def _send_remote(storage, key: str, mimetype: str) -> Response:
    """A bucket's file proxied with the same answers as ``send_file``: 304 for a known ETag,
    206 with ``Content-Range`` for one byte range, 416 past the end, 200 for the whole."""
    size = storage.size(key)
    if request.if_none_match.contains(key):
        response = Response(status=304)
        response.set_etag(key)
        return response
    start, stop, status = 0, size, 200
    # If-Range with another validator means "send it all": the file may have changed.
    wanted = request.range is not None and (
        "If-Range" not in request.headers or request.if_range.etag == key
    )
    if wanted:
        span = request.range.range_for_length(size)
        if span is None:
            return Response(status=416, headers={"Content-Range": f"bytes */{size}"})
        (start, stop), status = span, 206
    body = storage.read(key, start, stop) if stop > start else iter(())
    response = Response(body, status=status, mimetype=mimetype, direct_passthrough=True)
    response.content_length = stop - start
    if status == 206:
        response.content_range = ContentRange("bytes", start, stop, size)
    response.set_etag(key)
    return response


def _video_article(slug: str):
    article = article_or_404(slug)
    if article.type != "video":
        abort(404)
    return article


def _vtt(text: str, article) -> Response:
    response = Response(text, mimetype="text/vtt")
    # An internal article's transcript must not sit in a shared cache either.
    scope = "public" if article.visibility == PUBLIC else "private"
    response.headers["Cache-Control"] = f"{scope}, max-age=300"
    return response


@bp.route("/articles/<slug>/captions.vtt")
def captions(slug: str):
    article = _video_article(slug)
    cues = article.structure.get("cues") or []
    return _vtt(rules.captions_vtt(cues, _duration(article)), article)


@bp.route("/articles/<slug>/chapters.vtt")
def chapters(slug: str):
    article = _video_article(slug)
    chapters = article.video.get("chapters") or []
    return _vtt(rules.chapters_vtt(chapters, _duration(article)), article)


def _duration(article) -> int:
    playing = services.current_file(article)
    if playing is not None and playing.duration:
        return round(playing.duration)
    return int(article.video.get("duration") or 0)


@bp.route("/articles/<slug>/video", methods=["GET", "POST"])
@require("kb.edit")
def video_page(slug: str):
    article = _video_article(slug)
    form = VideoUploadForm()
    status = 200
    if form.validate_on_submit():
        upload = form.video.data
        with tempfile.TemporaryDirectory(prefix="kb-upload-") as scratch:
            saved = Path(scratch, "upload")
            upload.save(saved)
            try:
                services.queue_upload(article, current_user, saved, upload.filename or "", utcnow())
            except DomainError as error:
                form_error(form, error)
                status = 422
            else:
                commit()
                return redirect(url_for("kb_media.video_page", slug=slug), code=303)
    elif request.method == "POST":
        status = 422
    return render_template(
        "kb/video_files.html",
        article=article,
        form=form,
        files=services.recent_files(article),
        playing=services.current_file(article),
        tools_ready=services.current_tools().available(),
        max_mb=current_app.config["KB_VIDEO_MAX_UPLOAD_MB"],
    ), status


@bp.route("/articles/<slug>/video/status")
@require("kb.edit")
def video_status(slug: str):
    """The processing state for the staff page's progress display (polled by video.js)."""
    article = _video_article(slug)
    return jsonify(
        files=[
            {"id": f.id, "status": f.status, "progress": f.progress, "error": f.error}
            for f in services.recent_files(article)
        ]
    )


def allow_large_upload() -> None:
    """Let the upload route take a video past ``MAX_CONTENT_LENGTH`` (meant for forms). Runs
    before the CSRF check, which reads the form and would refuse the body first."""
    if request.endpoint == "kb_media.video_page" and request.method == "POST":
        request.max_content_length = current_app.config["KB_VIDEO_MAX_UPLOAD_MB"] * 1024 * 1024
