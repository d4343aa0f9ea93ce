"""HTTP mechanics of ``/api/v1``: bearer auth, JSON bodies, ETags and caching, CORS, the
rate-limit hook and the session that API requests never get. Routes stay thin by calling
these."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

from flask import current_app, g, request
from flask.sessions import SessionInterface
from werkzeug.exceptions import RequestEntityTooLarge

from app.accounts.permissions import can
from app.api import limits, services, validation
from app.api.limits import API_PREFIX
from app.models import utcnow
from app.outbox import commit
from app.security import API_HEADERS, HSTS

#: Request headers the app may send cross-origin (answered in a CORS preflight).
CORS_REQUEST_HEADERS = "Authorization, Content-Type, If-None-Match, X-Install-Id"
#: Response headers a browser client may read.
CORS_EXPOSED_HEADERS = (
    "ETag, Retry-After, Location, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"
)


class ApiAbort(Exception):
    """Stop the request with the API's error shape; raised by helpers, answered by the blueprint."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        details: dict | None = None,
        headers: dict | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.details = details
        self.headers = headers


# --- authentication -------------------------------------------------------------------------


def _header(environ_key: str) -> str | None:
    """A request header by its WSGI environ key (``HTTP_IF_NONE_MATCH``): on the hot path,
    ``request.headers.get`` raises and catches a KeyError for every header that is absent."""
    return request.environ.get(environ_key)


def bearer_token() -> str | None:
    return validation.parse_bearer(_header("HTTP_AUTHORIZATION"))


def _unauthorized(message: str) -> ApiAbort:
    return ApiAbort(401, message, headers={"WWW-Authenticate": 'Bearer realm="api"'})


def api_user():
    """The user of the request's bearer token, or None without one.

    :raises ApiAbort: 401 for a token that is unknown, revoked or belongs to a suspended user.
    """
    if "api_user" not in g:
        plain = bearer_token()
        if plain is None:
            if request.headers.get("Authorization"):
                raise _unauthorized("Use the Authorization header as: Bearer <token>.")
            g.api_user = None
        else:
            found = services.authenticate(
                plain, utcnow(), touch_seconds=current_app.config["API_TOKEN_TOUCH_SECONDS"]
            )
            if found is None:
                raise _unauthorized("This token is not valid. It may have been revoked.")
            if found.touched:
                commit()
            g.api_user = found.user
    return g.api_user


def require_user(permission: str):
    """The token's user, who must hold ``permission``.

    :raises ApiAbort: 401 without a valid token, 403 without the permission.
    """
    user = api_user()
    if user is None:
        raise _unauthorized("Sign in: send an API token as Authorization: Bearer <token>.")
    if not can(user, permission):
        raise ApiAbort(403, "Your account may not do this.")
    return user


# --- request bodies -------------------------------------------------------------------------


def json_body(fields: Mapping[str, validation.Field]) -> dict:
    """The request's JSON object, checked against ``fields``.

    :raises ApiAbort: 415 not JSON, 413 too large, 400 malformed, 422 invalid or unknown fields.
    """
    if request.mimetype != "application/json":
        raise ApiAbort(415, "Send the body as application/json.")
    limit = current_app.config["API_MAX_BODY_BYTES"]
    if request.content_length is not None and request.content_length > limit:
        raise ApiAbort(413, f"The body may be at most {limit} bytes.")
    request.max_content_length = limit
    try:
        raw = request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise ApiAbort(413, f"The body may be at most {limit} bytes.")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ApiAbort(400, "The body is not valid JSON.", code="malformed_json")
    return validation.check_body(data, fields)


def query_lang() -> str:
    # Without a query string there is nothing to parse (``request.args`` would build one).
    raw = request.args.get("lang") if request.query_string else None
    return validation.normalise_lang(raw, current_app.config["API_DEFAULT_LANG"])


def query_int(name: str, default: int, low: int, high: int) -> int:
    """An integer query parameter within bounds.

    :raises validation.RuleError: not an integer, or out of bounds.
    """
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise validation.RuleError("Not a whole number.", {name: "must be an integer"})
    if not low <= value <= high:
        raise validation.RuleError("Out of range.", {name: f"must be between {low} and {high}"})
    return value


# --- responses ------------------------------------------------------------------------------


