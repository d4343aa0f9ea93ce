"""Feedback rules (pure functions: no Flask, no database, no clock).

Who may be asked for a satisfaction rating, who may be sampled for NPS, the NPS arithmetic and
the calendar quarters. The services gather the facts; these functions decide.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

# --- CSAT eligibility -----------------------------------------------------------------------

#: Why a ticket was not surveyed (stored as ``csat_survey.skip_reason``), in the order checked.
SKIP_REASONS: dict[str, str] = {
    "already_surveyed": "Asked before (at most once per ticket)",
    "reopened": "Reopened before the survey was due",
    "closed_as_excluded": "Closed as spam, merged or duplicate",
    "no_public_reply": "No agent replied publicly",
    "staff_requester": "The requester is support staff",
    "opted_out": "The requester opted out of feedback requests",
    "no_requester": "The requester's account is gone",
}


@dataclass(frozen=True)
class CsatRules:
    """The CSAT settings the decision needs (``CSAT_*``)."""

    require_public_reply: bool = True
    skip_staff: bool = True
    excluded_close_reasons: frozenset[str] = frozenset({"spam", "merged", "duplicate"})


@dataclass(frozen=True)
class CsatFacts:
    """What is known about a ticket when its survey falls due."""

    #: ``solved`` or ``closed`` when it may be asked; anything else means it was reopened.
    status: str
    #: Why it was closed, if for a reason (``merged``, ``spam`` ...), else None.
    closed_as: str | None
    has_public_agent_reply: bool
    requester_exists: bool
    requester_is_staff: bool
    requester_opted_out: bool
    already_surveyed: bool = False


def csat_skip_reason(facts: CsatFacts, rules: CsatRules) -> str | None:
    """Why this ticket gets no survey, or None when it is asked (a key of :data:`SKIP_REASONS`)."""
    if facts.already_surveyed:
        return "already_surveyed"
    if facts.status not in ("solved", "closed"):
        return "reopened"
    if facts.closed_as is not None and facts.closed_as in rules.excluded_close_reasons:
        return "closed_as_excluded"
    if rules.require_public_reply and not facts.has_public_agent_reply:
        return "no_public_reply"
    if not facts.requester_exists:
        return "no_requester"
    if rules.skip_staff and facts.requester_is_staff:
        return "staff_requester"
    if facts.requester_opted_out:
        return "opted_out"
    return None


def csat_due_at(solved_at: datetime, delay_hours: float) -> datetime:
    """When the survey of a ticket solved at ``solved_at`` goes out."""
    return solved_at + timedelta(hours=delay_hours)


def may_change_rating(already_rated: bool, ticket_closed: bool) -> bool:
    """A first rating is always taken; a change of mind only until the ticket closes."""
    return not already_rated or not ticket_closed


# --- NPS --------------------------------------------------------------------------------------

PROMOTER, PASSIVE, DETRACTOR = "promoter", "passive", "detractor"


def nps_group(score: int) -> str:
    """Promoters 9-10, passives 7-8, detractors 0-6.

    :raises ValueError: a score outside 0-10.
    """
    if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= 10:
        raise ValueError(f"an NPS score is a whole number 0-10, got {score!r}")
    if score >= 9:
        return PROMOTER
    if score >= 7:
        return PASSIVE
    return DETRACTOR


def nps(scores: Iterable[int]) -> float | None:
    """Net Promoter Score: % promoters - % detractors, from -100 to 100 (None without answers).

    ``nps(range(11))`` is -45.45…: 2 promoters and 7 detractors out of 11.
    """
    counts = {PROMOTER: 0, PASSIVE: 0, DETRACTOR: 0}
    for score in scores:
        counts[nps_group(score)] += 1
    return nps_from_counts(counts[PROMOTER], counts[PASSIVE], counts[DETRACTOR])


def nps_from_counts(promoters: int, passives: int, detractors: int) -> float | None:
    """NPS from group counts: 100 promoters, 30 passives, 80 detractors give 9.52…"""
    total = promoters + passives + detractors
    if total == 0:
        return None
    return 100.0 * (promoters - detractors) / total


@dataclass(frozen=True)
class NpsRules:
    """The sampling settings (``NPS_*``) in days."""

    active_days: int = 90
    min_days_between: int = 90
    csat_quiet_days: int = 14


@dataclass(frozen=True)
class NpsCandidate:
    """One account and the facts sampling needs."""

    user_id: int
    last_active_at: datetime | None
    last_invited_at: datetime | None
    last_csat_at: datetime | None
    opted_out: bool
    is_staff: bool


def nps_skip_reason(candidate: NpsCandidate, now: datetime, rules: NpsRules) -> str | None:
    """Why this account may not be asked now, or None.

    ``inactive``: no sign-in or API use within ``active_days``; ``staff``: support staff answer
    for the company, not as users; ``asked_recently``: invited within ``min_days_between``;
    ``csat_recently``: a satisfaction survey within ``csat_quiet_days``; ``opted_out``.
    """
    if not is_active(candidate.last_active_at, now, rules.active_days):
        return "inactive"
    if candidate.is_staff:
        return "staff"
    if candidate.opted_out:
        return "opted_out"
    last = candidate.last_invited_at
    if last is not None and now - last < timedelta(days=rules.min_days_between):
        return "asked_recently"
    last_csat = candidate.last_csat_at
    if last_csat is not None and now - last_csat < timedelta(days=rules.csat_quiet_days):
        return "csat_recently"
    return None


def is_active(last_active_at: datetime | None, now: datetime, active_days: int) -> bool:
    return last_active_at is not None and now - last_active_at <= timedelta(days=active_days)


def sample_size(active_count: int, share: float, eligible_count: int) -> int:
    """How many to ask: ``share`` of the active accounts (rounded up, so a small site still
    asks someone), never more than may be asked."""
    return min(eligible_count, math.ceil(active_count * share - 1e-9))


def choose_sample(user_ids: Sequence[int], size: int, rng: random.Random) -> list[int]:
    """A uniform random sample (sorted ids first, so a seeded ``rng`` repeats its choice)."""
    return sorted(rng.sample(sorted(user_ids), size))


def quarter_of(moment: datetime) -> str:
    """``2026-Q4`` for any instant in October-December 2026 (UTC)."""
    moment = moment.astimezone(UTC)
    return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"


def quarter_start(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC)
    return datetime(moment.year, 3 * ((moment.month - 1) // 3) + 1, 1, tzinfo=UTC)


def previous_quarter(quarter: str) -> str:
    year, q = int(quarter[:4]), int(quarter[-1])
    return f"{year - 1}-Q4" if q == 1 else f"{year}-Q{q - 1}"


@dataclass(frozen=True)
class NpsTimers:
    """Days after the invitation for the e-mail, after the e-mail for the reminder, and the
    invitation's lifetime."""

    email_after_days: int = 3
    reminder_after_days: int = 7
    response_days: int = 30


def nps_next_step(
    invited_at: datetime,
    emailed_at: datetime | None,
    reminded_at: datetime | None,
    answered: bool,
    now: datetime,
    timers: NpsTimers,
) -> str | None:
    """What the timer does for an open invitation: ``email`` (the fallback), ``remind`` (once)
    or nothing (None): never after an answer, never after the invitation expired."""
    if answered or now - invited_at > timedelta(days=timers.response_days):
        return None
    if emailed_at is None:
        if now - invited_at >= timedelta(days=timers.email_after_days):
            return "email"
        return None
    if reminded_at is None and now - emailed_at >= timedelta(days=timers.reminder_after_days):
        return "remind"
    return None
