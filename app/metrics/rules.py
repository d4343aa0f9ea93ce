"""The published metric formulas (pure: numbers in, numbers out; no Flask, no database).

Every function here is one formula of the formulas page (``/metrics/formulas``), which quotes
these docstrings. Rates are fractions in ``[0, 1]`` (pages show them as percentages); a rate
with nothing to divide by is ``None`` ("no data"), never 0, so an empty week never reads as a
perfect or a failed one.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Sequence
from dataclasses import dataclass

#: NPS answer bands (0-10 scale): 9-10 promoters, 7-8 passives, 0-6 detractors.
PROMOTER_MIN = 9
DETRACTOR_MAX = 6
#: Two-sided 95 % normal quantile for confidence intervals.
Z_95 = 1.959963984540054
#: Smallest number of pulse answers that may be shown (anonymity of the team pulse).
PULSE_MIN_ANSWERS = 5


def ratio(numerator: float, denominator: float) -> float | None:
    """``numerator / denominator``; ``None`` when the denominator is 0 (no data)."""
    return numerator / denominator if denominator else None


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The ``fraction`` quantile (0.5 = median, 0.9 = 90th percentile), linearly interpolated
    between the two nearest ranks of the sorted values (the "type 7" definition of R and
    NumPy's default): position ``(n - 1) * fraction`` counted from 0.

    :returns: ``None`` for no values.
    :raises ValueError: for a fraction outside ``[0, 1]``.
    """
    if not 0 <= fraction <= 1:
        raise ValueError(f"fraction must be in [0, 1], got {fraction}")
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def change(current: float | None, previous: float | None) -> float | None:
    """Relative change against the previous range: ``(current - previous) / previous``;
    ``None`` when either is missing or the previous value is 0."""
    if current is None or previous is None or previous == 0:
        return None
    return (current - previous) / previous


@dataclass(frozen=True)
class Csat:
    """CSAT: ``good / rated``; response rate: ``rated / surveys sent``."""

    good: int
    rated: int
    sent: int

    @property
    def score(self) -> float | None:
        return ratio(self.good, self.rated)

    @property
    def response_rate(self) -> float | None:
        return ratio(self.rated, self.sent)


def csat(good: int, bad: int, sent: int) -> Csat:
    """CSAT from the ratings of one range.

    :param good: answers rating the interaction good.
    :param bad: answers rating it bad.
    :param sent: surveys sent in the range (unanswered ones included).
    :raises ValueError: negative counts, or more answers than surveys sent.
    """
    if min(good, bad, sent) < 0:
        raise ValueError("counts cannot be negative")
    if good + bad > sent:
        raise ValueError("more answers than surveys sent")
    return Csat(good, good + bad, sent)


