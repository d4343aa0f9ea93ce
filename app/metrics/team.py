"""Qualitative measures (services): weekly quality audits of solved tickets against the rubric,
and the anonymous monthly team pulse."""

from __future__ import annotations

import random
import secrets
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from app.accounts.models import User
from app.accounts.permissions import can
from app.errors import DomainError, NotFound, PermissionDenied
from app.extensions import db
from app.metrics import rules
from app.metrics.models import PulseAnswer, PulseReceipt, QualityAudit, TicketMetrics
from app.tickets.services import storable
from app.tickets.sla.clock import get_policy

COMMENT_MAX = 2000
#: Picks the weekly sample; the operating system's randomness, so nobody can predict it.
_chance = random.SystemRandom()


def _zone() -> ZoneInfo:
    return ZoneInfo(get_policy().timezone)


def week_of(moment: datetime) -> date:
    """Monday of the support time zone's week that holds ``moment``."""
    day = moment.astimezone(_zone()).date()
    return day - timedelta(days=day.weekday())


def month_of(moment: datetime) -> date:
    """First day of the support time zone's month that holds ``moment``."""
    return moment.astimezone(_zone()).date().replace(day=1)


def _require(user: User, permission: str) -> None:
    if not can(user, permission):
        raise PermissionDenied("Only team leads and admins audit tickets.")


def draw_sample(lead: User, week: date, now: datetime) -> list[QualityAudit]:
    """Draw the week's random sample of solved tickets (``METRICS_AUDIT_SAMPLE_SIZE``), once:
    drawing again only tops the sample up to the size (tickets solved since).

    :param week: Monday of the week whose solved tickets are sampled.
    :raises PermissionDenied: not a team lead or admin.
    :raises DomainError: a week that has not started.
    """
    _require(lead, "metrics.audit")
    if week.weekday() != 0:
        week -= timedelta(days=week.weekday())
    if week > week_of(now):
        raise DomainError("That week has not started yet.", "week")
    existing = list_audits(week)
    wanted = current_app.config["METRICS_AUDIT_SAMPLE_SIZE"] - len(existing)
    if wanted <= 0:
        return existing
    zone = _zone()
    start = datetime.combine(week, time(0), zone).astimezone(UTC)
    end = datetime.combine(week + timedelta(days=7), time(0), zone).astimezone(UTC)
    taken = {audit.ticket_id for audit in existing}
    candidates = [
        (ticket_id, agent_id)
        for ticket_id, agent_id in db.session.execute(
            select(TicketMetrics.ticket_id, TicketMetrics.agent_id)
            .where(TicketMetrics.resolved_at >= start, TicketMetrics.resolved_at < end)
            .order_by(TicketMetrics.ticket_id)
        )
        if ticket_id not in taken
    ]
    for ticket_id, agent_id in _chance.sample(candidates, min(wanted, len(candidates))):
        db.session.add(QualityAudit(
            ticket_id=ticket_id, week=week, agent_id=agent_id, ratings={}, comment="",
            sampled_at=now,
        ))  # fmt: skip
    db.session.flush()
    return list_audits(week)


def list_audits(week: date) -> list[QualityAudit]:
    return list(
        db.session.scalars(
            select(QualityAudit).where(QualityAudit.week == week).order_by(QualityAudit.id)
        )
    )


def get_audit(lead: User, audit_id: int) -> QualityAudit:
    """:raises NotFound: no such audit, or the person may not audit (never say which)."""
    audit = db.session.get(QualityAudit, audit_id) if can(lead, "metrics.audit") else None
    if audit is None:
        raise NotFound("No such audit.")
    return audit


def review(
    lead: User, audit: QualityAudit, ratings: dict[str, object], comment: str, now: datetime
) -> QualityAudit:
    """Rate the audited ticket on every criterion of the rubric (1-4) with a comment.

    :param ratings: criterion name -> rating as given.
    :raises DomainError: a criterion unrated or off the scale (``field`` is ``c<index>``), or
        the comment too long.
    """
    _require(lead, "metrics.audit")
    criteria = current_app.config["METRICS_AUDIT_CRITERIA"]
    checked: dict[str, int] = {}
    for index, name in enumerate(criteria):
        value = ratings.get(name)
        if isinstance(value, str) and value.isdigit() and value.isascii():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 4:
            raise DomainError(f"Rate \u201c{name}\u201d from 1 to 4.", f"c{index}")
        checked[name] = value
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX or not storable(comment):
        raise DomainError(f"Keep the comment under {COMMENT_MAX} characters.", "comment")
    audit.ratings = checked
    audit.comment = comment
    audit.score = rules.audit_score(list(checked.values()))
    audit.reviewer_id = lead.id
    audit.reviewed_at = now
    db.session.flush()
    return audit


def answer_pulse(member: User, score: object, comment: str, now: datetime) -> None:
    """Record a staff member's anonymous answer to this month's pulse (one per month).

    The answer row holds only the month, the score and the comment; a separate receipt says
    that this person answered, so the same person cannot answer twice.

    :raises PermissionDenied: not staff. :raises DomainError: off the scale, comment too long,
        or already answered this month.
    """
    if not can(member, "metrics.pulse"):
        raise PermissionDenied("The team pulse is for the support team.")
    if isinstance(score, str) and score.isdigit() and score.isascii():
        score = int(score)
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise DomainError("Choose from 1 to 5.", "score")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX or not storable(comment):
        raise DomainError(f"Keep the comment under {COMMENT_MAX} characters.", "comment")
    month = month_of(now)
    if db.session.get(PulseReceipt, (member.id, month)) is not None:
        raise DomainError("You have answered this month's pulse already. Thank you!", "score")
    db.session.add(PulseReceipt(user_id=member.id, month=month))
    db.session.add(
        PulseAnswer(key=secrets.token_hex(16), month=month, score=score, comment=comment)
    )
    db.session.flush()


def has_answered(member: User, now: datetime) -> bool:
    return db.session.get(PulseReceipt, (member.id, month_of(now))) is not None
