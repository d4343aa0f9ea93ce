"""Metric tables: each ticket's figures (replayed from its event log) and the daily rollups.

Both are derived data: ``flask metrics rebuild`` recomputes them from the event log and gives
the same rows; ``flask metrics update`` (and the ``--every`` loop) keeps them current.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class TicketMetrics(db.Model):
    """One ticket's figures. No foreign key: the rollups outlive nothing, but a rebuild must
    be able to write rows in any order."""

    __tablename__ = "metrics_ticket"
    __table_args__ = (Index("ix_metrics_ticket_created_day", "created_day"),)

    ticket_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime]
    #: The creation date in the support time zone (ranges on the dashboard are local days).
    created_day: Mapped[date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(30))
    priority: Mapped[str] = mapped_column(String(10))
    channel: Mapped[str] = mapped_column(String(10))
    tier: Mapped[int] = mapped_column(Integer)
    #: The assignee (0: nobody), the "agent" of the agent filter.
    agent_id: Mapped[int] = mapped_column(Integer, default=0)
    #: First response: business seconds (calendar of the priority in force, pauses out) and
    #: calendar seconds; whether it met the target. Null while unanswered.
    first_response_business: Mapped[float | None] = mapped_column(Float)
    first_response_calendar: Mapped[float | None] = mapped_column(Float)
    first_response_met: Mapped[bool | None]
    #: ``[[business seconds, calendar seconds], ...]`` for every later customer wait.
    next_replies: Mapped[list] = mapped_column(JSON, default=list)
    resolved_at: Mapped[datetime | None]
    resolution_seconds: Mapped[float | None] = mapped_column(Float)
    resolution_active_seconds: Mapped[float | None] = mapped_column(Float)
    #: ISO instants of each resolution and reopen; ``[[iso, from, to], ...]`` escalations.
    resolutions: Mapped[list] = mapped_column(JSON, default=list)
    reopens: Mapped[list] = mapped_column(JSON, default=list)
    escalations: Mapped[list] = mapped_column(JSON, default=list)


class DailyRollup(db.Model):
    """How many tickets did something (``measure``) on one local day, per combination of
    dimensions. Updated by adding each ticket's change, so it never needs a full scan."""

    __tablename__ = "metrics_day"
    __table_args__ = (
        UniqueConstraint(
            "day", "category", "priority", "channel", "tier", "agent_id", "measure",
            name="uq_metrics_day_key",
        ),
        # Every dashboard query reads a day range of some measures: this index answers them
        # without touching the table.
        Index(
            "ix_metrics_day_day_measure", "day", "measure", "category", "priority", "channel",
            "tier", "agent_id", "count",
        ),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(30))
    priority: Mapped[str] = mapped_column(String(10))
    channel: Mapped[str] = mapped_column(String(10))
    tier: Mapped[int] = mapped_column(Integer)
    agent_id: Mapped[int] = mapped_column(Integer)
    #: One of :data:`app.metrics.ticket_rules.MEASURES`.
    measure: Mapped[str] = mapped_column(String(12))
    count: Mapped[int] = mapped_column(Integer, default=0)


class MetricsCursor(db.Model):
    """How far the incremental update has read the ticket event log."""

    __tablename__ = "metrics_cursor"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime]


class QualityAudit(db.Model):
    """A team lead's review of one solved ticket from the week's random sample, against the
    rubric (``METRICS_AUDIT_CRITERIA``): each criterion 1-4 and a comment."""

    __tablename__ = "metrics_quality_audit"
    __table_args__ = (
        UniqueConstraint("ticket_id", "week", name="uq_metrics_quality_audit_ticket_week"),
        Index("ix_metrics_quality_audit_week", "week"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"))
    #: Monday (support time zone) of the week whose solved tickets were sampled.
    week: Mapped[date] = mapped_column(Date)
    #: Who answered the ticket (its assignee when sampled; 0 for nobody).
    agent_id: Mapped[int] = mapped_column(Integer, default=0)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    #: ``{criterion: 1-4}`` as rated; empty until reviewed.
    ratings: Mapped[dict] = mapped_column(JSON, default=dict)
    comment: Mapped[str] = mapped_column(Text, default="")
    #: :func:`app.metrics.rules.audit_score` of the ratings (0-1); null until reviewed.
    score: Mapped[float | None] = mapped_column(Float)
    sampled_at: Mapped[datetime]
    reviewed_at: Mapped[datetime | None]


class PulseAnswer(db.Model):
    """One anonymous answer of the monthly team pulse. Nothing here names the person: the key
    is random (so rows carry no order that could be matched with :class:`PulseReceipt`), and
    only the month is kept, not the time."""

    __tablename__ = "metrics_pulse_answer"
    __table_args__ = (Index("ix_metrics_pulse_answer_month", "month"),)

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: First day of the month answered for.
    month: Mapped[date] = mapped_column(Date)
    #: 1 (bad) to 5 (great).
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")


class PulseReceipt(db.Model):
    """That a staff member answered a month's pulse (one answer each), without the answer."""

    __tablename__ = "metrics_pulse_receipt"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)


class SessionSalt(db.Model):
    """The random secret of one UTC day's session keys. Deleted once the day is over, so no
    one can recompute an old key from a user agent or link keys of two days."""

    __tablename__ = "metrics_session_salt"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))


class HelpSession(db.Model):
    """One browser's (or signed-in person's) use of the help center on one UTC day, written
    from the page-view tallies (never on the request path); see ``app/metrics/sessions.py``."""

    __tablename__ = "metrics_session"
    __table_args__ = (
        UniqueConstraint("day", "key", name="uq_metrics_session_day_key"),
        Index("ix_metrics_session_first_seen_at", "first_seen_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    #: :func:`app.metrics.rules.session_key` under the day's salt.
    key: Mapped[str] = mapped_column(String(32))
    #: The account signed in during the session (or signing in right after an anonymous
    #: start); no foreign key: an erased account leaves an anonymous session behind.
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    #: ``last_seen_at`` + 24 h: a request of the same person up to then follows the session.
    follow_until: Mapped[datetime]
    views: Mapped[int] = mapped_column(Integer, default=0)


class HelpSessionArticle(db.Model):
    """The articles one help-center session read, with the time of the first and last view
    (for "views not followed by a ticket on the same topic within 24 h")."""

    __tablename__ = "metrics_session_article"
    __table_args__ = (
        UniqueConstraint("session_id", "article_id", name="uq_metrics_session_article"),
        Index("ix_metrics_session_article_article_id", "article_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("metrics_session.id", ondelete="CASCADE"))
    article_id: Mapped[int] = mapped_column(Integer)
    first_viewed_at: Mapped[datetime]
    #: The last view + 24 h (the window in which a same-topic ticket counts as following).
    follow_until: Mapped[datetime]
    views: Mapped[int] = mapped_column(Integer, default=0)
