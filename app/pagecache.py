"""Whole-page cache for anonymous readers, conditional GET, compression and hashed static URLs.

Most of a help center's traffic is anonymous reading of pages that change rarely. A page whose
view is marked :func:`cacheable` is kept (Flask-Caching: ``SimpleCache`` in each process, or
Redis with ``CACHE_REDIS_URL``) and served again to the next anonymous reader without running
the view or touching the database.

Never cached, never served from the cache:
- anything but GET/HEAD, and any request of a signed-in user or one with a remember-me cookie;
- a request whose session holds anything but a CSRF token (a flash message, a visitor id that
  shows their own vote, a login): those pages are personal;
- a response that sets a cookie itself, or is not a 200 HTML page.

CSRF tokens: while a cacheable page renders, the token is a placeholder, so the stored page
holds nobody's token. Each reader gets their own in place of the placeholder when it is sent
(a reader without a session gets a new one, as an uncached page would give them).

Invalidation: every commit that changed a table readers see bumps one *content version* after
the commit (a file in the instance folder for the processes of one host, a Redis key shared by
all hosts with ``CACHE_REDIS_URL``), and the version is part of every key, so the next anonymous
GET after any edit, vote, comment, moderation or incident banner renders afresh, on every host.
Counters written in batches (page views) and the outbox's own bookkeeping do not bump it; the
home page's "popular" list may therefore lag by up to ``PAGE_CACHE_SECONDS``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
from collections.abc import Callable
from email.utils import formatdate
from pathlib import Path

from flask import Flask, current_app, g, request, session
from flask_caching import Cache
from flask_compress import Compress
from sqlalchemy import event as sa_event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from app.precompressed import gzip_with, prepare

log = logging.getLogger(__name__)

cache = Cache()
compress = Compress()

#: What a CSRF token renders as while a cacheable page is rendered (then replaced per reader).
TOKEN_PLACEHOLDER = "__csrf-token-placeholder-5f0c__"  # noqa: S105 (a marker, not a secret)
#: Tables whose writes never change what an anonymous reader sees: bookkeeping, counters,
#: tickets (signed-in pages only), sign-ins and people's own marks. A signed-in member reading a
#: thread writes read marks, and the ticket timer writes all day: neither may empty the cache.
UNSEEN_TABLES = frozenset(
    {
        "alembic_version", "outbox_event", "tally_batch", "kb_view_day", "search_query_log",
        "kb_guide_outcome", "kb_vote_salt", "ticket", "ticket_attachment", "ticket_deflection",
        "ticket_event", "ticket_message", "api_token", "login_session", "password_reset_token",
        "pending_registration", "tour_progress", "forum_read_mark", "forum_subscription",
        "wiki_watch", "forum_user_state",
        # The support team's own pages (signed-in staff only).
        "team_quiz_attempt", "team_weekly_meeting", "team_meeting_note", "team_action_item",
        "team_discussion_flag", "team_monthly_review", "team_review_decision",
        "team_workshop_attendance",
        # Channels, surveys and metrics: conversations and figures only their people and the
        # team see. The metrics rollup writes every minute and chat presence all day: neither
        # may empty the cache.
        "channel_identity", "channel_inbound", "chat_agent_presence", "chat_conversation",
        "chat_message", "social_account", "social_conversation", "social_delivery",
        "csat_answer", "csat_survey", "feedback_preference", "feedback_report_sent",
        "nps_invitation", "nps_wave", "incident_link", "incident_notice", "metrics_cursor",
        "metrics_day", "metrics_pulse_answer", "metrics_pulse_receipt", "metrics_quality_audit",
        "metrics_ticket", "metrics_session", "metrics_session_article", "metrics_session_salt",
        # Privacy requests: their person's and the admins' pages only; the timer writes them.
        "privacy_request",
        # Privacy's key to the ticket event log, empty outside erasure and retention.
        "ticket_event_unlock",
    }
)  # fmt: skip
#: Columns whose change alone readers never see (the time of a sign-in).
UNSEEN_COLUMNS = {"user_account": frozenset({"last_login_at"})}
#: Session keys an anonymous, cacheable request may carry: its CSRF token, and the marks
#: Flask-Login's session protection leaves on a session without a user.
ANONYMOUS_SESSION_KEYS = frozenset({"csrf_token", "_fresh", "_id"})
IMMUTABLE = "public, max-age=31536000, immutable"
#: Headers describing the body, which the encoded copy sets for itself.
_ENTITY_HEADERS = frozenset(
    {"content-length", "content-type", "content-encoding", "etag", "vary", "last-modified"}
)


def cacheable(view: Callable) -> Callable:
    """Mark a page view whose anonymous responses may be cached whole."""
    view.page_cacheable = True
    return view


def also_on_cached_views(hook: str, *args) -> None:
    """Ask for ``app.extensions["page_hit_hooks"][hook](*args)`` on every view of this page that
    the cache answers (a page-view count, for example), as this request ran it itself."""
    hooks = g.get("page_hit_hooks")
    if hooks is not None:
        hooks.append((hook, args))


# --- content version ----------------------------------------------------------------------


def _version_file(app: Flask) -> Path:
    return Path(app.instance_path) / "page-version"


def content_version() -> str:
    app = current_app
    if app.config.get("CACHE_REDIS_URL"):
        return cache.get("page-version") or "0"
    try:
        stat = _version_file(app).stat()
    except FileNotFoundError:
        return "0"
    return f"{stat.st_ino}-{stat.st_mtime_ns}"


def bump_content_version(app: Flask) -> None:
    """Make every cached page stale, in all processes and (with Redis) on all hosts."""
    if app.config.get("CACHE_REDIS_URL"):
        with app.app_context():
            cache.set("page-version", uuid.uuid4().hex, timeout=0)
        return
    target = _version_file(app)
    scratch = target.with_name(f"page-version.{os.getpid()}.{uuid.uuid4().hex}")
    scratch.write_text(uuid.uuid4().hex)
    os.replace(scratch, target)  # a new inode: readers see the change in one stat()


def _seen(obj, *, updated: bool) -> bool:
    table = getattr(obj, "__tablename__", None)
    if table in UNSEEN_TABLES:
        return False
    unseen = UNSEEN_COLUMNS.get(table)
    if not (updated and unseen):
        return True
    changed = {attr.key for attr in sa_inspect(obj).attrs if attr.history.has_changes()}
    return bool(changed - unseen)


def _note_changes(session: Session, _context, _instances) -> None:
    changes = [(obj, False) for obj in (*session.new, *session.deleted)]
    changes += [(obj, True) for obj in session.dirty]
    if any(_seen(obj, updated=updated) for obj, updated in changes):
        session.info["readers_see_changes"] = True


def _note_statement(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) not in UNSEEN_TABLES:
            state.session.info["readers_see_changes"] = True


def _after_commit(session: Session) -> None:
    if not session.info.pop("readers_see_changes", False):
        return
    try:
        app = current_app._get_current_object()
    except RuntimeError:  # no application: nothing is cached
        return
    if app.extensions.get("page_cache_on"):
        try:
            bump_content_version(app)
        except Exception:  # the change is committed; a stale page expires by itself
            log.exception("could not mark cached pages stale")


def _after_rollback(session: Session) -> None:
    session.info.pop("readers_see_changes", None)


# --- serving --------------------------------------------------------------------------------


def _reader_token() -> bytes:
    """This reader's CSRF token (a reader without a session gets one, as on any page)."""
    from flask_wtf.csrf import generate_csrf

    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    return generate_csrf().encode()


