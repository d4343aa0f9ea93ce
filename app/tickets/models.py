"""Ticket tables: the ticket with its SLA and timer columns, messages, attachments, the
append-only event log and deflection records."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.extensions import db


class Ticket(db.Model):
    __tablename__ = "ticket"
    __table_args__ = (
        # The timer's only query: tickets whose next action is due (never a scan of all tickets).
        Index("ix_ticket_next_timer_at", "next_timer_at"),
        # Agent queues: one tier, nearest SLA deadline first.
        Index("ix_ticket_tier_sla_due_at", "tier", "sla_due_at"),
        Index("ix_ticket_requester_id_created_at", "requester_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    subject: Mapped[str] = mapped_column(String(200))
    #: Markdown as the requester wrote it, and its sanitised HTML (rendered once on save).
    description: Mapped[str] = mapped_column(Text)
    description_html: Mapped[str] = mapped_column(Text)
    #: One of :data:`app.tickets.catalog.CATEGORIES`.
    category: Mapped[str] = mapped_column(String(30))
    #: The requester's impact in plain words, and the priority it suggested.
    impact: Mapped[str] = mapped_column(String(20))
    suggested_priority: Mapped[str] = mapped_column(String(10))
    #: The priority in force (agents set the final one); drives targets and escalation.
    priority: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), index=True)
    #: Where the ticket came from: web, forum, email, api, social.
    channel: Mapped[str] = mapped_column(String(10))
    tier: Mapped[int] = mapped_column(Integer, default=1)
    #: When the ticket reached its current tier; the escalation clocks count from here.
    tier_entered_at: Mapped[datetime]
    #: Flag rules already applied (``tier1_attempt_exceeded`` ...), so each fires once.
    flags: Mapped[list] = mapped_column(JSON, default=list)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    #: The forum thread this ticket escalates (foreign key added by ``tickets_0002``).
    forum_thread_id: Mapped[int | None] = mapped_column(ForeignKey("forum_thread.id"), index=True)
    #: The troubleshooting guide the requester followed before asking, and how many steps.
    guide_slug: Mapped[str | None] = mapped_column(String(200))
    guide_steps: Mapped[int | None]
    #: A duplicate closed into another ticket points at it.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"))
    #: A follow-up (a reply by mail or chat to a closed ticket opens one) points at the old one.
    follow_up_of_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    solved_at: Mapped[datetime | None]

    # --- SLA clocks ----------------------------------------------------------------------
    #: The first public agent reply; before it the first-response clock runs.
    first_responded_at: Mapped[datetime | None]
    #: Arrival of the oldest customer message no agent has answered yet (next-reply clock).
    awaiting_since: Mapped[datetime | None]
    #: ``[[start, end or null], ...]`` ISO instants while waiting on the customer or solved.
    pauses: Mapped[list] = mapped_column(JSON, default=list)
    first_response_due_at: Mapped[datetime | None]
    next_reply_due_at: Mapped[datetime | None]
    #: The deadline of whichever clock runs (for sorting queues); null while paused or answered.
    sla_due_at: Mapped[datetime | None]
    #: When most of the target is used (``SLA_AT_RISK_FRACTION``): "at risk" from here on.
    sla_at_risk_at: Mapped[datetime | None]
    #: The timer recorded that the running clock's deadline passed (reset with each new clock).
    sla_breached_at: Mapped[datetime | None]

    # --- timer ---------------------------------------------------------------------------
    #: The earliest due timer action (escalation, flag, breach); ``flask tickets tick`` reads it.
    next_timer_at: Mapped[datetime | None]
    #: Bumped on every timer change: the compare-and-swap token for hosts without row locks.
    timer_version: Mapped[int] = mapped_column(Integer, default=0)

    requester: Mapped[User] = relationship(foreign_keys=[requester_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    messages: Mapped[list[TicketMessage]] = relationship(
        back_populates="ticket", order_by="TicketMessage.id"
    )
    attachments: Mapped[list[TicketAttachment]] = relationship(
        back_populates="ticket", order_by="TicketAttachment.id"
    )

    @property
    def ref(self) -> str:
        return f"#{self.id}"


class TicketMessage(db.Model):
    """One message in the conversation: the requester's, an agent's public reply or an internal
    note (``internal``), which requesters never see."""

    __tablename__ = "ticket_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    internal: Mapped[bool] = mapped_column(default=False)
    #: Written by support staff (answers the customer's clock when public).
    from_agent: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]

    ticket: Mapped[Ticket] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship()
    attachments: Mapped[list[TicketAttachment]] = relationship(
        back_populates="message", order_by="TicketAttachment.id"
    )

    @property
    def from_support(self) -> bool:
        """Alias the API reads: written by support staff."""
        return self.from_agent


class TicketAttachment(db.Model):
    """A file stored under ``TICKET_ATTACHMENT_DIR`` with a random name; served as a download."""

    __tablename__ = "ticket_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("ticket_message.id"))
    #: Random file name on disk; never derived from what the uploader sent.
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    uploader_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime]

    ticket: Mapped[Ticket] = relationship(back_populates="attachments")
    message: Mapped[TicketMessage | None] = relationship(back_populates="attachments")


class TicketEvent(db.Model):
    """Append-only history: who changed what, when, from what to what (and the timer's rule).

    Nothing in the code updates or deletes these rows; database triggers refuse it too.
    """

    __tablename__ = "ticket_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"), index=True)
    #: Null for the timer.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    #: ``created``, ``status``, ``priority``, ``escalated``, ``flagged``, ``sla_breach`` ...
    kind: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    #: The rule that fired, for timer actions (``tier1_to_tier2`` ...).
    rule: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime]

    actor: Mapped[User | None] = relationship()


class TicketDeflection(db.Model):
    """An article suggested while someone wrote a request: clicked, or the person left."""

    __tablename__ = "ticket_deflection"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    query: Mapped[str] = mapped_column(String(200))
    article_url: Mapped[str] = mapped_column(String(500))
    #: ``clicked`` or ``left``.
    outcome: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]