def encode(payload: object) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def send(
    body: bytes,
    *,
    etag: str | None = None,
    cache: str = "no-store",
    status: int = 200,
    headers: dict | None = None,
):
    """A JSON response; with ``etag`` it answers a matching ``If-None-Match`` with 304.

    :param etag: the entity tag, or None to derive it from ``body``.
    """
    if status == 200:
        etag = etag or validation.etag_for(hashlib.sha256(body).hexdigest())
        if validation.etag_matches(_header("HTTP_IF_NONE_MATCH"), etag):
            return not_modified(etag, cache)
    response = current_app.response_class(body, status=status, mimetype="application/json")
    if etag and status == 200:
        response.headers["ETag"] = f'"{etag}"'
    response.headers["Cache-Control"] = cache
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def host_key() -> tuple:
    """What ``request.host_url`` is made of, raw: part of the key of a cached answer that holds
    absolute links (cheaper than ``host_url`` itself, which the answer is built with)."""
    environ = request.environ
    return (
        environ.get("wsgi.url_scheme"),
        environ.get("HTTP_HOST") or environ.get("SERVER_NAME"),
        environ.get("SERVER_PORT"),
        environ.get("SCRIPT_NAME"),
    )


def send_cached(entry, cache: str):
    """A cached answer (:class:`app.api.content.Entry`): 304 when ``If-None-Match`` names it.

    The headers are set up front, so the hot path builds one response and no more.
    """
    if validation.etag_matches(_header("HTTP_IF_NONE_MATCH"), entry.etag):
        return not_modified(entry.etag, cache)
    response = current_app.response_class(entry.body, content_type="application/json")
    response.headers.add("ETag", entry.tag)
    response.headers.add("Cache-Control", cache)
    return response


def not_modified(etag: str, cache: str):
    # The content type saves Werkzeug working out its HTML default; as an entity header, it is
    # dropped from the 304 on the way out.
    return current_app.response_class(
        status=304,
        headers=[("ETag", f'"{etag}"'), ("Cache-Control", cache)],
        content_type="application/json",
    )


def public_cache(max_age: int) -> str:
    return f"public, max-age={max_age}"


#: Answers that depend on who asks: only the app may keep them, and must revalidate.
PRIVATE = "private, no-cache"


def after_api_request(response):
    """The API's security headers; CORS for configured origins; ``no-store`` on anything that
    did not choose a cache policy. (The site's hooks skip the API: ``app.application``.)"""
    headers = response.headers
    # A 304 updates the client's stored answer, which already has them (RFC 9111, 4.3.4).
    if response.status_code != 304:
        headers.extend(API_HEADERS)
        if request.is_secure:
            headers.add(*HSTS)
    if "Cache-Control" not in headers:
        headers["Cache-Control"] = "no-store"
    if _header("HTTP_AUTHORIZATION"):
        response.vary.add("Authorization")
    allowed = current_app.config.get("API_CORS_ORIGINS")
    if not allowed:
        return response
    response.vary.add("Origin")
    origin = validation.allowed_origin(_header("HTTP_ORIGIN"), allowed)
    if origin is not None:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = CORS_EXPOSED_HEADERS
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = response.headers.get(
                "Allow", "GET, POST, OPTIONS"
            )
            response.headers["Access-Control-Allow-Headers"] = CORS_REQUEST_HEADERS
            response.headers["Access-Control-Max-Age"] = str(current_app.config["API_CORS_MAX_AGE"])
    return response


# --- rate limits (counted in app.api.limits) -------------------------------------------------


def check_rate_limits() -> None:
    """The blueprint's before-request hook: count the request against its budgets.

    :raises ApiAbort: 429 with ``Retry-After`` (seconds until the window resets).
    """
    try:
        limits.check(bearer_token())
    except limits.RateLimited as limited:
        raise ApiAbort(
            429,
            "Too many requests. Wait a moment and try again.",
            headers={"Retry-After": str(limited.retry_after)},
        )


# --- no session for the API -----------------------------------------------------------------


class NoSessionForApi(SessionInterface):
    """Delegates to the site's session interface except under ``/api/v1``.

    API requests carry bearer tokens, never cookies: they get a null session, so they neither
    parse a cookie nor ever send ``Set-Cookie`` (which would also make responses uncacheable).
    """

    def __init__(self, inner: SessionInterface) -> None:
        self.inner = inner

    def open_session(self, app, request):
        if request.path.startswith(API_PREFIX):
            return self.make_null_session(app)
        return self.inner.open_session(app, request)

    def save_session(self, app, session, response) -> None:
        return self.inner.save_session(app, session, response)

    def __getattr__(self, name: str):
        return getattr(self.inner, name)
