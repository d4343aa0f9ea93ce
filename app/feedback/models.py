"""Feedback tables: the per-person opt-out, satisfaction surveys (CSAT) with their append-only
answers, and quarterly NPS waves with one invitation per person asked.

These tables are read by the metrics dashboard through :mod:`app.feedback.queries`; each column
says what it means so a report can be written without reading the services. All times are UTC.
When an account is deleted, ``respondent_id``/``user_id`` become null (the answers stay for the
totals, anonymised: :func:`app.feedback.services.anonymise_feedback`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

#: CSAT scale (Zendesk's): the only two ratings.
GOOD, BAD = "good", "bad"
RATINGS = (GOOD, BAD)
#: Survey states: ``sent`` (asked; may be answered) or ``skipped`` (decided not to ask).
SENT, SKIPPED = "sent", "skipped"


class FeedbackPreference(db.Model):
    """One row per person who ever changed the "Don't ask me for feedback" setting.

    Kept apart from the account table; no row means the person may be asked.
    """

    __tablename__ = "feedback_preference"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    #: True: no satisfaction survey and no NPS invitation, both at once.
    opted_out: Mapped[bool] = mapped_column(default=False)
    changed_at: Mapped[datetime]


class CsatSurvey(db.Model):
    """The satisfaction question about one interaction (at most one per ticket).

    A row is written when the decision is taken: ``state`` ``sent`` (the person is asked by
    e-mail, on the request page and in the app) or ``skipped`` with ``skip_reason`` (one of
    :data:`app.feedback.rules.SKIP_REASONS`), so each ticket is decided once. ``rating`` holds
    the current answer (the person may change it until the ticket closes); every answer given is
    also kept in :class:`CsatAnswer`.
    """

    __tablename__ = "csat_survey"
    __table_args__ = (Index("ix_csat_survey_rated_at", "rated_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The ticket asked about; unique, so a ticket is never surveyed twice. Null for a guide.
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"), unique=True)
    #: The troubleshooting guide's outcome rated (``source`` ``guide``); one rating per outcome.
    guide_outcome_id: Mapped[int | None] = mapped_column(
        ForeignKey("kb_guide_outcome.id", ondelete="SET NULL"), unique=True
    )
    #: What ended: ``ticket`` (solved, any channel), ``chat``, or ``guide`` (a troubleshooting
    #: guide; asked on the guide's last page, no e-mail, never followed up by the team lead).
    source: Mapped[str] = mapped_column(String(10))
    #: The ticket's channel when asked (web, email, api, forum, social, chat, guide ...).
    channel: Mapped[str] = mapped_column(String(10))
    #: The requester asked; null once their account is deleted.
    respondent_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    #: The last agent who replied publicly: the rating is theirs. Null if no agent replied.
    agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    state: Mapped[str] = mapped_column(String(10))
    skip_reason: Mapped[str | None] = mapped_column(String(30))
    #: When the decision was taken (and the e-mail queued, for ``sent``).
    created_at: Mapped[datetime] = mapped_column(index=True)
    #: ``good``, ``bad`` or null (not answered).
    rating: Mapped[str | None] = mapped_column(String(4))
    #: One of ``CSAT_BAD_REASONS`` (bad ratings only), and the free comment.
    reason: Mapped[str | None] = mapped_column(String(100))
    comment: Mapped[str | None] = mapped_column(Text)
    #: The latest answer's time (null: never answered).
    rated_at: Mapped[datetime | None]
    #: Random part of the e-mail links; a used link (``link_used_at``) never votes again.
    link_nonce: Mapped[str] = mapped_column(String(32))
    link_used_at: Mapped[datetime | None]
    #: A bad rating waits for the team lead's follow-up; set when they mark it done.
    followed_up_at: Mapped[datetime | None]
    followed_up_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )


class CsatAnswer(db.Model):
    """Every answer given to a survey, in order (append-only: a change of mind adds a row)."""

    __tablename__ = "csat_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("csat_survey.id"), index=True)
    rating: Mapped[str] = mapped_column(String(4))
    reason: Mapped[str | None] = mapped_column(String(100))
    comment: Mapped[str | None] = mapped_column(Text)
    #: Where it was given: ``email`` (the link), ``page`` (request page), ``api``.
    via: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime]


class NpsWave(db.Model):
    """One quarter's satisfaction survey: who could be asked and how many were."""

    __tablename__ = "nps_wave"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``2026-Q4``; one wave per quarter.
    quarter: Mapped[str] = mapped_column(String(7), unique=True)
    started_at: Mapped[datetime]
    #: ``NPS_SAMPLE_SHARE`` when the wave started.
    sample_share: Mapped[float]
    #: Active accounts at the start, and how many of them could be asked (rules passed).
    active_count: Mapped[int] = mapped_column(Integer)
    eligible_count: Mapped[int] = mapped_column(Integer)


class NpsInvitation(db.Model):
    """One person asked in one wave; the response rate of a wave is exact from these rows."""

    __tablename__ = "nps_invitation"
    __table_args__ = (Index("ix_nps_invitation_user_id_invited_at", "user_id", "invited_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("nps_wave.id"), index=True)
    #: Null once the account is deleted (the answer stays, anonymised).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    invited_at: Mapped[datetime]
    #: In-app first: when the app first showed the prompt (null: not yet).
    prompted_at: Mapped[datetime | None]
    #: The e-mail fallback, and the one reminder.
    emailed_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    #: 0-10, the optional why, when and where (``app`` or ``email``).
    score: Mapped[int | None] = mapped_column(Integer)
    why: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(index=True)
    answered_via: Mapped[str | None] = mapped_column(String(10))
    #: Random part of the e-mail link.
    link_nonce: Mapped[str] = mapped_column(String(32))


class FeedbackReportSent(db.Model):
    """A common-issues report that was mailed: one row per period, so sending is idempotent."""

    __tablename__ = "feedback_report_sent"

    #: ``weekly-2026-11-16`` or ``monthly-2026-11-01`` (kind and the period's first day).
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    sent_at: Mapped[datetime]
    #: How many addresses it was queued for.
    recipients: Mapped[int] = mapped_column(Integer)
