"""How many tickets an account and a client address may open, and how many megabytes of
attachments they may upload, in fixed windows (``TICKET_CREATE_LIMIT_PER_*``,
``TICKET_UPLOAD_MB_PER_*``; Flask-Limiter's notation).

The site and the API count against the same budgets, kept in ``RATELIMIT_STORAGE_URI`` (Redis
when several processes serve) with the ``limits`` library that Flask-Limiter is built on: a
limit on an upload's *size* is a cost per request, which route decorators can't express.
Views call :func:`spend` once the input is valid, so a form error never uses up a budget.
``RATELIMIT_ENABLED = False`` switches the limits off (as it does the site's others).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from flask import current_app
from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from app.tickets.services import TicketError

MEGABYTE = 1024 * 1024


class SubmissionLimited(TicketError):
    """A budget is spent; ``retry_after`` is the number of seconds until its window resets."""

    def __init__(self, message: str, field: str | None, retry_after: int) -> None:
        super().__init__(message, field)
        self.retry_after = retry_after


@dataclass(frozen=True)
class _Budget:
    item: RateLimitItem
    identity: tuple[str, ...]
    cost: int
    kind: str  # "tickets" or "bytes"


def _limiter(app) -> FixedWindowRateLimiter:
    limiter = app.extensions.get("ticket_submission_limiter")
    if limiter is None:
        limiter = FixedWindowRateLimiter(storage_from_string(app.config["RATELIMIT_STORAGE_URI"]))
        app.extensions["ticket_submission_limiter"] = limiter
    return limiter


def _in_bytes(item: RateLimitItem) -> RateLimitItem:
    # The settings count megabytes (readable); the window counts bytes (exact).
    return type(item)(item.amount * MEGABYTE, item.multiples, item.namespace)


def _budgets(user_id: int, address: str, *, new_ticket: bool, upload_bytes: int) -> list[_Budget]:
    config = current_app.config
    budgets = []
    scopes = (("ACCOUNT", f"account:{user_id}"), ("IP", f"ip:{address or '-'}"))
    for scope, who in scopes:
        if new_ticket:
            for item in parse_many(config[f"TICKET_CREATE_LIMIT_PER_{scope}"]):
                budgets.append(_Budget(item, ("ticket-create", who), 1, "tickets"))
        if upload_bytes:
            for item in parse_many(config[f"TICKET_UPLOAD_MB_PER_{scope}"]):
                identity = ("ticket-upload", who)
                budgets.append(_Budget(_in_bytes(item), identity, upload_bytes, "bytes"))
    return budgets


def _refusal(budget: _Budget, limiter: FixedWindowRateLimiter) -> SubmissionLimited:
    reset = limiter.get_window_stats(budget.item, *budget.identity).reset_time
    retry_after = max(1, math.ceil(reset - time.time()))
    wait = f"{math.ceil(retry_after / 60)} minute{'s' if retry_after > 60 else ''}"
    if budget.kind == "tickets":
        return SubmissionLimited(
            "You have opened several requests in a short time. Please wait about "
            f"{wait} before opening another, or add to a request you already have.",
            None,
            retry_after,
        )
    return SubmissionLimited(
        "You have uploaded a lot of attachments recently. Please wait about "
        f"{wait}, or send fewer or smaller files.",
        "attachments",
        retry_after,
    )


def spend(user_id: int, address: str, *, new_ticket: bool, upload_bytes: int = 0) -> None:
    """Count one submission against the account's and the address's budgets.

    Nothing is counted unless every budget allows it.

    :param new_ticket: it opens a ticket (a reply only counts its attachment bytes).
    :param upload_bytes: the total size of its attachments.
    :raises SubmissionLimited: a budget is spent, with the seconds until it resets.
    """
    app = current_app._get_current_object()
    if not app.config.get("RATELIMIT_ENABLED", True):
        return
    limiter = _limiter(app)
    budgets = _budgets(user_id, address, new_ticket=new_ticket, upload_bytes=upload_bytes)
    for budget in budgets:
        if not limiter.test(budget.item, *budget.identity, cost=budget.cost):
            raise _refusal(budget, limiter)
    for budget in budgets:
        if not limiter.hit(budget.item, *budget.identity, cost=budget.cost):
            raise _refusal(budget, limiter)  # a concurrent submission took the rest
