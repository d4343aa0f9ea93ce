"""Importing one received message: ``flask mail fetch`` and ``flask mail receive`` both end
here. The original is written to disk first, so whatever happens next nothing is lost: the
message becomes a ticket, a reply, a bounce record, or a quarantined item with its reason.

Only a transient failure (the database or the disk unavailable) raises; the caller then
leaves the message where it was (IMAP) or answers the MTA ``EX_TEMPFAIL`` so it retries.
"""

from __future__ import annotations

import hashlib
import logging
import os
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError, OperationalError

from app.channels import inbound
from app.channels.email import parsing, rules
from app.channels.models import ChannelIdentity, InboundMessage
from app.errors import DomainError, NotFound
from app.extensions import db
from app.tickets import attachments as files
from app.tickets import services as tickets
from app.tickets.models import Ticket

log = logging.getLogger(__name__)
CHANNEL = "email"
#: Outcomes that count towards a sender's hourly limit (what a person's mail produces).
_COUNTED = ("ticket", "reply", "follow_up")
#: ``db.session.info`` keys while a message is imported: it must get no automatic answer; its
#: Message-ID (the receipt, sent while its ticket is created, answers it).
QUIET = "email_no_autoreply"
CURRENT = "email_current_message_id"
#: ... and the address it came from (where the receipt goes).
SENDER = "email_current_sender"


def raw_dir() -> Path:
    configured = current_app.config["EMAIL_RAW_DIR"]
    return Path(configured) if configured else Path(current_app.instance_path) / "mail-in"


def spool_dir() -> Path:
    """The folder ``scripts/mail-receive`` spools into (:mod:`app.channels.email.spool`)."""
    configured = current_app.config["EMAIL_SPOOL_DIR"]
    return Path(configured) if configured else Path(current_app.instance_path) / "mail-spool"


def store_original(raw: bytes) -> str:
    """Keep the message's bytes (named by their digest: a second delivery rewrites nothing).

    :returns: the path relative to :func:`raw_dir`.
    :raises OSError: the disk cannot take it (a transient failure for the caller).
    """
    digest = hashlib.sha256(raw).hexdigest()
    relative = f"{digest[:2]}/{digest}.eml"
    path = raw_dir() / relative
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        with open(temporary, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    return relative


def read_original(relative: str) -> bytes:
    path = (raw_dir() / relative).resolve()
    if raw_dir().resolve() not in path.parents:
        raise NotFound("That message is not kept here.")
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise NotFound("The original of that message is gone.") from None


def import_message(
    raw: bytes, source: str, now: datetime, *, retry: bool = False
) -> InboundMessage | None:
    """Import one message; ``None`` when the same message was imported before.

    :param retry: an admin retries a quarantined message (the sender's hourly limit is not
        applied again).
    :raises OperationalError, OSError: transient; nothing was imported, try again later.
    """
    raw_path = store_original(raw)
    fallback_id = "sha256:" + hashlib.sha256(raw).hexdigest()
    if len(raw) > current_app.config["EMAIL_MAX_MESSAGE_BYTES"]:
        reason = f"The message is larger than EMAIL_MAX_MESSAGE_BYTES ({len(raw)} bytes)."
        return inbound.quarantine(CHANNEL, source, fallback_id, reason, raw_path, now)
    parsed = None
    try:
        parsed = parsing.parse(raw)
        with db.session.begin_nested():
            return _import(parsed, source, raw_path, now, retry)
    except (OperationalError, DBAPIError, OSError):
        raise
    except DomainError as error:
        reason = f"{error.field}: {error}" if getattr(error, "field", None) else str(error)
    except Exception as error:  # a bug meets odd mail: keep it, tell the admin
        log.exception("importing a message failed")
        reason = f"The message could not be imported ({type(error).__name__}: {error})."
    external_id = parsed.message_id if parsed is not None else fallback_id
    return inbound.quarantine(CHANNEL, source, external_id, reason[:2000], raw_path, now)


def _import(
    parsed: parsing.ParsedMail, source: str, raw_path: str, now: datetime, retry: bool
) -> InboundMessage | None:
    config = current_app.config
    secret = config["SECRET_KEY"] or ""
    support = config["EMAIL_SUPPORT_ADDRESS"].lower()
    if parsed.failures is not None or rules.is_daemon(parsed.sender):
        return _record_bounce(parsed, source, raw_path, now, secret)
    if "@" not in parsed.sender:
        raise DomainError("The message has no sender address (no From, Sender or Return-Path).")
    if parsed.sender == support or rules.ticket_from_address(parsed.sender, secret):
        raise DomainError("Sent from our own support address: a mail loop, not imported.")
    if not retry and _recent_count(parsed.sender, now) >= config["EMAIL_SENDER_MAX_PER_HOUR"]:
        raise DomainError(
            f"{parsed.sender} sent more than EMAIL_SENDER_MAX_PER_HOUR messages in an hour."
        )
    thread_id = _thread(parsed, secret)
    automatic = rules.automatic_reason(parsed.headers, parsed.sender, [support], parsed.subject)
    text = parsing.latest_reply(parsed.text) if thread_id else parsed.text.strip()
    uploads, notes = _uploads(parsed)
    body = _body(text, notes + parsed.notes)
    item = inbound.Inbound(
        channel=CHANNEL,
        source=source,
        external_id=parsed.message_id,
        sender=inbound.Sender(
            "email",
            parsed.sender,
            parsed.display_name,
            verified=rules.authentication_verdict(
                parsed.authentication_results, config["EMAIL_TRUSTED_AUTHSERV_ID"]
            ),
        ),
        subject=parsed.subject[: tickets.SUBJECT_MAX],
        body=body,
        attachments=tuple(uploads),
        thread_ticket_id=thread_id,
        raw_path=raw_path,
        automatic=automatic,
    )
    db.session.info[QUIET] = bool(automatic)
    db.session.info[CURRENT] = parsed.message_id
    db.session.info[SENDER] = inbound.normalise_address(item.sender)
    try:
        record = inbound.receive(item, now, retry=retry)
    finally:
        for key in (QUIET, CURRENT, SENDER):
            db.session.info.pop(key, None)
    if record is not None and not automatic and record.identity is not None:
        record.identity.bouncing_since = None  # they wrote to us: the address works again
    if record is not None and automatic and record.outcome != "ignored":
        record.reason = f"No automatic answer: {automatic}."
    return record


def _thread(parsed: parsing.ParsedMail, secret: str) -> int | None:
    """The ticket a reply belongs to, by the plan's order: the signed reply address, a
    Message-ID we sent, then the subject's ``[#1234]`` (the core accepts any of them only
    for the ticket's own requester)."""
    for address in parsed.recipients:
        ticket_id = rules.ticket_from_address(address, secret)
        if ticket_id is not None:
            return ticket_id
    ticket_id = rules.ticket_from_message_ids(parsed.references + parsed.in_reply_to, secret)
    if ticket_id is not None:
        return ticket_id
    return rules.ticket_from_subject(parsed.subject)


def _uploads(parsed: parsing.ParsedMail) -> tuple[list[files.Upload], list[str]]:
    """Attachments the ticket rules accept; the others are named in the text (they stay in
    the original message, which agents can download)."""
    max_bytes = current_app.config["TICKET_ATTACHMENT_MAX_BYTES"]
    accepted, notes = [], []
    for attachment in parsed.attachments:
        upload = files.Upload(attachment.filename, attachment.data)
        try:
            files.check(upload, max_bytes)
        except files.AttachmentRejected as error:
            notes.append(f"Attachment not added: {error}")
            continue
        if len(accepted) == files.MAX_FILES:
            notes.append(
                f"Attachment not added: {attachment.filename} (more than {files.MAX_FILES})."
            )
            continue
        accepted.append(upload)
    return accepted, notes


def _body(text: str, notes: list[str]) -> str:
    limit = tickets.BODY_MAX - 500
    if len(text) > limit:
        text = text[:limit] + "\n\n(The message was longer: see the original message.)"
    if notes:
        text += "\n\n" + "\n".join(f"- {note}" for note in notes)
    return text


def _recent_count(sender: str, now: datetime) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(InboundMessage)
        .join(ChannelIdentity, InboundMessage.identity_id == ChannelIdentity.id)
        .where(
            ChannelIdentity.kind == "email",
            ChannelIdentity.address == sender,
            InboundMessage.channel == CHANNEL,
            InboundMessage.outcome.in_(_COUNTED),
            InboundMessage.received_at >= now - timedelta(hours=1),
        )
    )