@dataclass(frozen=True)
class Nps:
    """Net Promoter Score of one sample, on the -100..100 scale, with its 95 % interval."""

    promoters: int
    passives: int
    detractors: int
    sent: int

    @property
    def answers(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def score(self) -> float | None:
        """``100 * (promoters - detractors) / answers``."""
        if not self.answers:
            return None
        return 100 * (self.promoters - self.detractors) / self.answers

    @property
    def response_rate(self) -> float | None:
        return ratio(self.answers, self.sent)

    @property
    def margin(self) -> float | None:
        """Half-width of the 95 % confidence interval: each answer is +1 (promoter), 0
        (passive) or -1 (detractor); NPS is 100 times their mean, whose variance is
        ``p + d - (p - d)^2`` (``p``, ``d`` the promoter and detractor shares), so the margin
        is ``100 * 1.96 * sqrt((p + d - (p - d)^2) / n)``."""
        n = self.answers
        if not n:
            return None
        p, d = self.promoters / n, self.detractors / n
        variance = max(p + d - (p - d) ** 2, 0.0)
        return 100 * Z_95 * math.sqrt(variance / n)

    @property
    def interval(self) -> tuple[float, float] | None:
        """The 95 % interval, clipped to the scale's -100..100."""
        if self.score is None or self.margin is None:
            return None
        return max(-100.0, self.score - self.margin), min(100.0, self.score + self.margin)


def nps(scores: Sequence[int], sent: int | None = None) -> Nps:
    """NPS from 0-10 answers.

    :param scores: the answers of the sample.
    :param sent: surveys sent (for the response rate); the answers' count when unknown.
    :raises ValueError: an answer outside 0-10, or more answers than surveys sent.
    """
    promoters = passives = detractors = 0
    for score in scores:
        if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 10:
            raise ValueError(f"an NPS answer is a whole number 0-10, got {score!r}")
        if score >= PROMOTER_MIN:
            promoters += 1
        elif score <= DETRACTOR_MAX:
            detractors += 1
        else:
            passives += 1
    total = promoters + passives + detractors
    if sent is None:
        sent = total
    if sent < total:
        raise ValueError("more answers than surveys sent")
    return Nps(promoters, passives, detractors, sent)


def self_service_score(help_center_users: int, ticket_users: int) -> float | None:
    """Self-service score: people who used the help center per person who opened a ticket
    (1,000 help-center users and 250 ticket requesters give 4.0, "4:1")."""
    return ratio(help_center_users, ticket_users)


def session_success_rate(sessions: int, followed_by_request: int) -> float | None:
    """Help-center sessions *not* followed by a request from the same person within 24 hours,
    over all sessions."""
    if followed_by_request > sessions:
        raise ValueError("more followed sessions than sessions")
    return ratio(sessions - followed_by_request, sessions)


def guide_success_rate(solved: int, not_solved: int) -> float | None:
    """Troubleshooting guides: "Did this solve it?" answered *yes* over all answers."""
    return ratio(solved, solved + not_solved)


def helpful_ratio(yes: int, no: int) -> float | None:
    """Article votes: helpful over all votes."""
    return ratio(yes, yes + no)


def primary_language(accept_language: str | None) -> str:
    """The coarse client hint of a session key: the primary subtag of the browser's first
    preferred language (``"de-DE,de;q=0.9,en;q=0.8"`` gives ``"de"``), lower case, at most 8
    letters; empty when the header is missing or malformed."""
    first = (accept_language or "").split(",", 1)[0].split(";", 1)[0].strip()
    tag = first.split("-", 1)[0].lower()
    return tag if tag.isalpha() and len(tag) <= 8 else ""


def browser_digest(user_agent: str | None, accept_language: str | None) -> str:
    """What a page view says about the browser that asked: SHA-256 of the user agent and the
    :func:`primary_language`. Unsalted, so it only lives seconds (in the page-view tallies)
    before :func:`session_key` salts it; it never reaches the database."""
    message = f"{user_agent or ''}\n{primary_language(accept_language)}".encode()
    return hashlib.sha256(message).hexdigest()[:32]


def session_key(daily_salt: str, browser: str, person: str = "") -> str:
    """The first-party, cookie-less, address-free key of one help-center session.

    ``HMAC-SHA256(daily salt, browser digest + person)``: the browser digest is the user agent
    and the first preferred language (:func:`browser_digest`), ``person`` the signed-in
    account's id (empty for visitors). The salt is random, kept for its UTC day and then
    deleted, so keys of different days cannot be linked and nobody can recompute a key from a
    user agent. Limits: visitors sharing a browser build and language on one day count as one
    session; a visitor who signs in mid-visit starts a second one (the anonymous one is then
    attributed to the account, see ``app/metrics/sessions.py``).
    """
    message = f"{browser}\n{person}".encode()
    return hmac.new(daily_salt.encode(), message, hashlib.sha256).hexdigest()[:32]


def article_follow_up_free_rate(views: int, followed: int) -> float | None:
    """Article effectiveness: views *not* followed by a ticket of the same person on the
    article's topic (the ticket category whose section it is) within 24 hours, over all
    views."""
    if followed > views:
        raise ValueError("more followed views than views")
    return ratio(views - followed, views)


def click_through(searches: int, clicked: int) -> float | None:
    """Search click-through: searches followed by a click on one of their results, over all
    logged searches."""
    if clicked > searches:
        raise ValueError("more clicked searches than searches")
    return ratio(clicked, searches)


def pulse_average(answers: Sequence[int]) -> float | None:
    """Team pulse: the mean of the 1-5 answers, shown only from
    :data:`PULSE_MIN_ANSWERS` answers on (``None`` below, so no one's answer can be singled
    out)."""
    if len(answers) < PULSE_MIN_ANSWERS:
        return None
    return sum(answers) / len(answers)


def audit_score(ratings: Sequence[int]) -> float | None:
    """One quality audit: the mean of its criteria ratings (1-4 each), as a fraction of the
    best score: ``(mean - 1) / 3`` (all 1s give 0 %, all 4s 100 %)."""
    if not ratings:
        return None
    if any(not 1 <= rating <= 4 for rating in ratings):
        raise ValueError("each criterion is rated 1-4")
    return (sum(ratings) / len(ratings) - 1) / 3
