"""Social channel tables: the connected platform accounts (tokens encrypted), one
conversation per social ticket (where it came from and where replies go) and one delivery per
agent reply sent to a platform."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db


class SocialAccount(db.Model):
    """An official account connected to the help center: a Facebook Page, an Instagram
    professional account or an X account. Messages to an account that is not connected are
    acknowledged and ignored."""

    __tablename__ = "social_account"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``facebook``, ``instagram`` or ``x`` (:data:`app.channels.social.rules.PLATFORMS`).
    platform: Mapped[str] = mapped_column(String(20))
    #: The platform's id of the account: Page id, Instagram account id, X user id.
    external_id: Mapped[str] = mapped_column(String(120))
    #: How agents know it (``@growgrebuddy``, the Page's name).
    name: Mapped[str] = mapped_column(String(120))
    #: The send token, Fernet-encrypted with ``SOCIAL_TOKEN_KEYS`` (never stored in clear).
    token_ciphertext: Mapped[str] = mapped_column(Text)
    #: The token's last four characters, the only part ever shown.
    token_hint: Mapped[str] = mapped_column(String(8))
    token_set_at: Mapped[datetime]
    connected_at: Mapped[datetime]
    #: Set when an admin disconnects it: its webhooks are ignored, nothing is sent.
    disconnected_at: Mapped[datetime | None]
    #: Health, shown on the accounts page: the last webhook item imported, the last reply
    #: the platform accepted, and the last failure.
    last_received_at: Mapped[datetime | None]
    last_sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None]


class SocialConversation(db.Model):
    """Where a social ticket came from and where its replies go."""

    __tablename__ = "social_conversation"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("social_account.id"), index=True)
    #: ``dm``, ``mention`` or ``comment`` (:data:`app.channels.social.rules.KINDS`).
    kind: Mapped[str] = mapped_column(String(10))
    #: Mentions and comments are public: replies are public too, and length-checked.
    public: Mapped[bool]
    #: The person's platform user id (the DM recipient) and the identity it came from.
    participant_id: Mapped[str] = mapped_column(String(120), index=True)
    identity_id: Mapped[int] = mapped_column(ForeignKey("channel_identity.id"))
    #: What a public reply answers: the latest post or comment of the person in this ticket.
    reply_to_id: Mapped[str] = mapped_column(String(120), default="")
    #: A link to the original on the platform (empty for direct messages).
    permalink: Mapped[str] = mapped_column(String(300), default="")
    #: The person's last message: Meta's 24-hour messaging window runs from it.
    last_inbound_at: Mapped[datetime]
    #: When the first public answer (with the invitation to continue privately) was sent.
    invited_private_at: Mapped[datetime | None]

    account: Mapped[SocialAccount] = relationship()


class SocialDelivery(db.Model):
    """One agent reply on its way to a platform (sent by the outbox, retried with back-off)."""

    __tablename__ = "social_delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"), index=True)
    #: The agent's ticket message this delivers.
    message_id: Mapped[int] = mapped_column(ForeignKey("ticket_message.id"), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("social_account.id"))
    #: ``dm`` (a private message to ``target_id``) or ``reply`` (public, under ``target_id``).
    action: Mapped[str] = mapped_column(String(10))
    target_id: Mapped[str] = mapped_column(String(120))
    #: Exactly what is sent (the reply plus any invitation), fixed when the agent saved it.
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    #: ``pending``, ``sent`` or ``failed`` (refused by the platform; the agent sees why).
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    #: The platform's id of the sent message, post or comment.
    platform_message_id: Mapped[str | None] = mapped_column(String(120), index=True)
    error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]

    account: Mapped[SocialAccount] = relationship()
