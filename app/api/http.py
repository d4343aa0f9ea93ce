"""HTTP mechanics of ``/api/v1``: bearer auth, JSON bodies, ETags and caching, CORS, rate-limit
keys and the session that API requests never get. Routes stay thin by calling these."""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
from collections.abc import Mapping
from functools import lru_cache

from flask import current_app, g, request
from flask.sessions import SessionInterface
from flask_limiter.util import get_remote_address
from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import RequestEntityTooLarge

from app.accounts.permissions import can
from app.api import rules, services
from app.models import utcnow
from app.outbox import commit

API_PREFIX = "/api/v1"
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


def bearer_token() -> str | None:
    return rules.parse_bearer(request.headers.get("Authorization"))


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


def json_body(fields: Mapping[str, rules.Field]) -> dict:
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
    return rules.check_body(data, fields)


def query_lang() -> str:
    return rules.normalise_lang(request.args.get("lang"), current_app.config["API_DEFAULT_LANG"])


def query_int(name: str, default: int, low: int, high: int) -> int:
    """An integer query parameter within bounds.

    :raises rules.RuleError: not an integer, or out of bounds.
    """
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise rules.RuleError("Not a whole number.", {name: "must be an integer"})
    if not low <= value <= high:
        raise rules.RuleError("Out of range.", {name: f"must be between {low} and {high}"})
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
        etag = etag or rules.etag_for(hashlib.sha256(body).hexdigest())
        if rules.etag_matches(request.headers.get("If-None-Match"), etag):
            return not_modified(etag, cache)
    response = current_app.response_class(body, status=status, mimetype="application/json")
    if etag and status == 200:
        response.headers["ETag"] = f'"{etag}"'
    response.headers["Cache-Control"] = cache
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def not_modified(etag: str, cache: str):
    response = current_app.response_class(status=304)
    response.headers["ETag"] = f'"{etag}"'
    response.headers["Cache-Control"] = cache
    return response


def public_cache(max_age: int) -> str:
    return f"public, max-age={max_age}"


#: Answers that depend on who asks: only the app may keep them, and must revalidate.
PRIVATE = "private, no-cache"


def after_api_request(response):
    """CORS for configured origins; ``no-store`` on anything that did not choose a policy."""
    response.headers.setdefault("Cache-Control", "no-store")
    allowed = current_app.config.get("API_CORS_ORIGINS") or []
    if allowed:
        response.vary.add("Origin")
    origin = rules.allowed_origin(request.headers.get("Origin"), allowed)
    if origin is not None:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = CORS_EXPOSED_HEADERS
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = response.headers.get(
                "Allow", "GET, POST, OPTIONS"
            )
            response.headers["Access-Control-Allow-Headers"] = CORS_REQUEST_HEADERS
            response.headers["Access-Control-Max-Age"] = str(current_app.config["API_CORS_MAX_AGE"])
    if request.headers.get("Authorization"):
        response.vary.add("Authorization")
    return response


# --- rate limits ----------------------------------------------------------------------------
# A lean check on the same ``limits`` library and storage URI as Flask-Limiter: Flask-Limiter's
# per-request resolution of decorated limits cost more than the whole cached snippet answer.


@lru_cache(maxsize=32)
def _parsed(value: str) -> tuple:
    return tuple(parse_many(value))


class LocalFixedWindow:
    """Fixed windows counted in this process, for ``memory://``.

    ``limits``' memory storage starts a timer thread every few milliseconds to expire keys,
    which under load cost more than the request; here expired windows are pruned once a minute.
    Shared storage (``redis://``) goes through ``limits`` itself.
    """

    def __init__(self) -> None:
        self.counts: dict[str, tuple[int, float]] = {}
        self.lock = threading.Lock()
        self.next_prune = 0.0

    def hit(self, item, *identifiers: str) -> bool:
        key = item.key_for(*identifiers)
        now = time.time()
        with self.lock:
            if now >= self.next_prune:
                self.counts = {k: v for k, v in self.counts.items() if v[1] > now}
                self.next_prune = now + 60
            count, reset = self.counts.get(key, (0, 0.0))
            if reset <= now:
                count, reset = 0, now + item.get_expiry()
            if count >= item.amount:
                return False
            self.counts[key] = (count + 1, reset)
            return True

    def get_window_stats(self, item, *identifiers: str) -> tuple[float, int]:
        count, reset = self.counts.get(item.key_for(*identifiers), (0, time.time()))
        return reset, max(0, item.amount - count)


def _strategy():
    ext = current_app.extensions
    if "api_rate_limiter" not in ext:
        uri = current_app.config["RATELIMIT_STORAGE_URI"]
        ext["api_rate_limiter"] = (
            LocalFixedWindow()
            if uri.startswith("memory://")
            else FixedWindowRateLimiter(storage_from_string(uri))
        )
    return ext["api_rate_limiter"]


def is_api_request() -> bool:
    """Flask-Limiter's request filter: the API counts its own limits."""
    return request.path.startswith(API_PREFIX)


def skip_site_limiter_for_api(app, limiter) -> None:
    """Keep Flask-Limiter's per-request check off ``/api/v1`` (it counts its own limits).

    Even with nothing to limit, that check resolves the decorated limits of the endpoint on every
    request; wrapping it keeps the site's login limits as they are and the API path cheap.
    """
    funcs = app.before_request_funcs.get(None, [])
    for index, func in enumerate(funcs):
        if func == limiter._check_request_limit:

            def check(_inner=func):
                if not request.path.startswith(API_PREFIX):
                    return _inner()
                return None

            funcs[index] = check


def check_rate_limits() -> None:
    """Count the request against its address and, with a bearer token, against the token.

    :raises ApiAbort: 429 with ``Retry-After`` (seconds until the window resets).
    """
    config = current_app.config
    if not config.get("RATELIMIT_ENABLED", True) or request.method == "OPTIONS":
        return
    budgets = [(config["API_RATE_LIMIT_PER_IP"], "ip", get_remote_address() or "unknown")]
    plain = bearer_token()
    if plain is not None:
        # A digest, so the limiter's storage (maybe a shared Redis) never holds a usable token.
        digest = hashlib.sha256(plain.encode()).hexdigest()[:24]
        budgets.append((config["API_RATE_LIMIT_PER_TOKEN"], "token", digest))
    strategy = _strategy()
    for value, scope, identity in budgets:
        for item in _parsed(value):
            if not strategy.hit(item, "api", scope, identity):
                reset, _ = strategy.get_window_stats(item, "api", scope, identity)
                retry = max(1, math.ceil(reset - time.time()))
                raise ApiAbort(
                    429,
                    "Too many requests. Wait a moment and try again.",
                    headers={"Retry-After": str(retry)},
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
