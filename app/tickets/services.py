"""Ticket operations for requesters and every channel (web, forum, e-mail, API).

Explicit inputs (acting user, ``now``), ``flush`` only, never a commit; problems the person can
fix raise :class:`DomainError` with the form ``field`` they belong to.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from app.accounts.models import User
from app.accounts.permissions import can
from app.errors import DomainError, NotFound
from app.extensions import db
from app.markup import render
from app.models import is_row_id
from app.tickets import attachments as files
from app.tickets.catalog import (
    CATEGORIES,
    CHANNELS,
    CLOSED,
    DEFAULT_IMPACT_PRIORITY,
    IMPACTS,
    NEW,
    OPEN,
    PAUSED_STATUSES,
    PENDING,
    SOLVED,
)
from app.tickets.hooks import run_created_hooks
from app.tickets.models import Ticket, TicketAttachment, TicketDeflection, TicketMessage
from app.tickets.notices import RequesterNotice, send_notice
from app.tickets.sla import clock
from app.tickets.sla.policy import Priority
from app.tickets.timeline import zone_label

SUBJECT_MAX = 200
BODY_MAX = 20_000
#: More steps than any troubleshooting guide has: a larger count is not a real one.
GUIDE_STEPS_MAX = 1000
DEFLECTION_OUTCOMES = ("clicked", "left")


class TicketNotFound(NotFound):
    """No such ticket *for this person*: someone else's ticket looks exactly like a missing one."""

    def __init__(self) -> None:
        super().__init__("We couldn't find that request.")


def impact_priority(impact: str) -> str:
    """The priority an impact suggests (``TICKET_IMPACT_PRIORITY`` overrides the defaults)."""
    mapping = {
        **DEFAULT_IMPACT_PRIORITY,
        **(current_app.config.get("TICKET_IMPACT_PRIORITY") or {}),
    }
    return Priority(mapping[impact]).value


