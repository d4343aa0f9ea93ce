"""Rate limits of ``/api/v1``: per address for everyone, per token for the signed-in app.

The site's Flask-Limiter leaves the API alone (the blueprint is self-contained, and a
``request_filter`` covers ``/api/v1`` paths that match no route, see ``app.api.views``); the
API counts its own fixed windows on the same storage URI with the ``limits`` library that
Flask-Limiter is built on, because resolving decorated limits per request cost more than the
whole cached snippet answer.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from dataclasses import dataclass
from functools import lru_cache

from flask import current_app, request
from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

API_PREFIX = "/api/v1"


class RateLimited(Exception):
    """A budget is spent; ``retry_after`` is the number of seconds until its window resets."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Budget:
    """One parsed limit (``300 per minute``) with its storage key prefix computed once."""

    item: RateLimitItem
    scope: str
    prefix: str

    @property
    def amount(self) -> int:
        return self.item.amount

    @property
    def seconds(self) -> int:
        return self.item.get_expiry()


@lru_cache(maxsize=32)
def parse_budgets(value: str, scope: str) -> tuple[Budget, ...]:
    """``value`` (Flask-Limiter's notation, ``;``-separated) as budgets of ``scope``."""
    return tuple(
        Budget(item, scope, f"{scope}/{item.amount}/{item.multiples}/{item.GRANULARITY.name}/")
        for item in parse_many(value)
    )


class LocalFixedWindow:
    """Fixed windows counted in this process, for ``memory://``.

    ``limits``' memory storage starts a timer thread every few milliseconds to expire keys,
    which under load cost more than the request; here expired windows are pruned once a minute.
    """

    def __init__(self) -> None:
        self.counts: dict[str, tuple[int, float]] = {}
        self.lock = threading.Lock()
        self.next_prune = 0.0

    def hit(self, budget: Budget, identity: str, now: float) -> float | None:
        """Count one request; None when allowed, else the time its window resets."""
        key = budget.prefix + identity
        with self.lock:
            if now >= self.next_prune:
                self.counts = {k: v for k, v in self.counts.items() if v[1] > now}
                self.next_prune = now + 60
            count, reset = self.counts.get(key, (0, 0.0))
            if reset <= now:
                count, reset = 0, now + budget.seconds
            if count >= budget.amount:
                return reset
            self.counts[key] = (count + 1, reset)
            return None


class SharedFixedWindow:
    """Fixed windows in shared storage (``redis://`` ...), through ``limits`` itself."""

    def __init__(self, uri: str) -> None:
        self.strategy = FixedWindowRateLimiter(storage_from_string(uri))

    def hit(self, budget: Budget, identity: str, now: float) -> float | None:
        if self.strategy.hit(budget.item, "api", budget.scope, identity):
            return None
        return self.strategy.get_window_stats(budget.item, "api", budget.scope, identity)[0]


def _counter(app):
    ext = app.extensions
    counter = ext.get("api_rate_counter")
    if counter is None:
        uri = app.config["RATELIMIT_STORAGE_URI"]
        counter = LocalFixedWindow() if uri.startswith("memory://") else SharedFixedWindow(uri)
        ext["api_rate_counter"] = counter
    return counter


def is_api_request() -> bool:
    """Flask-Limiter's request filter: the API counts its own limits."""
    return request.path.startswith(API_PREFIX)


def check(bearer: str | None) -> None:
    """Count the request against its address and, with a bearer token, against the token.

    :raises RateLimited: a budget is spent.
    """
    app = current_app._get_current_object()  # one context look-up for config and counter
    config = app.config
    environ = request.environ
    if not config["RATELIMIT_ENABLED"] or environ["REQUEST_METHOD"] == "OPTIONS":
        return
    address = environ.get("REMOTE_ADDR") or "-"
    checks = [(parse_budgets(config["API_RATE_LIMIT_PER_IP"], "ip"), address)]
    if bearer is not None:
        # A digest, so the limiter's storage (maybe a shared Redis) never holds a usable token.
        digest = hashlib.sha256(bearer.encode()).hexdigest()[:24]
        checks.append((parse_budgets(config["API_RATE_LIMIT_PER_TOKEN"], "token"), digest))
    counter = _counter(app)
    now = time.time()
    for budgets, identity in checks:
        for budget in budgets:
            reset = counter.hit(budget, identity, now)
            if reset is not None:
                raise RateLimited(max(1, math.ceil(reset - now)))