def _encoded_response(app: Flask, entry: dict):
    """The stored page for this reader: compressed when they accept it, from the copies made
    when it was stored (:mod:`app.precompressed`), with their CSRF token put in."""
    kept, offered = entry["encoded"], request.accept_encodings
    if "pieces" in kept:
        token = _reader_token()
        if offered["gzip"]:
            data, encoding = gzip_with(kept, token), "gzip"
        else:
            data, encoding = entry["body"].replace(TOKEN_PLACEHOLDER.encode(), token), None
    else:
        encoding = next((name for name in ("br", "gzip") if offered[name]), None)
        data = kept[encoding] if encoding else entry["body"]
    response = app.response_class(data, mimetype="text/html")
    if encoding:
        response.headers["Content-Encoding"] = encoding
    response.set_etag(f"{entry['etag']}-{encoding or 'identity'}")
    response.headers["Last-Modified"] = entry["last_modified"]
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.update(("Cookie", "Accept-Encoding"))
    return response


def _eligible(app: Flask) -> bool:
    if request.method not in ("GET", "HEAD") or request.endpoint is None:
        return False
    view = app.view_functions.get(request.endpoint)
    if not getattr(view, "page_cacheable", False):
        return False
    if app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies:
        return False
    return set(session.keys()) <= ANONYMOUS_SESSION_KEYS


def _page_key(app: Flask) -> str:
    path = request.full_path if request.query_string else request.path
    banner = app.config.get("SITE_ANNOUNCEMENT") or ""
    # Features whose page parts change without a content edit add their state here (the open
    # incident's banner): a page never shows another state's banner, and the key stays one
    # per state, so a banner does not defeat the cache.
    parts = "|".join(part() for part in app.extensions.get("page_key_parts", []))
    raw = f"{content_version()}|{banner}|{parts}|{request.method == 'HEAD'}|{path}"
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


def _personalise(body: bytes) -> bytes:
    """Put this reader's CSRF token where a page that is not stored holds the placeholder."""
    if TOKEN_PLACEHOLDER.encode() not in body:
        return body
    return body.replace(TOKEN_PLACEHOLDER.encode(), _reader_token())


def _before_request():
    app = current_app._get_current_object()
    if not _eligible(app):
        return None
    key = _page_key(app)
    entry = cache.get(key)
    if entry is None:
        g.page_cache_key = key
        g.page_hit_hooks = []
        # generate_csrf() returns what g holds: the page renders the placeholder.
        setattr(g, app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), TOKEN_PLACEHOLDER)
        return None
    hooks = app.extensions.get("page_hit_hooks", {})
    for name, args in entry["hooks"]:
        hooks[name](*args)
    response = _encoded_response(app, entry)
    response.headers["X-Page-Cache"] = "hit"
    return response.make_conditional(request)


