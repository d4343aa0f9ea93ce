"""Webhook items → tickets: each signed item goes through the channels' one import path
(:func:`app.channels.inbound.receive`), which dedupes it by the platform's id, finds or makes
the sender's identity and opens or continues the ticket; this module adds where the ticket
came from and where its replies go (:class:`SocialConversation`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from app.channels import inbound
from app.channels.models import InboundMessage
from app.channels.social import media, rules, tokens
from app.channels.social.models import SocialAccount, SocialConversation, SocialDelivery
from app.channels.social.payloads import Ignored, SocialEvent
from app.errors import DomainError
from app.extensions import db
from app.tickets.models import Ticket
from app.tickets.services import BODY_MAX, SUBJECT_MAX, log_channel_event


@dataclass
class ImportSummary:
    imported: int = 0
    duplicates: int = 0
    ignored: list[str] = field(default_factory=list)
    quarantined: int = 0


def external_id(platform: str, platform_id: str) -> str:
    """The id under which the channels core dedupes a platform's message."""
    return f"{platform}:{platform_id}"


def import_items(items: list[SocialEvent | Ignored], now: datetime) -> ImportSummary:
    """Import the items of one signed delivery (flushes; the caller commits)."""
    summary = ImportSummary()
    for item in items:
        if isinstance(item, Ignored):
            summary.ignored.append(item.reason)
            continue
        account = connected_account(item.platform, item.account_id)
        if account is None:
            summary.ignored.append(f"{item.platform} account {item.account_id} is not connected")
            continue
        _import_one(item, account, now, summary)
    return summary


def connected_account(platform: str, account_id: str) -> SocialAccount | None:
    return db.session.scalar(
        select(SocialAccount).where(
            SocialAccount.platform == platform,
            SocialAccount.external_id == account_id,
            SocialAccount.disconnected_at.is_(None),
        )
    )


def _import_one(
    item: SocialEvent, account: SocialAccount, now: datetime, summary: ImportSummary
) -> None:
    images = _images(item, account)
    message = inbound.Inbound(
        channel="social",
        source=item.platform,
        external_id=external_id(item.platform, item.event_id),
        sender=inbound.Sender(
            kind=item.platform,
            address=item.sender_id,
            display_name=item.sender_name[:120],
            handle=f"@{item.sender_handle}" if item.sender_handle else "",
            verified=True,  # the delivery's signature vouches for the platform's sender id
        ),
        subject=subject_for(item),
        body=item.text[:BODY_MAX],
        thread_ticket_id=_thread_ticket(item, account),
        attachments=tuple(images.uploads),
    )
    try:
        with db.session.begin_nested():
            record = inbound.receive(message, now)
            if record is not None:
                _note_conversation(item, account, record, now)
                _note_missing_images(record.ticket_id, images.problems, now)
    except DomainError as error:
        inbound.quarantine("social", item.platform, message.external_id, error.message, None, now)
        summary.quarantined += 1
        return
    if record is None:
        summary.duplicates += 1
        return
    account.last_received_at = now
    summary.imported += 1


def _images(item: SocialEvent, account: SocialAccount) -> media.Downloaded:
    """The DM's images, downloaded; nothing for a replayed delivery (no second download)."""
    if not item.media_urls or _already_imported(item):
        return media.Downloaded()
    try:
        token = tokens.decrypt(account.token_ciphertext)
    except (ValueError, DomainError):
        token = None  # Meta's links need no token; X's then fail and are noted
    return media.download_all(item.media_urls, item.platform, token)


def _already_imported(item: SocialEvent) -> bool:
    return (
        db.session.scalar(
            select(InboundMessage.id).where(
                InboundMessage.channel == "social",
                InboundMessage.external_id == external_id(item.platform, item.event_id),
            )
        )
        is not None
    )


def _note_missing_images(ticket_id: int, problems: list[str], now: datetime) -> None:
    """The agent learns an image is missing (and why) on the ticket's history."""
    if problems:
        ticket = db.session.get(Ticket, ticket_id)
        for problem in problems:
            log_channel_event(ticket, "social_image_missing", now, problem[:300])


def subject_for(item: SocialEvent) -> str:
    """``X direct message from @ana: first line``: the platform shows in every queue."""
    who = f"@{item.sender_handle}" if item.sender_handle else (item.sender_name or "someone")
    first = next((line.strip() for line in item.text.splitlines() if line.strip()), "")
    what = rules.KINDS[item.kind].lower()
    subject = f"{rules.PLATFORMS[item.platform]} {what} from {who}: {first}"
    return subject[: SUBJECT_MAX - 1] + "…" if len(subject) > SUBJECT_MAX else subject


def _thread_ticket(item: SocialEvent, account: SocialAccount) -> int | None:
    """The ticket this item continues: the person's latest direct-message ticket with this
    account, or for a public reply the ticket of the post or comment it answers."""
    if item.kind == "dm":
        return db.session.scalar(
            select(SocialConversation.ticket_id)
            .where(
                SocialConversation.account_id == account.id,
                SocialConversation.kind == "dm",
                SocialConversation.participant_id == item.sender_id,
            )
            .order_by(SocialConversation.id.desc())
            .limit(1)
        )
    if not item.in_reply_to_id:
        return None
    answered = db.session.scalar(
        select(InboundMessage.ticket_id).where(
            InboundMessage.channel == "social",
            InboundMessage.external_id == external_id(item.platform, item.in_reply_to_id),
        )
    )
    return answered or db.session.scalar(
        select(SocialDelivery.ticket_id).where(
            SocialDelivery.account_id == account.id,
            SocialDelivery.platform_message_id == item.in_reply_to_id,
        )
    )


def _note_conversation(
    item: SocialEvent, account: SocialAccount, record: InboundMessage, now: datetime
) -> None:
    conversation = conversation_for(record.ticket_id)
    if conversation is None:
        db.session.add(
            SocialConversation(
                ticket_id=record.ticket_id,
                account_id=account.id,
                kind=item.kind,
                public=item.kind != "dm",
                participant_id=item.sender_id,
                identity_id=record.identity_id,
                reply_to_id=item.reply_to_id,
                permalink=item.permalink,
                last_inbound_at=now,
            )
        )
    else:
        conversation.last_inbound_at = now
        if item.reply_to_id:
            conversation.reply_to_id = item.reply_to_id
    db.session.flush()


def conversation_for(ticket_id: int) -> SocialConversation | None:
    return db.session.scalar(
        select(SocialConversation).where(SocialConversation.ticket_id == ticket_id)
    )
