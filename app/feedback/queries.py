"""Read-only look-ups of feedback, for pages, reports and the metrics dashboard.

The metrics feature reads CSAT and NPS only through these functions; each says exactly which
rows it counts. Date ranges are half-open: ``start <= t < end`` (UTC).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from app.feedback import rules
from app.feedback.models import BAD, GOOD, SENT, CsatAnswer, CsatSurvey, NpsInvitation, NpsWave
from app.feedback.settings import SETTINGS


@dataclass(frozen=True)
class CsatSummary:
    """Surveys asked (created) in a range and the current ratings among them."""

    asked: int
    good: int
    bad: int

    @property
    def answered(self) -> int:
        return self.good + self.bad

    @property
    def csat_percent(self) -> float | None:
        """Good ratings as a share of all ratings (Zendesk's CSAT), or None without ratings."""
        return 100.0 * self.good / self.answered if self.answered else None

    @property
    def response_rate(self) -> float | None:
        return 100.0 * self.answered / self.asked if self.asked else None


def ratings_between(start: datetime, end: datetime) -> list[CsatSurvey]:
    """Answered surveys whose latest answer falls in ``[start, end)``, oldest first."""
    return list(
        db.session.scalars(
            select(CsatSurvey)
            .where(CsatSurvey.rated_at >= start, CsatSurvey.rated_at < end)
            .order_by(CsatSurvey.rated_at, CsatSurvey.id)
        )
    )


def csat_summary(start: datetime, end: datetime) -> CsatSummary:
    """Surveys sent in ``[start, end)`` and their current ratings (skipped ones never count)."""
    rows = db.session.execute(
        select(CsatSurvey.rating, func.count())
        .where(CsatSurvey.state == SENT, CsatSurvey.created_at >= start,
               CsatSurvey.created_at < end)
        .group_by(CsatSurvey.rating)
    ).all()  # fmt: skip
    counts = {rating: count for rating, count in rows}
    return CsatSummary(asked=sum(counts.values()), good=counts.get(GOOD, 0), bad=counts.get(BAD, 0))


def bad_reasons(start: datetime, end: datetime) -> list[tuple[str, int]]:
    """Reasons of current bad ratings given in ``[start, end)``, most frequent first
    (``"No reason given"`` for bad ratings without one)."""
    rows = db.session.execute(
        select(CsatSurvey.reason, func.count())
        .where(CsatSurvey.rating == BAD, CsatSurvey.rated_at >= start, CsatSurvey.rated_at < end)
        .group_by(CsatSurvey.reason)
    ).all()
    named = [(reason or "No reason given", count) for reason, count in rows]
    return sorted(named, key=lambda row: (-row[1], row[0]))


def survey_for_ticket(ticket_id: int) -> CsatSurvey | None:
    """The ticket's survey (asked or skipped), for the agent's ticket page."""
    return db.session.scalar(select(CsatSurvey).where(CsatSurvey.ticket_id == ticket_id))


def answers_of(survey_id: int) -> list[CsatAnswer]:
    """Every answer given to a survey, oldest first (the history of a change of mind)."""
    return list(
        db.session.scalars(
            select(CsatAnswer).where(CsatAnswer.survey_id == survey_id).order_by(CsatAnswer.id)
        )
    )


def bad_ratings(page: int = 1, *, open_only: bool = True, per_page: int = 25):
    """Bad ratings of tickets (not yet followed up, with ``open_only``), oldest first."""
    # A guide's bad rating is content feedback (the report lists it), not an agent's follow-up.
    query = select(CsatSurvey).where(CsatSurvey.rating == BAD, CsatSurvey.ticket_id.is_not(None))
    if open_only:
        query = query.where(CsatSurvey.followed_up_at.is_(None))
    query = query.order_by(CsatSurvey.rated_at, CsatSurvey.id)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


@dataclass(frozen=True)
class NpsQuarter:
    """One quarter's wave: who was asked, who answered, and the score."""

    quarter: str
    invited: int
    answered: int
    promoters: int
    passives: int
    detractors: int

    @property
    def score(self) -> float | None:
        return rules.nps_from_counts(self.promoters, self.passives, self.detractors)

    @property
    def response_rate(self) -> float | None:
        return 100.0 * self.answered / self.invited if self.invited else None


def nps_answers(quarter: str) -> list[int]:
    """The scores given in the wave of ``quarter`` (``2026-Q4``)."""
    return list(
        db.session.scalars(
            select(NpsInvitation.score)
            .join(NpsWave, NpsWave.id == NpsInvitation.wave_id)
            .where(NpsWave.quarter == quarter, NpsInvitation.answered_at.is_not(None))
        )
    )


def nps_quarter(quarter: str) -> NpsQuarter:
    """Invitations and answers of one quarter's wave (zeros when there was none)."""
    invited = db.session.scalar(
        select(func.count())
        .select_from(NpsInvitation)
        .join(NpsWave, NpsWave.id == NpsInvitation.wave_id)
        .where(NpsWave.quarter == quarter)
    )
    groups = {rules.PROMOTER: 0, rules.PASSIVE: 0, rules.DETRACTOR: 0}
    scores = nps_answers(quarter)
    for score in scores:
        groups[rules.nps_group(score)] += 1
    return NpsQuarter(
        quarter=quarter, invited=invited or 0, answered=len(scores),
        promoters=groups[rules.PROMOTER], passives=groups[rules.PASSIVE],
        detractors=groups[rules.DETRACTOR],
    )  # fmt: skip


def invitations_in_wave(wave_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(NpsInvitation).where(NpsInvitation.wave_id == wave_id)
    )


def waves() -> list[NpsWave]:
    """Every wave, newest first."""
    return list(db.session.scalars(select(NpsWave).order_by(NpsWave.started_at.desc())))


def settings_in_force() -> list[tuple[str, object, str]]:
    """``(key, value, meaning)`` of every feedback setting, for the admins' page."""
    return [(s.key, current_app.config[s.key], s.description) for s in SETTINGS]
