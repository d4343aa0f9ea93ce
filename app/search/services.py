"""Search operations shared by the pages, the JSON endpoint, the API and the CLI.

Services take explicit inputs (the acting user, ``now``), flush at most and never commit.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from limits import RateLimitItemPerSecond, parse_many
from sqlalchemy import func, select

from app import pagecache, tallies
from app.errors import DomainError
from app.extensions import db, limiter
from app.search.backend import SORTS, SearchRequest, SearchResults, get_backend
from app.search.documents import DOC_TYPES, all_documents
from app.search.models import SearchQueryLog
from app.search.rules import ParsedQuery, normalise_for_log, parse_query

MAX_PER_PAGE = 50
MAX_PAGE = 100


def search(
    query: str,
    *,
    user,
    types: list[str] | tuple[str, ...] | None = None,
    category: str | None = None,
    page: int = 1,
    per_page: int = 10,
    sort: str = "relevance",
) -> SearchResults:
    """Search everything ``user`` may see (the index holds only public content).

    When the query finds nothing, a spelling correction is tried; when it finds something, its
    results are returned with ``corrected`` set and ``suggestion`` naming the corrected query
    (never a suggestion that would find nothing).

    :param user: the acting user (or None / anonymous); see the module docs on visibility.
    :param types: document types to keep (``article``, ``wiki_page``, ``forum_thread``).
    :param sort: ``relevance`` or ``date`` (newest first).
    :raises DomainError: an unknown type or sort, or a page out of range.
    """
    types = tuple(t for t in (types or ()) if t)
    unknown = [t for t in types if t not in DOC_TYPES]
    if unknown:
        raise DomainError(f"Unknown result type: {unknown[0]}.", field="type")
    if sort not in SORTS:
        raise DomainError("Sort by relevance or date.", field="sort")
    if not 1 <= page <= MAX_PAGE:
        raise DomainError(f"Pages go from 1 to {MAX_PAGE}.", field="page")
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    parsed = parse_query(query)
    time_limit = current_app.config["SEARCH_TIME_LIMIT"]
    # One budget for the whole search, the spelling correction and its re-run included.
    request = SearchRequest(
        parsed, types or None, (category or "").strip() or None, page, per_page, sort,
        time_limit, time.monotonic() + time_limit,
    )  # fmt: skip
    if parsed.is_empty:
        return SearchResults("", page=page, per_page=per_page, sort=sort)
    key = _results_key(parsed, request, user)
    if key is not None and (kept := pagecache.cache.get(key)) is not None:
        return kept
    results = _search(parsed, request)
    if key is not None and not results.partial:
        pagecache.cache.set(key, results, timeout=current_app.config["PAGE_CACHE_SECONDS"])
    return results


def _results_key(parsed: ParsedQuery, request: SearchRequest, user) -> str | None:
    """The cache key of a search's results: the same query, filters and page, the same
    audience (a role may see more, once the index holds more than public content), and the
    same content and index (both bump :func:`app.pagecache.content_version`). None: not
    cached (the page cache is off)."""
    if not current_app.extensions.get("page_cache_on"):
        return None
    audience = getattr(user, "role", None) if getattr(user, "is_authenticated", False) else "-"
    raw = repr((
        pagecache.content_version(), audience, parsed.text(), request.types, request.category,
        request.page, request.per_page, request.sort,
    ))  # fmt: skip
    return "search:" + hashlib.sha256(raw.encode()).hexdigest()


def _search(parsed: ParsedQuery, request: SearchRequest) -> SearchResults:
    backend = get_backend()
    results = backend.search(request)
    if results.total == 0 and request.page == 1 and not results.partial and request.remaining() > 0:
        corrected = _correct(parsed.words, backend)
        if corrected:
            request.query = ParsedQuery(tuple(corrected), parsed.phrases)
            # Offered only when it finds something the searcher may see, with the same
            # filters: a word alone proves nothing (the vocabulary may still hold words of
            # hidden, deleted or pending content, or words that never occur together).
            retry = backend.search(request) if request.remaining() > 0 else None
            if retry is not None and retry.total > 0:
                retry.suggestion = request.query.text()
                retry.corrected = True
                return retry
    return results


def _correct(words: tuple[str, ...], backend) -> list[str] | None:
    corrected, changed = [], False
    for word in words:
        fix = backend.suggest(word)
        corrected.append(fix or word)
        changed = changed or bool(fix)
    return corrected if changed else None


#: Tally kinds (``app.tallies``) of logged searches and of clicks on their results: a search
#: page never writes; both are written every few seconds with the page views.
QUERY_TALLY = "search.query"
CLICK_TALLY = "search.click"
#: A click whose search is not written yet (another process counted it) waits this long for it.
CLICK_WAIT = timedelta(minutes=10)


def log_query(
    query: str, result_count: int, now: datetime, *, client: str | None = None
) -> str | None:
    """Record one search without personal data (no user, no address), written within seconds
    by :func:`write_queries`.

    :param client: who searched, as the rate limits know them (an opaque key, never stored
        with the log); with it, a repeat of the same query within ``SEARCH_LOG_REPEAT_SECONDS``
        or a search past ``SEARCH_LOG_LIMIT_PER_CLIENT`` is not recorded.
    :returns: the log entry's token (its clicks name it); None for an empty query or one not
        recorded.
    """
    normalised = normalise_for_log(query)
    if not normalised:
        return None
    if client is not None and not _may_log(client, normalised):
        return None
    token = secrets.token_urlsafe(16)
    tallies.add(QUERY_TALLY, (normalised, result_count, now.isoformat(), token))
    return token


def write_queries(counts: dict[tuple, int], now: datetime) -> None:
    """Insert the logged searches (the tally flusher of :data:`QUERY_TALLY`)."""
    for query, result_count, created, token in sorted(counts, key=lambda key: key[2]):
        db.session.add(
            SearchQueryLog(
                query=query, result_count=result_count,
                created_at=datetime.fromisoformat(created), token=token,
            )
        )  # fmt: skip
    db.session.flush()


def write_clicks(counts: dict[tuple, int], now: datetime) -> None:
    """Note the clicked results on their searches (the tally flusher of :data:`CLICK_TALLY`)."""
    tokens = {token for token, _key, _at in counts}
    entries = {
        entry.token: entry
        for entry in db.session.scalars(
            select(SearchQueryLog).where(SearchQueryLog.token.in_(tokens))
        )
    }
    for token, key, clicked in sorted(counts, key=lambda click: click[2]):
        entry = entries.get(token)
        if entry is None:
            # Its search is still counted in another process: try again at the next flush.
            if now - datetime.fromisoformat(clicked) < CLICK_WAIT:
                tallies.add(CLICK_TALLY, (token, key, clicked))
        elif entry.clicked_key is None:
            entry.clicked_key = key
    db.session.flush()


def _may_log(client: str, normalised: str) -> bool:
    """Count this search against the client's log limits (in the rate limiter's storage:
    memory, or Redis shared by all hosts); False when it is over one of them."""
    if not limiter.enabled:
        return True
    config = current_app.config
    # Keys hold a digest, so the limiter's storage never holds addresses or queries.
    who = hashlib.sha256(client.encode()).hexdigest()[:32]
    what = hashlib.sha256(normalised.encode()).hexdigest()[:32]
    repeat = RateLimitItemPerSecond(1, config["SEARCH_LOG_REPEAT_SECONDS"])
    caps = parse_many(config["SEARCH_LOG_LIMIT_PER_CLIENT"])
    strategy = limiter.limiter
    if not strategy.test(repeat, "search-log-query", who, what):
        return False
    if not all(strategy.test(cap, "search-log-client", who) for cap in caps):
        return False
    strategy.hit(repeat, "search-log-query", who, what)
    for cap in caps:
        strategy.hit(cap, "search-log-client", who)
    return True


def record_click(log_token: str, key: str, now: datetime) -> str | None:
    """Note which result a search led to (the first click of a search counts).

    :returns: the result's URL from the index (never from the request), or None if unknown.
    """
    url = get_backend().url_for_key(key)
    if url is None:
        return None
    tallies.add(CLICK_TALLY, (log_token, key, now.isoformat()))
    return url


@dataclass
class QueryStat:
    query: str
    searches: int
    clicks: int = 0
    results: int = 0


@dataclass
class SearchStats:
    since: datetime
    searches: int = 0
    zero_result_searches: int = 0
    top_queries: list[QueryStat] = field(default_factory=list)
    top_zero_result: list[QueryStat] = field(default_factory=list)


def stats(now: datetime, *, days: int = 30, limit: int = 20) -> SearchStats:
    """Top queries and top zero-result queries (the content backlog) of the last ``days``."""
    since = now - timedelta(days=days)
    recent = SearchQueryLog.created_at >= since
    result = SearchStats(since=since)
    result.searches = db.session.scalar(select(func.count()).where(recent)) or 0
    result.zero_result_searches = (
        db.session.scalar(select(func.count()).where(recent, SearchQueryLog.result_count == 0)) or 0
    )
    searches = func.count().label("searches")
    rows = db.session.execute(
        select(
            SearchQueryLog.query, searches, func.count(SearchQueryLog.clicked_key),
            func.max(SearchQueryLog.result_count),
        )
        .where(recent)
        .group_by(SearchQueryLog.query)
        .order_by(searches.desc(), SearchQueryLog.query)
        .limit(limit)
    ).all()  # fmt: skip
    result.top_queries = [QueryStat(q, n, clicks, most) for q, n, clicks, most in rows]
    rows = db.session.execute(
        select(SearchQueryLog.query, searches)
        .where(recent, SearchQueryLog.result_count == 0)
        .group_by(SearchQueryLog.query)
        .order_by(searches.desc(), SearchQueryLog.query)
        .limit(limit)
    ).all()
    result.top_zero_result = [QueryStat(q, n) for q, n in rows]
    return result


def searches_without_results(
    start: datetime, end: datetime, limit: int = 10
) -> list[tuple[str, int]]:
    """Queries that found nothing in ``[start, end)``, most frequent first (the common-issues
    report reads this through ``app.extensions["report_sources"]``)."""
    searches = func.count().label("searches")
    rows = db.session.execute(
        select(SearchQueryLog.query, searches)
        .where(
            SearchQueryLog.created_at >= start,
            SearchQueryLog.created_at < end,
            SearchQueryLog.result_count == 0,
        )
        .group_by(SearchQueryLog.query)
        .order_by(searches.desc(), SearchQueryLog.query)
        .limit(limit)
    ).all()
    return [(query, count) for query, count in rows]


def search_clicks(start: datetime, end: datetime) -> tuple[int, int]:
    """Searches logged in ``[start, end)`` and how many of them led to a click on a result
    (the metrics dashboard's search click-through reads this through
    ``app.extensions["report_sources"]``)."""
    searches, clicked = db.session.execute(
        select(func.count(), func.count(SearchQueryLog.clicked_key)).where(
            SearchQueryLog.created_at >= start, SearchQueryLog.created_at < end
        )
    ).one()
    return searches, clicked


def rebuild_index() -> int:
    """Index every public document afresh and swap the new index in atomically.

    Holds the writer lock throughout: changes made meanwhile wait in the outbox and are applied
    to the new index right after the swap. Searches keep using the old index until then.

    :returns: how many documents were indexed.
    """
    backend = get_backend()
    with backend.writer_lock(blocking=True):
        return backend.rebuild(all_documents())


@dataclass
class CheckReport:
    missing: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.stale or self.extra)


def check_index(*, fix: bool = False) -> CheckReport:
    """Compare the index with the database: documents missing, stale or extra in the index.

    :param fix: also repair them (add, refresh and remove), under the writer lock.
    """
    backend = get_backend()
    with backend.writer_lock(blocking=True):
        expected = {document.key: document for document in all_documents()}
        indexed = backend.fingerprints()
        report = CheckReport(
            missing=sorted(set(expected) - set(indexed)),
            stale=sorted(k for k in expected.keys() & indexed.keys()
                         if expected[k].fingerprint != indexed[k]),
            extra=sorted(set(indexed) - set(expected)),
        )  # fmt: skip
        if fix and not report.ok:
            backend.apply([expected[k] for k in report.missing + report.stale], report.extra)
    return report
