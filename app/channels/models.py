"""Channel tables: who wrote (an identity on one channel, tied to a requester) and every
message that came in (kept once per channel and external id, with what became of it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.extensions import db


class ChannelIdentity(db.Model):
    """One address or handle a requester writes from: an e-mail address, a chat guest's
    address, an X, Facebook or Instagram user. Several identities may belong to one requester
    (agents link them); none is ever merged by display name."""

    __tablename__ = "channel_identity"
    __table_args__ = (UniqueConstraint("kind", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``email``, ``x``, ``facebook`` or ``instagram`` (:data:`app.channels.inbound.KINDS`).
    kind: Mapped[str] = mapped_column(String(20))
    #: The lower-cased e-mail address, or the platform's stable user id (not the handle).
    address: Mapped[str] = mapped_column(String(254))
    #: The platform handle shown to agents (``@name``); empty for e-mail.
    handle: Mapped[str] = mapped_column(String(120), default="")
    display_name: Mapped[str] = mapped_column(String(120), default="")
    #: The requester whose tickets this identity's messages belong to.
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    #: Mail to this address bounces (set by a delivery status notification); agents see it.
    bouncing_since: Mapped[datetime | None]
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]

    user: Mapped[User] = relationship()


class InboundMessage(db.Model):
    """Every message a channel received, once per (channel, external id): a second delivery
    of the same message finds this row and changes nothing. Quarantined messages wait here
    (with their kept original) for an admin to retry or discard them."""

    __tablename__ = "channel_inbound"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The ticket channel: ``email``, ``chat`` or ``social``.
    channel: Mapped[str] = mapped_column(String(10))
    #: Where exactly it came from: ``imap``, ``pipe``, ``facebook``, ``x`` ...
    source: Mapped[str] = mapped_column(String(40))
    #: The message's own id (``Message-ID``, the platform's message or event id).
    external_id: Mapped[str] = mapped_column(String(255))
    identity_id: Mapped[int | None] = mapped_column(ForeignKey("channel_identity.id"))
    received_at: Mapped[datetime]
    #: ``pending`` (being imported), ``ticket``, ``reply``, ``follow_up``, ``bounce``,
    #: ``ignored``, ``quarantined`` or ``discarded`` (:data:`app.channels.inbound.OUTCOMES`).
    outcome: Mapped[str] = mapped_column(String(12), index=True)
    #: Why it was quarantined or ignored, in words an admin understands.
    reason: Mapped[str] = mapped_column(Text, default="")
    #: False when the receiving server could not vouch for the sender (shown to agents; such a
    #: message never continues an existing ticket).
    sender_verified: Mapped[bool] = mapped_column(default=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("ticket_message.id"))
    #: The original as received (an ``.eml``, a JSON payload), relative to the channel folder.
    raw_path: Mapped[str | None] = mapped_column(String(255))

    identity: Mapped[ChannelIdentity | None] = relationship()
