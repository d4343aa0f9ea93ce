"""``/api/v1`` routes for the app: snippets, suggestions, tours, search, status, the contract.

Each route parses its input, calls one service (through :mod:`app.api.content` for the features
below), and answers through :func:`app.api.http.send`, which adds the ETag and Cache-Control
and turns a matching ``If-None-Match`` into 304. The ticket routes live in ``tickets_views``.
"""

from __future__ import annotations

from flask import Blueprint, current_app, request

from app.api import content, limits, services, validation
from app.api import http as api
from app.api.openapi import openapi_document
from app.errors import error_response
from app.extensions import limiter
from app.models import utcnow
from app.outbox import commit

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# Per address for everyone, and per token for the signed-in app, each with its own budget
# (app.api.limits). The site's Flask-Limiter never sees a routed API request (the blueprint is
# self-contained: app.application); the filter keeps it off /api/v1 paths that match no route.
limiter.request_filter(limits.is_api_request)
bp.before_request(api.check_rate_limits)
bp.after_request(api.after_api_request)


@bp.errorhandler(api.ApiAbort)
def _abort(error: api.ApiAbort):
    return error_response(
        error.status, error.message, code=error.code, details=error.details, headers=error.headers
    )


@bp.errorhandler(validation.RuleError)
def _invalid(error: validation.RuleError):
    return error_response(422, error.message, details=error.details)


@bp.errorhandler(content.NotFound)
def _not_found(error: content.NotFound):
    return error_response(404, "Not found.")


def _content_cache() -> str:
    return api.public_cache(current_app.config["API_CACHE_MAX_AGE"])


def _cached(build, kind: str, *key) -> content.Entry | None:
    """The answer of ``kind`` for ``key`` at the current content version, built and encoded
    once per version.

    The entity tag is derived from (kind, version, *key), so revalidating a cached answer needs
    no database work; a :class:`content.NotFound` from ``build`` is remembered as None for
    that version.
    """
    version, bodies = content.version_and_bodies()
    cache_key = (kind, version, *key)
    entry = bodies.get(cache_key)
    if entry is None:
        try:
            entry = content.Entry(validation.etag_for(*cache_key), api.encode(build()))
        except content.NotFound:
            entry = content.MISSING
        bodies.put(cache_key, entry)
    return None if entry is content.MISSING else entry


@bp.get("/snippets/<key>")
def snippet(key: str):
    lang = api.query_lang()
    if not validation.is_key(key):
        raise content.NotFound(key)
    # The body holds absolute article links, so the host is part of the key (and the tag).
    entry = _cached(lambda: content.get_snippet(key, lang), "snippet", api.host_key(), key, lang)
    if entry is None:
        raise content.NotFound(key)
    return api.send_cached(entry, _content_cache())


@bp.get("/snippets")
def snippets():
    lang = api.query_lang()
    keys = validation.parse_keys(
        request.args.get("keys"), current_app.config["API_MAX_SNIPPET_KEYS"]
    )

    def build() -> dict:
        found = content.get_snippets(keys, lang)
        return {
            "lang": lang,
            "snippets": found,
            "missing": [key for key in keys if key not in found],
        }

    entry = _cached(build, "snippets", api.host_key(), lang, *keys)
    return api.send_cached(entry, _content_cache())


@bp.get("/suggestions")
def suggestions():
    screen = request.args.get("screen", "")
    if not validation.is_name(screen):
        raise validation.RuleError(
            "Give the app screen id.", {"screen": "required, like plants.list"}
        )
    query = request.args.get("q", "").strip()
    if len(query) > 200:
        raise validation.RuleError("The text is too long.", {"q": "at most 200 characters"})
    lang = api.query_lang()
    limit = current_app.config["API_SUGGESTION_LIMIT"]
    articles, snippets = content.screen_suggestions(screen, lang, limit)
    # Public content only: the text search runs as an anonymous visitor, so this is cacheable.
    results = content.search(query, user=None, per_page=limit)["results"] if query else []
    payload = {
        "screen": screen,
        "lang": lang,
        "articles": articles,
        "snippets": snippets,
        "results": results,
    }
    return api.send(api.encode(payload), cache=api.public_cache(60))


@bp.get("/tours/<name>")
def tour(name: str):
    if not validation.is_name(name):
        raise content.NotFound(name)
    entry = _cached(lambda: content.get_tour(name), "tour", name)
    if entry is None:
        raise content.NotFound(name)
    return api.send_cached(entry, _content_cache())


_PROGRESS_FIELDS = {
    "step": validation.Field(str, min_length=1, max_length=80),
    "event": validation.Field(str, choices=validation.TOUR_EVENTS),
}


@bp.post("/tours/<name>/progress")
def tour_progress(name: str):
    if not validation.is_name(name):
        raise content.NotFound(name)
    user = api.api_user()
    install_id = validation.check_install_id(request.headers.get("X-Install-Id"))
    data = api.json_body(_PROGRESS_FIELDS)
    steps = [step["id"] for step in content.get_tour(name)["steps"]]
    if data["step"] not in steps:
        raise validation.RuleError("That step is not in this tour.", {"step": "unknown step"})
    if user is None and install_id is None:
        raise api.ApiAbort(
            400,
            "Send an API token or an X-Install-Id header to record progress.",
            code="install_id_required",
        )
    progress = services.record_tour_progress(
        name,
        steps.index(data["step"]),
        data["step"],
        data["event"],
        utcnow(),
        user=user,
        install_id=install_id,
    )
    payload = {
        "tour": name,
        "status": progress.status,
        "last_step": progress.last_step,
        "furthest_step": progress.furthest_step,
        "steps": len(steps),
    }
    commit()
    return api.send(api.encode(payload))


@bp.get("/search")
def search():
    query = request.args.get("q", "").strip()
    if not query or len(query) > 200:
        raise validation.RuleError("Type what you are looking for.", {"q": "1 to 200 characters"})
    page = api.query_int("page", 1, 1, 100)
    per_page = api.query_int("per_page", 10, 1, 50)
    doc_type = request.args.get("type") or None
    user = api.api_user()
    payload = content.search(query, user=user, doc_type=doc_type, page=page, per_page=per_page)
    payload["query"] = query
    cache = api.PRIVATE if user is not None else api.public_cache(60)
    return api.send(api.encode(payload), cache=cache)


@bp.get("/status")
def status():
    incident = None
    for provider in current_app.extensions.get("banner_providers", []):
        banner = provider()
        if banner:
            incident = {
                "level": str(banner.get("level", "info")),
                "text": str(banner.get("text", "")),
                "url": banner.get("url") or None,
            }
            break
    max_age = current_app.config["API_STATUS_MAX_AGE"]
    return api.send(api.encode({"incident": incident}), cache=api.public_cache(max_age))


@bp.get("/openapi.json")
def openapi():
    ext = current_app.extensions
    if "api_openapi_body" not in ext:
        ext["api_openapi_body"] = api.encode(openapi_document())
    return api.send(ext["api_openapi_body"], cache=api.public_cache(3600))