def storable(value: str) -> bool:
    """Whether text can be stored as it is: JSON may carry a NUL (PostgreSQL refuses it) or a
    lone surrogate such as ``"\\ud800"`` (no UTF-8 encoding exists, every driver refuses it)."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _storable(value: str, field: str) -> str:
    if not storable(value):
        raise DomainError("Use plain text: this contains characters we can't store.", field)
    return value


def required_text(value: str | None, field: str, label: str, maximum: int) -> str:
    """A required text input, trimmed and storable (shared with the agent workspace)."""
    value = _storable((value or "").strip(), field)
    if not value:
        raise DomainError(f"Enter {label}.", field)
    if len(value) > maximum:
        raise DomainError(f"Use at most {maximum} characters.", field)
    return value


def attach_files(
    ticket: Ticket,
    message: TicketMessage | None,
    uploads: Iterable[files.Upload],
    uploader: User,
    now: datetime,
) -> list[TicketAttachment]:
    """Store a ticket's (or a message's) uploads after checking count and sizes."""
    uploads = list(uploads)
    if len(uploads) > files.MAX_FILES:
        raise DomainError(f"Attach at most {files.MAX_FILES} files.", "attachments")
    max_bytes = current_app.config["TICKET_ATTACHMENT_MAX_BYTES"]
    checked = []
    for upload in uploads:
        try:
            checked.append((upload, *files.check(upload, max_bytes)))
        except files.AttachmentRejected as error:
            raise DomainError(str(error), "attachments") from None
    stored = []
    for upload, name, content_type in checked:
        attachment = TicketAttachment(
            ticket_id=ticket.id,
            message_id=message.id if message is not None else None,
            stored_name=files.store(upload.data),
            filename=name,
            content_type=content_type,
            size=len(upload.data),
            uploader_id=uploader.id,
            created_at=now,
        )
        db.session.add(attachment)
        stored.append(attachment)
    return stored


def create_ticket(
    requester: User,
    *,
    category: str,
    subject: str,
    description: str,
    impact: str,
    channel: str,
    now: datetime,
    attachments: Iterable[files.Upload] = (),
    forum_thread_id: int | None = None,
    guide_slug: str | None = None,
    guide_steps: int | None = None,
    priority: str | None = None,
) -> Ticket:
    """Open a ticket from any channel; the impact suggests the priority, clocks start at ``now``.

    A Critical ticket goes to its tier at once and pages the on-call agents.

    :param priority: set by a trusted channel (an agent, the e-mail gateway); else suggested.
    :raises DomainError: for a missing or unknown field or a rejected attachment.
    """
    if not can(requester, "tickets.submit"):
        raise DomainError("Sign in with an active account to submit a request.")
    if category not in CATEGORIES:
        raise DomainError("Choose a category.", "category")
    if impact not in IMPACTS:
        raise DomainError("Tell us how much this affects you.", "impact")
    if channel not in CHANNELS:
        raise DomainError(f"Unknown channel {channel!r}.", "channel")
    subject = required_text(subject, "subject", "a subject", SUBJECT_MAX)
    description = required_text(description, "description", "a description", BODY_MAX)
    suggested = impact_priority(impact)
    if priority is not None and priority not in set(Priority):
        raise DomainError("Choose a priority.", "priority")
    ticket = Ticket(
        requester_id=requester.id,
        subject=subject,
        description=description,
        description_html=render(description),
        category=category,
        impact=impact,
        suggested_priority=suggested,
        priority=priority or suggested,
        status=NEW,
        channel=channel,
        tier=1,
        tier_entered_at=now,
        flags=[],
        forum_thread_id=forum_thread_id,
        guide_slug=_storable((guide_slug or "").strip()[:200], "guide") or None,
        guide_steps=guide_steps if _is_step_count(guide_steps) else None,
        created_at=now,
        updated_at=now,
        awaiting_since=now,
        pauses=[],
        timer_version=0,
    )
    db.session.add(ticket)
    db.session.flush()
    attach_files(ticket, None, attachments, requester, now)
    clock.log_event(
        ticket, requester, "created", now,
        after={"priority": ticket.priority, "category": category, "channel": channel,
               "tier": 1, "impact": impact, "forum_thread_id": forum_thread_id},
    )  # fmt: skip
    # A Critical ticket escalates here and now (rule ``critical_immediate``), not at the next tick;
    # on-call is paged unless this requester's Critical ticket paged them within the window.
    recent = clock.recent_page(requester, now) if ticket.priority == "critical" else None
    clock.apply_due_actions(ticket, now, paged_recently=recent)
    db.session.flush()
    _send_receipt(ticket, now)
    # Registered at start-up by features above tickets (an open incident's auto-reply).
    run_created_hooks(ticket, now)
    return ticket


def log_channel_event(ticket: Ticket, what: str, now: datetime, detail: str = "") -> None:
    """A channel notes something agents should know on the ticket's history (an unverified
    sender, a bounce, a follow-up); see :data:`app.tickets.timeline.CHANNEL_NOTES`."""
    clock.log_event(ticket, None, "channel_event", now, after={"what": what, "detail": detail})


def _send_receipt(ticket: Ticket, now: datetime) -> None:
    """The plan's promise reaches the requester's inbox too, whatever the channel: the
    reference to quote, when we reply, and where to follow the request."""
    requester = ticket.requester
    body = (
        f"Hello {requester.display_name},\n\n"
        f"We received your request \u201c{ticket.subject}\u201d. Its reference is {ticket.ref};"
        " quote it if you write to us about it.\n\n"
        f"{promise_text(ticket, now)}\n\n"
        f"Follow the request and add details: {clock.ticket_link(ticket.id)}\n\n"
        "GrowgrEbuddy Support\n"
    )
    subject = f"[{ticket.ref}] We received your request"
    send_notice(RequesterNotice(ticket, "receipt", subject, body), now)


def guide_article(slug: str | None):
    """The troubleshooting guide a request names (``None`` when it is gone or never existed):
    pages show its title and link to it instead of the slug."""
    from app.kb.services import get_public_article  # tickets may read the knowledge base

    # Only a public guide: the requester sees the title, and a request may name any slug.
    return get_public_article(slug) if slug else None


def _is_step_count(value: object) -> bool:
    # Only a count a guide can have is kept (it is context for the agent, never worth a 500).
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= GUIDE_STEPS_MAX


def list_requester_tickets(requester: User, page: int = 1, per_page: int = 20):
    """The requester's own tickets, newest first, as a Flask-SQLAlchemy pagination."""
    query = (
        select(Ticket)
        .where(Ticket.requester_id == requester.id)
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def get_ticket_for_requester(requester: User, ticket_id: int) -> Ticket:
    """The requester's own ticket.

    :raises TicketNotFound: it doesn't exist or belongs to somebody else (never say which).
    """
    ticket = db.session.get(Ticket, ticket_id) if is_row_id(ticket_id) else None
    if ticket is None or requester is None or ticket.requester_id != getattr(requester, "id", -1):
        raise TicketNotFound()
    return ticket


def public_conversation(ticket: Ticket) -> list[TicketMessage]:
    """The messages a requester may read: never internal notes."""
    return list(
        db.session.scalars(
            select(TicketMessage)
            .where(TicketMessage.ticket_id == ticket.id, TicketMessage.internal.is_(False))
            .order_by(TicketMessage.created_at, TicketMessage.id)
        )
    )


def public_attachments(ticket: Ticket) -> list[TicketAttachment]:
    """Attachments of the description and of public messages (not of internal notes)."""
    return list(
        db.session.scalars(
            select(TicketAttachment)
            .outerjoin(TicketMessage, TicketAttachment.message_id == TicketMessage.id)
            .where(
                TicketAttachment.ticket_id == ticket.id,
                (TicketAttachment.message_id.is_(None)) | (TicketMessage.internal.is_(False)),
            )
            .order_by(TicketAttachment.id)
        )
    )


def add_requester_reply(
    requester: User,
    ticket: Ticket,
    body: str,
    now: datetime,
    attachments: Iterable[files.Upload] = (),
) -> TicketMessage:
    """The requester writes; a pending or solved ticket opens again and the reply clock runs
    from their oldest unanswered message.

    :raises TicketNotFound: not their ticket. :raises DomainError: empty body, closed ticket.
    """
    ticket = get_ticket_for_requester(requester, ticket.id)
    if ticket.status == CLOSED:
        raise DomainError("This request is closed. Submit a new request instead.", "body")
    body = required_text(body, "body", "a message", BODY_MAX)
    message = TicketMessage(
        ticket_id=ticket.id, author_id=requester.id, body=body, body_html=render(body),
        internal=False, from_agent=False, created_at=now,
    )  # fmt: skip
    db.session.add(message)
    db.session.flush()
    attach_files(ticket, message, attachments, requester, now)
    clock_before = clock.clock_state(ticket)
    if ticket.awaiting_since is None:
        ticket.awaiting_since = now
        ticket.sla_breached_at = None  # a new clock starts; its breach is its own
    if ticket.status in PAUSED_STATUSES:
        clock.set_status(ticket, OPEN, now, requester)
    ticket.updated_at = now
    clock.log_event(ticket, requester, "requester_reply", now, after={"message_id": message.id})
    if clock.clock_state(ticket) != clock_before:
        # A second line while the clock already runs (a chat) changes no deadline; actions
        # already due are the ticket timer's (``next_timer_at``), as without this reply.
        clock.apply_due_actions(ticket, now)
    db.session.flush()
    return message


def mark_solved(requester: User, ticket: Ticket, now: datetime) -> None:
    """The requester says it is solved: the clocks stop.

    :raises TicketNotFound: not their ticket. :raises DomainError: already closed.
    """
    ticket = get_ticket_for_requester(requester, ticket.id)
    if ticket.status == CLOSED:
        raise DomainError("This request is closed.")
    if clock.set_status(ticket, SOLVED, now, requester):
        clock.apply_due_actions(ticket, now)
    db.session.flush()


def reopen(requester: User, ticket: Ticket, now: datetime) -> None:
    """The requester reopens a solved ticket: the clocks resume where they stood.

    :raises TicketNotFound: not their ticket. :raises DomainError: not solved (closed is final).
    """
    ticket = get_ticket_for_requester(requester, ticket.id)
    if ticket.status != SOLVED:
        raise DomainError("Only a solved request can be reopened.")
    if ticket.awaiting_since is None:
        ticket.awaiting_since = now
        ticket.sla_breached_at = None
    clock.set_status(ticket, OPEN, now, requester)
    clock.apply_due_actions(ticket, now)
    db.session.flush()


def _when(due: datetime, now: datetime, zone: ZoneInfo) -> str:
    local, today = due.astimezone(zone), now.astimezone(zone).date()
    clock_text = local.strftime("%H:%M")
    if local.date() == today:
        return f"today at {clock_text}"
    if local.date() == today + timedelta(days=1):
        return f"tomorrow at {clock_text}"
    if local.date() < today + timedelta(days=7):
        return f"{local.strftime('%A')} {clock_text}"
    return f"{local.strftime('%A')} {local.day} {local.strftime('%B')}, {clock_text}"


def promise_text(ticket: Ticket, now: datetime) -> str:
    """What we promise the requester, in plain words and the support time zone.

    :returns: for example ``"We will reply by Tuesday 10:00 (Berlin time)."``.
    """
    if ticket.status == CLOSED:
        return "This request is closed."
    if ticket.status == SOLVED:
        return "This request is solved. If it isn't, reopen it or reply."
    if ticket.status == PENDING:
        return "We are waiting for your reply."
    due = ticket.sla_due_at
    if due is None:
        return "We have replied. Write back if you need anything else."
    if due < now:
        return "We are running late: a support agent will reply as soon as possible."
    zone_name = current_app.config["SUPPORT_TIMEZONE"]
    when = _when(due, now, ZoneInfo(zone_name))
    return f"We will reply by {when} ({zone_label(zone_name)})."


def record_deflection(
    user: User | None, query: str, article_url: str, outcome: str, now: datetime
) -> TicketDeflection:
    """Log that a suggested article was clicked (or the person left) while writing a request.

    :raises DomainError: unknown outcome, or an article address that is not a path on this site.
    """
    if outcome not in DEFLECTION_OUTCOMES:
        raise DomainError("Unknown outcome.", "outcome")
    query = _storable((query or "").strip(), "query")
    url = _storable((article_url or "").strip(), "article_url")
    if url and (not url.startswith("/") or url.startswith("//")):
        raise DomainError("Only articles of this site are logged.", "article_url")
    record = TicketDeflection(
        user_id=getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None,
        query=query[:200],
        article_url=url[:500],
        outcome=outcome,
        created_at=now,
    )
    db.session.add(record)
    db.session.flush()
    return record
