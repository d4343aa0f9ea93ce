"""Tickets and threads that belong to an incident: new requests in its categories are linked
(with its auto-reply) as they arrive; agents link existing ones in bulk from a search and keep
single tickets out of the resolution.

:func:`on_new_ticket` is the entry point for every channel: tickets calls it through its
ticket-created hooks (web form, API, forum escalation, e-mail), and live chat calls
:func:`auto_reply_for_chat` when a chat starts, to show the same text and link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from app.accounts.models import User
from app.errors import DomainError, NotFound
from app.extensions import db
from app.forum.models import PUBLISHED, ForumPost, ForumThread
from app.incidents import rules, templates
from app.incidents.models import OPEN, Incident, IncidentLink
from app.incidents.services import DRILL, add_entry, placeholder_values, require_lead
from app.models import is_row_id
from app.tickets.hooks import automatic_reply
from app.tickets.models import Ticket

SEARCH_MAX = 100
BULK_MAX = 2000


def open_incidents_for(category: str) -> list[Incident]:
    """Open incidents (drills too) whose affected categories include ``category``."""
    candidates = db.session.scalars(select(Incident).where(Incident.status == OPEN)).all()
    return [incident for incident in candidates if category in incident.categories]


def auto_reply_text(incident: Incident, now: datetime) -> str:
    """The incident's auto-reply, its placeholders filled (a missing value reads as a dash:
    the auto-reply goes out unattended, so it never waits for a person)."""
    sections = templates.sections_for(incident.kind, now)
    values = placeholder_values(incident, incident.next_update_due_at)
    filled = {name: values.get(name) or "—" for name in rules.PLACEHOLDERS}
    return rules.fill(sections["autoreply"], filled)


@dataclass(frozen=True)
class ChatAutoReply:
    incident_id: int
    text: str
    status_url: str
    is_drill: bool


def auto_reply_for_chat(category: str, now: datetime, *, staff: bool) -> ChatAutoReply | None:
    """For live chat: the text to show a person starting a chat in ``category`` and the status
    page to link, or ``None``. Drills answer only ``staff`` (a drill is never shown to users)."""
    from app.mail import site_link

    for incident in open_incidents_for(category):
        if incident.is_drill and not staff:
            continue
        text = auto_reply_text(incident, now)
        url = site_link("incidents.status_incident", incident_id=incident.id)
        return ChatAutoReply(incident.id, text, url, incident.is_drill)
    return None


def _link(incident, *, ticket_id=None, thread_id=None, how, actor, now) -> bool:
    column = IncidentLink.ticket_id if ticket_id is not None else IncidentLink.thread_id
    value = ticket_id if ticket_id is not None else thread_id
    exists = db.session.scalar(
        select(IncidentLink.id).where(IncidentLink.incident_id == incident.id, column == value)
    )
    if exists:
        return False
    db.session.add(
        IncidentLink(
            incident_id=incident.id, ticket_id=ticket_id, thread_id=thread_id, how=how,
            linked_by_id=actor.id if actor else None, linked_at=now, excluded=False,
        )
    )  # fmt: skip
    return True


def on_new_ticket(ticket: Ticket, now: datetime) -> None:
    """Ticket-created hook: link the request to each open incident of its category and post the
    incident's auto-reply (a drill's as an internal note marked DRILL)."""
    for incident in open_incidents_for(ticket.category):
        if not _link(incident, ticket_id=ticket.id, how="auto", actor=None, now=now):
            continue
        text = auto_reply_text(incident, now)
        if incident.is_drill:
            automatic_reply(incident.owner, ticket, DRILL + text, now, internal=True)
        else:
            automatic_reply(incident.owner, ticket, text, now)
    db.session.flush()


@dataclass(frozen=True)
class BulkResult:
    tickets: int
    threads: int


def bulk_link(
    actor: User, incident: Incident, *, text: str, since: datetime | None, tickets: bool,
    threads: bool, now: datetime,
) -> BulkResult:  # fmt: skip
    """Link every ticket and/or forum thread since ``since`` whose words contain ``text``
    ("all tickets since 10:00 mentioning sync").

    :raises DomainError: nothing to search for, or too many matches to link at once.
    """
    require_lead(actor)
    text = (text or "").strip()
    if not text or len(text) > SEARCH_MAX:
        raise DomainError(f"Type 1 to {SEARCH_MAX} characters to look for.", "text")
    if not (tickets or threads):
        raise DomainError("Choose tickets, forum threads or both.", "tickets")
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    found_tickets: list[int] = []
    found_threads: list[int] = []
    if tickets:
        query = select(Ticket.id).where(
            or_(Ticket.subject.ilike(pattern, escape="\\"),
                Ticket.description.ilike(pattern, escape="\\"))
        )  # fmt: skip
        if since is not None:
            query = query.where(Ticket.created_at >= since)
        found_tickets = db.session.scalars(query.limit(BULK_MAX + 1)).all()
    if threads:
        opening = select(ForumPost.thread_id).where(
            ForumPost.is_opening.is_(True), ForumPost.body.ilike(pattern, escape="\\")
        )
        query = select(ForumThread.id).where(
            ForumThread.status == PUBLISHED,
            ForumThread.id != (incident.forum_thread_id or 0),
            or_(ForumThread.title.ilike(pattern, escape="\\"), ForumThread.id.in_(opening)),
        )
        if since is not None:
            query = query.where(ForumThread.created_at >= since)
        found_threads = db.session.scalars(query.limit(BULK_MAX + 1)).all()
    if len(found_tickets) > BULK_MAX or len(found_threads) > BULK_MAX:
        raise DomainError(f"More than {BULK_MAX} matches: narrow the search.", "text")
    linked_tickets = sum(
        _link(incident, ticket_id=i, how="bulk", actor=actor, now=now) for i in found_tickets
    )
    linked_threads = sum(
        _link(incident, thread_id=i, how="bulk", actor=actor, now=now) for i in found_threads
    )
    since_text = f" since {since:%Y-%m-%d %H:%M} UTC" if since else ""
    add_entry(
        incident, "linked", actor, now,
        body=f"Linked {linked_tickets} ticket(s) and {linked_threads} thread(s) mentioning "
        f"\u201c{text}\u201d{since_text}.",
    )  # fmt: skip
    db.session.flush()
    return BulkResult(linked_tickets, linked_threads)


def set_excluded(actor: User, incident: Incident, link_id: int, excluded: bool) -> IncidentLink:
    """Keep a linked ticket out of (or back in) the resolution."""
    require_lead(actor)
    link = db.session.get(IncidentLink, link_id) if is_row_id(link_id) else None
    if link is None or link.incident_id != incident.id:
        raise NotFound("No such link.")
    link.excluded = excluded
    db.session.flush()
    return link


def links(incident: Incident) -> list[IncidentLink]:
    return db.session.scalars(
        select(IncidentLink)
        .where(IncidentLink.incident_id == incident.id)
        .order_by(IncidentLink.id)
    ).all()
