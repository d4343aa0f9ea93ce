"""Search pages: the search page, its JSON twin, click tracking and the staff statistics."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request
from flask_limiter.util import get_remote_address
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer

from app.accounts.permissions import require
from app.errors import DomainError
from app.kb.media.queries import transcript_moments
from app.models import utcnow
from app.search import services
from app.search.documents import DOC_TYPES, category_choices
from app.search.rules import normalise_for_log, words_of

bp = Blueprint("search", __name__, url_prefix="/search")


def _signer(salt: str = "search-click") -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _params() -> dict:
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        page = 0  # reported by the service as out of range
    return {
        "query": request.args.get("q", "").strip(),
        "types": [t for t in request.args.getlist("type") if t],
        "category": request.args.get("category", "").strip() or None,
        "page": page,
        "sort": request.args.get("sort", "relevance") or "relevance",
        "per_page": current_app.config["SEARCH_PER_PAGE"],
        # ``log=0``: a suggestion fetched as the user types (the ticket form), not a search.
        "log": request.args.get("log", "1").strip().lower() not in ("0", "false", "no", "off"),
        "qid": request.args.get("qid", ""),
    }


def _logged_query_id(params: dict) -> str | None:
    """The query-log row a paging link carries (``qid``), if it is genuine and this query's."""
    try:
        log_id, query = _signer("search-query").loads(params["qid"])
        log_id = str(log_id)
    except (BadSignature, ValueError, TypeError):
        return None
    return log_id if query == normalise_for_log(params["query"]) else None


def _run(params: dict):
    """Search and log it.

    A query is logged once: on its first page, unless the request comes from one of its own
    paging links (``qid``, which also lets clicks on later pages count). ``log=0`` searches
    are not logged at all (and so their clicks are not tracked), nor are filtered searches
    that find nothing.
    """
    results = services.search(
        params["query"], user=current_user, types=params["types"], category=params["category"],
        page=params["page"], per_page=params["per_page"], sort=params["sort"],
    )  # fmt: skip
    if not params["query"]:
        return results
    results.log_id = _logged_query_id(params) if params["qid"] else None
    # A filtered search that finds nothing says little about the content (the filter, maybe
    # from an edited URL, may be why): the backlog of searches without results would list
    # words that the rest of the Help Center answers. It is not logged.
    filtered_out = results.total == 0 and bool(params["types"] or params["category"])
    if results.log_id is None and params["page"] == 1 and params["log"] and not filtered_out:
        results.log_id = services.log_query(
            params["query"], results.total, utcnow(), client=get_remote_address()
        )
    return results


def _query_token(results, query: str) -> str | None:
    """Signed ``qid`` for this query's paging links (None when the query was not logged)."""
    if results is None or results.log_id is None:
        return None
    return _signer("search-query").dumps([results.log_id, normalise_for_log(query)])


def _click_url(results, hit) -> str:
    # A hit inside a video's transcript opens the video at that moment; the fragment survives
    # the click-log redirect (a Location without one keeps the request's).
    moment = _moments(results).get(hit.key)
    fragment = f"#t={moment}" if moment is not None else ""
    if results.log_id is None:
        return hit.url + fragment
    token = _signer().dumps([results.log_id, hit.key])
    return f"/search/click?t={token}{fragment}"


def _moments(results) -> dict[str, int]:
    """Hit key → second of the video transcript the query is about (video articles only)."""
    if getattr(results, "moments", None) is None:
        hits = [hit for hit in results.hits if hit.type == "article"]
        found = transcript_moments([hit.object_id for hit in hits], words_of(results.query))
        results.moments = {h.key: found[h.object_id] for h in hits if h.object_id in found}
    return results.moments


@bp.route("/")
def index():
    params = _params()
    error = None
    try:
        results = _run(params)
    except DomainError as exc:
        error, results = exc, None
    return render_template(
        "search/index.html",
        params=params,
        results=results,
        error=error,
        click_url=_click_url,
        moments=_moments(results) if results is not None and results.hits else {},
        query_token=_query_token(results, params["query"]),
        doc_types=DOC_TYPES,
        categories=category_choices(),
    ), (400 if error else 200)


@bp.route("/results.json")
def results_json():
    params = _params()
    try:
        params["per_page"] = int(request.args.get("per_page", params["per_page"]))
        results = _run(params)
    except ValueError:
        return jsonify(error="per_page must be a number.", field="per_page"), 400
    except DomainError as exc:
        return jsonify(error=exc.message, field=exc.field), 400
    return jsonify(
        query=results.query,
        total=results.total,
        page=results.page,
        pages=results.pages,
        per_page=results.per_page,
        sort=results.sort,
        partial=results.partial,
        suggestion=results.suggestion,
        corrected=results.corrected,
        query_id=_query_token(results, params["query"]),
        results=[
            {
                "type": hit.type,
                "type_label": DOC_TYPES[hit.type].label if hit.type in DOC_TYPES else hit.type,
                "title": hit.title,
                "url": hit.url,
                "click_url": _click_url(results, hit),
                "snippet": hit.snippet,
                "section": hit.section,
                "category": hit.category,
                "date": hit.date.isoformat(),
            }
            for hit in results.hits
        ],
    )


@bp.route("/click")
def click():
    """Count the click on a result, then go there. The target comes from the index only."""
    try:
        log_id, key = _signer().loads(request.args.get("t", ""))
        log_id, key = str(log_id), str(key)
    except (BadSignature, ValueError, TypeError):
        abort(404)
    url = services.record_click(log_id, key, utcnow())
    if url is None:
        abort(404)
    return redirect(url)


@bp.route("/stats")
@require("search.stats")
def stats():
    return render_template("search/stats.html", stats=services.stats(utcnow()))
