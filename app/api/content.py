"""What the API reads from the knowledge base and search, through their services only, turned
into JSON-ready data; plus the per-process caches that keep the snippet path cheap."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterable

from flask import current_app, request

from app.api import validation
from app.kb import services as kb


class NotFound(Exception):
    """The knowledge base has no such object: the one error the API answers with a 404.

    The knowledge base's read services return None for a missing snippet or tour, and this
    module raises :class:`NotFound` for it. Nothing else becomes a 404: a ``KeyError`` or
    ``IndexError`` from inside a service is a bug and surfaces as one.
    """


class _VersionCache:
    """``content_version()`` of the knowledge base, remembered for a few seconds per process.

    Every snippet and tour ETag starts with it, so the 304 path costs no database query; the TTL
    bounds how long a process may serve the previous version after a content sync.
    """

    def __init__(self) -> None:
        self.value: str | None = None
        self.expires = 0.0
        self.lock = threading.Lock()

    def get(self, ttl: float) -> str:
        now = time.monotonic()
        if self.value is not None and now < self.expires:
            return self.value
        with self.lock:
            if self.value is None or time.monotonic() >= self.expires:
                self.value = str(kb.content_version())
                self.expires = time.monotonic() + ttl
            return self.value


class Entry:
    """A cached answer: its entity tag (bare and quoted, as sent) and its encoded body."""

    __slots__ = ("body", "etag", "tag")

    def __init__(self, etag: str, body: bytes) -> None:
        self.etag = etag
        self.tag = f'"{etag}"'
        self.body = body


#: Cached in place of an :class:`Entry` when there is no such object in that content version.
MISSING = Entry("", b"")


class BodyCache:
    """A small thread-safe LRU of :class:`Entry` keyed by (kind, content version, ...)."""

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self.items: OrderedDict[tuple, Entry] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple) -> Entry | None:
        with self.lock:
            body = self.items.get(key)
            if body is not None:
                self.items.move_to_end(key)
            return body

    def put(self, key: tuple, entry: Entry) -> None:
        with self.lock:
            self.items[key] = entry
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


def _caches(app=None) -> tuple[_VersionCache, BodyCache]:
    ext = (app or current_app).extensions
    if "api_caches" not in ext:
        ext["api_caches"] = (_VersionCache(), BodyCache())
    return ext["api_caches"]


def version_and_bodies() -> tuple[str, BodyCache]:
    """The knowledge base's content hash (cached for ``API_CONTENT_VERSION_TTL`` seconds) and
    the cache of encoded answers, in one look-up of the application."""
    app = current_app._get_current_object()
    versions, bodies = _caches(app)
    return versions.get(app.config["API_CONTENT_VERSION_TTL"]), bodies


def forget_cached_content() -> None:
    """Drop the cached version and bodies (after a sync in this process, and in tests)."""
    versions, bodies = _caches()
    versions.value = None
    bodies.clear()


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _absolute(path: str | None) -> str | None:
    """An absolute address for a site path, so the app can open it in a browser."""
    if not path:
        return None
    return request.host_url.rstrip("/") + path if path.startswith("/") else path


def snippet_dict(snippet) -> dict:
    slug = snippet.article_slug or None
    return {
        "key": snippet.key,
        "lang": snippet.lang,
        "title": snippet.title,
        "body_html": snippet.body_html,
        "article": {"slug": slug, "url": _absolute(snippet.article_url_path)} if slug else None,
        "updated_at": _iso(snippet.updated_at),
    }


def article_dict(article) -> dict:
    return {
        "slug": article.slug,
        "title": article.title,
        "type": article.type,
        "section": article.section,
        "summary": article.summary or "",
        "url": _absolute(article.url_path),
    }


def get_snippet(key: str, lang: str) -> dict:
    """One snippet in ``lang`` or the default language, as JSON-ready data.

    :raises NotFound: no such key in either language.
    """
    default = current_app.config["API_DEFAULT_LANG"]
    found = kb.get_snippet(key, lang, default_lang=default)
    if found is None:
        raise NotFound(key)
    return snippet_dict(found)


def get_snippets(keys: Iterable[str], lang: str) -> dict[str, dict]:
    """The snippets found among ``keys`` (with the default-language fallback), by key."""
    default = current_app.config["API_DEFAULT_LANG"]
    found = kb.get_snippets(list(keys), lang, default_lang=default)
    return {key: snippet_dict(item) for key, item in found.items()}


def get_tour(name: str) -> dict:
    """A tour with its ordered steps.

    :raises NotFound: no such tour.
    """
    tour = kb.get_tour(name)
    if tour is None:
        raise NotFound(name)
    steps = []
    for step in tour.steps:
        steps.append(
            {
                # ``key`` is the step id of the content file; ``id`` is only the row's.
                "id": step.key,
                "target": step.target,
                "title": step.title,
                "body": step.body,
                "placement": step.placement or "bottom",
            }
        )
    return {
        "name": tour.name,
        "title": tour.title,
        "description": tour.description or "",
        "steps": steps,
    }


def screen_suggestions(screen: str, lang: str, limit: int) -> tuple[list[dict], list[dict]]:
    """The articles and snippets mapped to ``screen`` in the content front matter."""
    articles = kb.articles_for_screen(screen, limit)
    default = current_app.config["API_DEFAULT_LANG"]
    snippets = kb.snippets_for_screen(screen, lang, limit, default_lang=default)
    return [article_dict(a) for a in articles], [snippet_dict(s) for s in snippets]


def search(query: str, *, user, doc_type: str | None = None, page: int = 1, per_page: int = 10):
    """The site's search as JSON-ready data.

    :raises validation.RuleError: the search service refused a parameter.
    """
    from app.search import services as search_services

    try:
        results = search_services.search(
            query, user=user, types=[doc_type] if doc_type else None, page=page, per_page=per_page
        )
    except search_services.SearchError as error:
        raise validation.RuleError(str(error), {error.field or "q": str(error)})
    return {
        "total": results.total,
        "page": results.page,
        "per_page": results.per_page,
        "suggestion": results.suggestion,
        "corrected": results.corrected,
        "results": [
            {
                "type": hit.type,
                "title": hit.title,
                "url": _absolute(hit.url) or "",
                "excerpt_html": hit.snippet,
            }
            for hit in results.hits
        ],
    }