def _after_request(response):
    app = current_app._get_current_object()
    key = g.pop("page_cache_key", None)
    if request.endpoint == "static":
        _static_response(response)
    if key is None:
        return response
    storable = (
        response.status_code == 200
        and response.mimetype == "text/html"
        and "Set-Cookie" not in response.headers
        and not response.direct_passthrough
        and set(session.keys()) <= ANONYMOUS_SESSION_KEYS
        and not session.get("_flashes")
    )
    if not storable:
        if TOKEN_PLACEHOLDER.encode() in response.get_data():
            response.set_data(_personalise(response.get_data()))
        return response
    body = response.get_data()
    entry = {
        "body": body,
        "etag": hashlib.sha256(body).hexdigest()[:32],
        "last_modified": formatdate(usegmt=True),
        "hooks": g.pop("page_hit_hooks", []),
    }
    entry["encoded"] = prepare(body, TOKEN_PLACEHOLDER.encode())
    cache.set(key, entry, timeout=app.config["PAGE_CACHE_SECONDS"])
    served = _encoded_response(app, entry)
    served.headers["X-Page-Cache"] = "miss"
    for name, value in response.headers.items():  # the other hooks' headers (security ...)
        if name.lower() not in (
            "content-length",
            "content-type",
            "etag",
            "vary",
            "content-encoding",
        ):
            served.headers.setdefault(name, value)
    return served.make_conditional(request)


# --- static files ---------------------------------------------------------------------------


def _static_response(response) -> None:
    """A hashed URL may be kept for a year; a text file is read into memory so that it is
    compressed like a page (Flask-Compress would stream it without gzip, and loses the file's
    close() when it does)."""
    if request.args.get("v"):
        response.headers["Cache-Control"] = IMMUTABLE
    mimetypes = current_app.config["COMPRESS_MIMETYPES"]
    if response.status_code == 200 and response.is_streamed and response.mimetype in mimetypes:
        source = response.response
        try:
            body = b"".join(source)
        finally:
            if hasattr(source, "close"):
                source.close()
        response.direct_passthrough = False
        response.set_data(body)


def _static_hash(app: Flask, filename: str) -> str | None:
    hashes = app.extensions.setdefault("static_hashes", {})
    if filename not in hashes:
        path = Path(app.static_folder, filename)
        try:
            hashes[filename] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        except OSError:
            hashes[filename] = None
    return hashes[filename]


def _static_url_defaults(endpoint: str, values: dict) -> None:
    """``url_for('static', filename=...)`` carries the file's content hash (``?v=``), so a
    browser may keep it for a year and still gets a changed file at once."""
    if endpoint == "static" and "filename" in values and "v" not in values:
        digest = _static_hash(current_app, values["filename"])
        if digest:
            values["v"] = digest


_listening = False


def init_app(app: Flask) -> None:
    global _listening
    config = app.config
    config.setdefault("CACHE_KEY_PREFIX", "helpcenter:")
    if config.get("CACHE_REDIS_URL"):
        config.setdefault("CACHE_TYPE", "RedisCache")
    config.setdefault("CACHE_TYPE", "SimpleCache")
    config.setdefault("CACHE_DEFAULT_TIMEOUT", config["PAGE_CACHE_SECONDS"])
    config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "deflate"])
    config.setdefault(
        "COMPRESS_MIMETYPES",
        ["text/html", "text/css", "text/javascript", "application/javascript",
         "application/json", "image/svg+xml"],
    )  # fmt: skip
    cache.init_app(app)
    app.url_defaults(_static_url_defaults)
    app.extensions["page_cache_on"] = bool(config["PAGE_CACHE_ENABLED"])
    app.extensions.setdefault("page_hit_hooks", {})
    if not _listening:
        sa_event.listen(Session, "before_flush", _note_changes)
        sa_event.listen(Session, "do_orm_execute", _note_statement)
        sa_event.listen(Session, "after_commit", _after_commit)
        sa_event.listen(Session, "after_rollback", _after_rollback)
        _listening = True


def _is_limiter_hook(hook) -> bool:
    from app.extensions import limiter

    return getattr(hook, "__self__", None) is limiter


def init_serving(app: Flask) -> None:
    """The request hooks, registered after every other one.

    Before the request, the cache's lookup runs after the CSRF check and the indexer's start (it
    also writes the counted page views) and before the rate limiter. After it, Flask runs the
    last-registered hook first: the cache stores and personalises the uncompressed page, then
    Flask-Compress compresses what this reader gets.
    """
    if app.extensions["page_cache_on"]:
        # Ahead of the rate limiter's bookkeeping: no cacheable page has a GET limit, and on a
        # hit that bookkeeping was a sixth of the request's time.
        hooks = app.before_request_funcs.setdefault(None, [])
        limits = [hook for hook in hooks if _is_limiter_hook(hook)]
        hooks[:] = [hook for hook in hooks if hook not in limits] + [_before_request, *limits]
    compress.init_app(app)
    app.after_request(_after_request)
