"""The one way a message from outside becomes part of a ticket, whatever the channel.

A channel (e-mail, chat, social) parses its own format, decides which ticket the message
answers (its own threading: reply tokens, ``In-Reply-To``, a conversation id) and calls
:func:`receive` with an :class:`Inbound`. From there every channel is the same:

1. the message is claimed once per ``(channel, external_id)``: a second delivery (a retried
   IMAP fetch, a replayed webhook) finds the first and changes nothing;
2. the sender becomes a requester through their :class:`ChannelIdentity` (an account with that
   verified address, or a *contact* that signing up with the address later claims; a From
   header never signs anybody in);
3. the message continues its ticket only when the ticket is the sender's own and the sender is
   vouched for; a reply to a closed ticket opens a follow-up; otherwise a new ticket opens
   through the ticket services, with the same categories, SLAs and escalation as the site.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.accounts.services import add_contact, find_user_by_email
from app.channels.models import ChannelIdentity, InboundMessage
from app.errors import DomainError
from app.extensions import db
from app.forum.writes import insert_once
from app.tickets import attachments as files
from app.tickets import services as tickets
from app.tickets.catalog import CLOSED, PAUSED_STATUSES
from app.tickets.models import Ticket

#: Identity kinds: an e-mail address, or a user of a social platform.
KINDS = ("email", "x", "facebook", "instagram")
OUTCOMES = (
    "pending", "ticket", "reply", "follow_up", "bounce", "ignored", "quarantined", "discarded",
)  # fmt: skip
#: What a message without text or subject becomes (a ticket needs both).
NO_TEXT = "(The message had no text.)"
NO_SUBJECT = "(no subject)"


@dataclass(frozen=True)
class Sender:
    kind: str
    #: An e-mail address, or the platform's stable user id.
    address: str
    display_name: str = ""
    handle: str = ""
    #: The receiving side vouches for the address (DMARC/SPF passed, a signed webhook ...).
    verified: bool = True


@dataclass(frozen=True)
class Inbound:
    channel: str
    source: str
    external_id: str
    sender: Sender
    subject: str
    #: The new text only (quotes and signatures already removed by the channel), Markdown.
    body: str
    attachments: tuple[files.Upload, ...] = field(default=())
    #: The ticket this message answers, as the channel's threading found it.
    thread_ticket_id: int | None = None
    raw_path: str | None = None
    #: Why a machine, not a person, sent it (an out-of-office, a list); empty: a person did.
    automatic: str = ""


def normalise_address(sender: Sender) -> str:
    return sender.address.strip().lower() if sender.kind == "email" else sender.address.strip()


def find_identity(kind: str, address: str) -> ChannelIdentity | None:
    # With its user in the same statement: every import needs the requester.
    return db.session.scalar(
        select(ChannelIdentity)
        .options(joinedload(ChannelIdentity.user))
        .where(ChannelIdentity.kind == kind, ChannelIdentity.address == address)
    )


def identity_for(sender: Sender, now: datetime) -> ChannelIdentity:
    """The sender's identity, created on first contact with its requester.

    An e-mail address that has an account belongs to that account; any other sender becomes
    a contact (platform users get an address under ``.invalid``, which is never mailed).
    """
    if sender.kind not in KINDS:
        raise DomainError(f"Unknown sender kind {sender.kind!r}.")
    address = normalise_address(sender)
    identity = find_identity(sender.kind, address)
    if identity is None:
        user = find_user_by_email(address) if sender.kind == "email" else None
        if user is None:
            email = address if sender.kind == "email" else _placeholder_address(sender.kind)
            user = add_contact(email, sender.display_name or sender.handle or address, now)
        identity = ChannelIdentity(
            kind=sender.kind, address=address, handle=sender.handle[:120],
            display_name=sender.display_name[:120], user=user, bouncing_since=None,
            created_at=now, last_seen_at=now,
        )  # fmt: skip
        db.session.add(identity)
        db.session.flush()
    identity.last_seen_at = now
    if sender.handle:
        identity.handle = sender.handle[:120]
    return identity


def _placeholder_address(kind: str) -> str:
    # Random, not derived from the platform id: the address must not reveal or collide.
    return f"{kind}-{secrets.token_hex(8)}@contacts.invalid"


def claim(channel: str, source: str, external_id: str, now: datetime) -> InboundMessage | None:
    """Claim a message for import; ``None`` when it was received before (a duplicate).

    The unique key decides between two hosts fetching the same mailbox at once.
    """
    inserted = insert_once(
        InboundMessage,
        {"channel": channel, "source": source, "external_id": external_id[:255],
         "received_at": now, "outcome": "pending", "reason": "", "sender_verified": True},
        ["channel", "external_id"],
    )  # fmt: skip
    if not inserted:
        return None
    return db.session.scalar(
        select(InboundMessage).where(
            InboundMessage.channel == channel, InboundMessage.external_id == external_id[:255]
        )
    )


def receive(item: Inbound, now: datetime, *, retry: bool = False) -> InboundMessage | None:
    """Import one message into the tickets; ``None`` for a duplicate (nothing changes).

    :param retry: an admin retries a quarantined message: its row is taken over (any other
        earlier outcome still makes it a duplicate).

    :raises DomainError: the message cannot become a ticket (the caller quarantines it with
        :func:`quarantine`; the transaction should be rolled back first).
    """
    record = claim(item.channel, item.source, item.external_id, now)
    if record is None and retry:
        record = _quarantined_row(item.channel, item.external_id)
    if record is None:
        return None
    identity = identity_for(item.sender, now)
    requester = identity.user
    body = item.body.strip() or NO_TEXT
    ticket = _continued_ticket(item, requester)
    if ticket is not None and item.automatic and ticket.status in PAUSED_STATUSES:
        # An out-of-office answering our "solved" notice must not reopen the ticket (nor open
        # a follow-up of a closed one): agents see it on the history, the status stays.
        tickets.log_channel_event(ticket, "automatic_reply", now, item.automatic[:300])
        record.outcome, record.ticket_id = "ignored", ticket.id
        record.reason = (
            f"An automatic reply ({item.automatic}); {ticket.ref} stays {ticket.status}."
        )
    elif ticket is not None and ticket.status != CLOSED:
        message = tickets.add_requester_reply(requester, ticket, body, now, item.attachments)
        record.outcome, record.ticket_id, record.message_id = "reply", ticket.id, message.id
        for hook in current_app.extensions.get("inbound_reply_hooks", ()):
            # A channel that shows the ticket live (chat) shows a reply from another one.
            hook(ticket, message, now)
    else:
        created = tickets.create_ticket(
            requester,
            category=ticket.category if ticket else current_app.config["CHANNEL_DEFAULT_CATEGORY"],
            subject=(item.subject.strip() or _first_line(body))[: tickets.SUBJECT_MAX],
            description=body,
            impact=current_app.config["CHANNEL_DEFAULT_IMPACT"],
            channel=item.channel,
            now=now,
            attachments=item.attachments,
        )
        record.ticket_id = created.id
        record.outcome = "ticket"
        if ticket is not None:  # a reply to a closed ticket
            created.follow_up_of_id = ticket.id
            record.outcome = "follow_up"
            tickets.log_channel_event(created, "follow_up", now, ticket.ref)
        if not item.sender.verified:
            tickets.log_channel_event(created, "unverified_sender", now, identity.address)
    # Set last, with the outcome: the row is written once (statements per message count).
    record.identity = identity
    record.sender_verified = item.sender.verified
    record.raw_path = item.raw_path
    if record.outcome != "ignored":
        record.reason = ""  # a retried message's quarantine reason no longer holds
    db.session.flush()
    return record


def _quarantined_row(channel: str, external_id: str) -> InboundMessage | None:
    return db.session.scalar(
        select(InboundMessage).where(
            InboundMessage.channel == channel,
            InboundMessage.external_id == external_id[:255],
            InboundMessage.outcome == "quarantined",
        )
    )


def _continued_ticket(item: Inbound, requester: User) -> Ticket | None:
    """The ticket the message answers, if it may: the requester's own, from a vouched sender.
    A message that names somebody else's ticket opens a new one instead."""
    if item.thread_ticket_id is None or not item.sender.verified:
        return None
    ticket = db.session.get(Ticket, item.thread_ticket_id)
    if ticket is None or ticket.requester_id != requester.id:
        return None
    return ticket


def _first_line(body: str) -> str:
    line = next((text.strip() for text in body.splitlines() if text.strip()), "")
    return line or NO_SUBJECT


def quarantine(
    channel: str,
    source: str,
    external_id: str,
    reason: str,
    raw_path: str | None,
    now: datetime,
) -> InboundMessage:
    """Keep a message that could not be imported, with the reason, for an admin to retry or
    discard. A message already quarantined keeps its row (the reason is updated)."""  # fmt: skip
    record = claim(channel, source, external_id, now) or db.session.scalar(
        select(InboundMessage).where(
            InboundMessage.channel == channel, InboundMessage.external_id == external_id[:255]
        )
    )
    record.outcome = "quarantined"
    record.reason = reason
    record.raw_path = raw_path
    db.session.flush()
    return record


def link_identity(identity: ChannelIdentity, requester: User) -> None:
    """An agent says this identity is that requester: its future messages and tickets are
    theirs (existing tickets stay where they are)."""
    identity.user_id = requester.id
    db.session.flush()


def quarantined(limit: int = 200) -> Iterable[InboundMessage]:
    return db.session.scalars(
        select(InboundMessage)
        .where(InboundMessage.outcome == "quarantined")
        .order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc())
        .limit(limit)
    )
