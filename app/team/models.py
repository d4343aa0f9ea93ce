"""The support team's own tables: training paths with modules, quiz attempts and workshop
attendance; weekly meeting pages with notes, action items and tickets flagged for discussion;
monthly cross-department reviews with their decisions. Attempts, notes and decisions are
append-only: a correction is a new row."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db


class TrainingPath(db.Model):
    """A learning path: new-agent onboarding, the monthly product update, the empathy
    workshop (``content/training/<key>.yaml`` or created by a team lead)."""

    __tablename__ = "team_training_path"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: ``course`` (fixed modules), ``monthly`` (one new module a month), ``workshop`` (sessions).
    kind: Mapped[str] = mapped_column(String(10))
    #: Every agent must complete it (the onboarding); shown first, progress tracked by leads.
    required: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]

    modules: Mapped[list[TrainingModule]] = relationship(
        back_populates="path", order_by="TrainingModule.position"
    )


class TrainingModule(db.Model):
    """One module: internal articles to read, an optional video, and a multiple-choice quiz
    with a pass mark."""

    __tablename__ = "team_training_module"
    __table_args__ = (UniqueConstraint("path_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    path_id: Mapped[int] = mapped_column(ForeignKey("team_training_path.id", ondelete="CASCADE"))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    #: Markdown introduction and its sanitised HTML (rendered once on save).
    intro: Mapped[str] = mapped_column(Text, default="")
    intro_html: Mapped[str] = mapped_column(Text, default="")
    #: Monthly modules: the month they cover, ``YYYY-MM`` (empty for course modules).
    month: Mapped[str] = mapped_column(String(7), default="")
    #: Slugs of knowledge-base articles to read (internal or public), in order.
    article_slugs: Mapped[list] = mapped_column(JSON, default=list)
    #: Link to a video (a KB video article's page or a recording).
    video_url: Mapped[str] = mapped_column(String(500), default="")
    #: ``[{"question": str, "choices": [str, ...], "answer": index}, ...]``.
    quiz: Mapped[list] = mapped_column(JSON, default=list)
    #: Percentage of right answers needed to pass.
    pass_mark: Mapped[int] = mapped_column(default=80)
    #: Rising topics this module was started from (common-issues report), with example tickets:
    #: ``[{"topic": str, "ticket_ids": [int, ...]}]``.
    topics: Mapped[list] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]

    path: Mapped[TrainingPath] = relationship(back_populates="modules")


class QuizAttempt(db.Model):
    """One submitted quiz. Append-only; a module is complete once an attempt passed."""

    __tablename__ = "team_quiz_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(
        ForeignKey("team_training_module.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    #: The chosen choice index per question.
    answers: Mapped[list] = mapped_column(JSON, default=list)
    #: Percentage of right answers.
    score: Mapped[int]
    passed: Mapped[bool]
    created_at: Mapped[datetime]


class WorkshopSession(db.Model):
    """A scheduled customer-empathy workshop with its materials and attendance."""

    __tablename__ = "team_workshop_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    path_id: Mapped[int] = mapped_column(ForeignKey("team_training_path.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    materials: Mapped[str] = mapped_column(Text, default="")
    materials_html: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]

    attendance: Mapped[list[WorkshopAttendance]] = relationship(back_populates="session")


class WorkshopAttendance(db.Model):
    __tablename__ = "team_workshop_attendance"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("team_workshop_session.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]

    session: Mapped[WorkshopSession] = relationship(back_populates="attendance")
    user = relationship("User", foreign_keys=[user_id])


class WeeklyMeeting(db.Model):
    """The team's page for one week (Monday ``week_start``), made once and kept: the figures
    are a snapshot of the week before, taken when the page was made."""

    __tablename__ = "team_weekly_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    week_start: Mapped[date] = mapped_column(Date, unique=True)
    #: Last week's figures (see ``rules.week_figures``).
    figures: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]

    notes: Mapped[list[MeetingNote]] = relationship(order_by="MeetingNote.id")


class MeetingNote(db.Model):
    """A note taken in a weekly meeting. Append-only."""

    __tablename__ = "team_meeting_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("team_weekly_meeting.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]

    author = relationship("User")


class ActionItem(db.Model):
    """An action agreed in a weekly meeting, with an owner and a due date; it is carried over
    to every later week's page until it is done."""

    __tablename__ = "team_action_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("team_weekly_meeting.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(String(500))
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    due_on: Mapped[date] = mapped_column(Date)
    done_at: Mapped[datetime | None]
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime]

    meeting: Mapped[WeeklyMeeting] = relationship()
    owner = relationship("User", foreign_keys=[owner_id])


class DiscussionFlag(db.Model):
    """ "Discuss at weekly" on a ticket: listed on the weekly page until it was discussed."""

    __tablename__ = "team_discussion_flag"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    flagged_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    reason: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime]
    #: The meeting that discussed it (then it leaves the list).
    discussed_in_id: Mapped[int | None] = mapped_column(ForeignKey("team_weekly_meeting.id"))
    discussed_at: Mapped[datetime | None]

    ticket = relationship("Ticket")
    flagged_by = relationship("User")


class MonthlyReview(db.Model):
    """The monthly page for product and development (``month`` is ``YYYY-MM``)."""

    __tablename__ = "team_monthly_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), unique=True)
    created_at: Mapped[datetime]

    decisions: Mapped[list[ReviewDecision]] = relationship(order_by="ReviewDecision.id")


class ReviewDecision(db.Model):
    """A decision recorded at a monthly review. Append-only."""

    __tablename__ = "team_review_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("team_monthly_review.id", ondelete="CASCADE"), index=True
    )
    #: The ticket (feature request or bug report) it is about, if any.
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(String(1000))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]

    author = relationship("User")