def _record_bounce(
    parsed: parsing.ParsedMail, source: str, raw_path: str, now: datetime, secret: str
) -> InboundMessage | None:
    """A delivery status notification: noted on the ticket whose mail bounced and on the
    address, never a new ticket (and never answered)."""
    record = inbound.claim(CHANNEL, source, parsed.message_id, now)
    if record is None:
        return None
    ticket_id = rules.ticket_from_message_ids(
        parsed.bounced_ids + parsed.references + parsed.in_reply_to, secret
    )
    ticket = db.session.get(Ticket, ticket_id) if ticket_id else None
    failed = [f for f in parsed.failures or [] if f.action in ("failed", "")]
    for failure in failed:
        identity = inbound.find_identity("email", failure.recipient)
        if identity is not None and identity.bouncing_since is None:
            identity.bouncing_since = now
        if ticket is not None:
            detail = f"{failure.recipient}: {failure.status} {failure.diagnostic}".strip()
            tickets.log_channel_event(ticket, "bounce", now, detail[:300])
    record.outcome = "bounce"
    record.raw_path = raw_path
    record.ticket_id = ticket.id if ticket else None
    if parsed.failures is None:
        record.reason = "From a mail daemon, without a delivery report we can read."
    elif not failed:
        record.reason = "A delivery report with no failed recipient (delayed or relayed)."
    else:
        record.reason = "Bounced: " + ", ".join(f.recipient for f in failed)
    db.session.flush()
    return record


def received_for(ticket_id: int) -> list[InboundMessage]:
    """The mails that reached a ticket (opened it, replied, bounced), oldest first."""
    return list(
        db.session.scalars(
            select(InboundMessage)
            .where(InboundMessage.channel == CHANNEL, InboundMessage.ticket_id == ticket_id)
            .order_by(InboundMessage.received_at, InboundMessage.id)
        )
    )


def retry(record_id: int, now: datetime) -> InboundMessage | None:
    """Import a quarantined message again (an admin fixed the cause or overrides a limit).

    :raises NotFound: no such quarantined message.
    """
    record = db.session.get(InboundMessage, record_id)
    if record is None or record.channel != CHANNEL or record.outcome != "quarantined":
        raise NotFound("No such quarantined message.")
    raw = read_original(record.raw_path or "")
    return import_message(raw, record.source, now, retry=True)


def discard(record_id: int, now: datetime) -> InboundMessage:
    """Put a quarantined message aside for good (its original stays on disk).

    :raises NotFound: no such quarantined message.
    """
    record = db.session.get(InboundMessage, record_id)
    if record is None or record.channel != CHANNEL or record.outcome != "quarantined":
        raise NotFound("No such quarantined message.")
    record.outcome = "discarded"
    record.reason = f"{record.reason} (discarded {now:%Y-%m-%d %H:%M} UTC)"[:2000]
    db.session.flush()
    return record
