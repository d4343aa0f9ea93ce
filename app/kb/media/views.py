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
from werkzeug.exceptions import RequestedRangeNotSatisfiable

from app.accounts.permissions import require
from app.errors import DomainError, form_error
from app.kb.media import rules, services
from app.kb.media.forms import VideoUploadForm
from app.kb.media.storage import MediaNotFound, check_key
from app.kb.views import article_or_404
from app.models import utcnow
from app.outbox import commit

bp = Blueprint("kb_media", __name__)
#: A stored file's name is its content hash: it never changes, so browsers keep it a year.
IMMUTABLE = "public, max-age=31536000, immutable"
MEDIA_TYPES = {".mp4": "video/mp4", ".webm": "video/webm", ".jpg": "image/jpeg"}


@bp.route("/media/<key>")
def media_file(key: str):
    try:
        path = services.current_storage().local_path(check_key(key))
    except MediaNotFound:
        abort(404)
    suffix = Path(key).suffix
    if path is None or key.startswith("incoming/") or suffix not in MEDIA_TYPES:
        abort(404)
    # conditional=True: Range requests get 206 with Content-Range (seeking), If-None-Match 304.
    try:
        response = send_file(path, mimetype=MEDIA_TYPES[suffix], conditional=True, etag=key)
    except RequestedRangeNotSatisfiable:
        # Answered here: the site's error page would drop the Content-Range a player reads.
        return Response(status=416, headers={"Content-Range": f"bytes */{path.stat().st_size}"})
    response.headers["Cache-Control"] = IMMUTABLE
    response.headers["Accept-Ranges"] = "bytes"
    return response


def _video_article(slug: str):
    article = article_or_404(slug)
    if article.type != "video":
        abort(404)
    return article


def _vtt(text: str) -> Response:
    response = Response(text, mimetype="text/vtt")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.route("/articles/<slug>/captions.vtt")
def captions(slug: str):
    article = _video_article(slug)
    cues = article.structure.get("cues") or []
    return _vtt(rules.captions_vtt(cues, _duration(article)))


@bp.route("/articles/<slug>/chapters.vtt")
def chapters(slug: str):
    article = _video_article(slug)
    return _vtt(rules.chapters_vtt(article.video.get("chapters") or [], _duration(article)))


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
