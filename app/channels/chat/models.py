"""Live chat tables: a conversation (one per chat, tied to its ticket), its messages in order
(each with the sender's client message id, so a resent message is stored once) and each
agent's presence.

The database is the record: the broker only says "conversation N has something new"; a client
that reconnects asks for everything after the last sequence number it has seen.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.extensions import db
from app.tickets.models import Ticket

#: ``waiting`` (in the queue), ``active`` (an agent accepted), ``ended`` (closed in the chat),
#: ``handed_over`` (nobody answered in time: it continues as an ordinary request).
STATUSES = ("waiting", "active", "ended", "handed_over")
OPEN_STATUSES = ("waiting", "active")
#: Who wrote a chat line: the person, an agent, an agent's internal note, or the system.
ROLES = ("customer", "agent", "note", "system")


class ChatConversation(db.Model):
    __tablename__ = "chat_conversation"
    __table_args__ = (Index("ix_chat_conversation_status_queued_at", "status", "queued_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"), unique=True)
    #: The person (an account, or the contact a guest's address became).
    requester_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    #: SHA-256 of the secret the person's browser holds; a guest proves with it that the
    #: conversation is theirs (signed-in people are recognised by their account too).
    access_digest: Mapped[str] = mapped_column(String(64), unique=True)
    guest: Mapped[bool] = mapped_column(default=False)
    #: ``widget`` (the app's help widget) or ``site``.
    origin: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    #: The tier whose agents may accept it (a transfer to a tier changes it).
    tier: Mapped[int] = mapped_column(Integer, default=1)
    #: When it (re-)entered the queue: the queue is in this order, and the wait counts from it.
    queued_at: Mapped[datetime]
    created_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    #: The last sequence number handed out (messages count up from 1 in each conversation).
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    #: Up to which sequence number each side has read.
    customer_read_seq: Mapped[int] = mapped_column(Integer, default=0)
    agent_read_seq: Mapped[int] = mapped_column(Integer, default=0)

    ticket: Mapped[Ticket] = relationship()
    requester: Mapped[User] = relationship(foreign_keys=[requester_id])
    agent: Mapped[User | None] = relationship(foreign_keys=[agent_id])


class ChatMessage(db.Model):
    __tablename__ = "chat_message"
    __table_args__ = (
        UniqueConstraint("conversation_id", "seq", name="uq_chat_message_conversation_id_seq"),
        # A client resends a message it got no acknowledgement for with the same id.
        UniqueConstraint(
            "conversation_id", "client_id", name="uq_chat_message_conversation_id_client_id"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("chat_conversation.id"))
    seq: Mapped[int] = mapped_column(Integer)
    #: The sender's own id for the message (a UUID the browser made), or ``None`` for lines
    #: the server writes (system lines, replies from the ticket workspace).
    client_id: Mapped[str | None] = mapped_column(String(64))
    #: One of :data:`ROLES`.
    role: Mapped[str] = mapped_column(String(10))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    body: Mapped[str] = mapped_column(Text)
    #: Sanitised HTML (app.markup), rendered once on save.
    body_html: Mapped[str] = mapped_column(Text)
    #: The ticket message this line is (customer and agent lines, notes).
    ticket_message_id: Mapped[int | None] = mapped_column(ForeignKey("ticket_message.id"))
    created_at: Mapped[datetime]

    author: Mapped[User | None] = relationship()


class AgentPresence(db.Model):
    """Whether an agent takes chats now. Automatic away after inactivity is computed from
    ``last_active_at`` (``CHAT_AWAY_AFTER_MINUTES``), never written by a timer."""

    __tablename__ = "chat_agent_presence"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    #: ``online`` or ``away`` as the agent set it.
    status: Mapped[str] = mapped_column(String(10))
    last_active_at: Mapped[datetime]

    user: Mapped[User] = relationship()
