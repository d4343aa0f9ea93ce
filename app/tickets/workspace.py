"""The agents' workspace: queues, claiming, assignment, properties, escalation, replies, merges.

Same conventions as :mod:`app.tickets.services`: explicit acting agent and ``now``, flush only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select, update

from app.accounts.models import User
from app.accounts.permissions import can
from app.errors import DomainError
from app.extensions import db
from app.markup import render
from app.models import is_row_id
from app.tickets import attachments as files
from app.tickets import forum_link, notices, origins
from app.tickets import timeline as timeline_rules
from app.tickets.catalog import CATEGORIES, CHANNELS, CLOSED, NEW, OPEN, SOLVED, STATUSES
from app.tickets.models import Ticket, TicketEvent, TicketMessage
from app.tickets.services import (
    BODY_MAX,
    TicketNotFound,
    attach_files,
    required_text,
)
from app.tickets.sla import clock
from app.tickets.sla.policy import Priority

#: Statuses a queue shows unless the agent filters for another.
QUEUE_DEFAULT_STATUSES = ("new", "open", "pending")


@dataclass(frozen=True)
class QueueFilters:
    """Queue filters as parsed from the query string; empty strings mean "any"."""

    tier: int = 1
    category: str = ""
    priority: str = ""
    status: str = ""
    assignee: str = ""  # "", "me", "none" or a user id
    channel: str = ""
    origin: str = ""  # a choice registered in app.tickets.origins, e.g. "social:x"
    breached: bool = False
    at_risk: bool = False


def _require_agent(agent: User) -> None:
    if not can(agent, "tickets.work"):
        raise TicketNotFound()


def get_ticket_for_agent(agent: User, ticket_id: int) -> Ticket:
    """:raises TicketNotFound: no such ticket, or ``agent`` is not support staff."""
    _require_agent(agent)
    ticket = db.session.get(Ticket, ticket_id) if is_row_id(ticket_id) else None
    if ticket is None:
        raise TicketNotFound()
    return ticket


def _filtered(filters: QueueFilters, agent: User, now: datetime):
    query = select(Ticket).where(Ticket.tier == filters.tier)
    if filters.status in STATUSES:
        query = query.where(Ticket.status == filters.status)
    else:
        query = query.where(Ticket.status.in_(QUEUE_DEFAULT_STATUSES))
    if filters.category in CATEGORIES:
        query = query.where(Ticket.category == filters.category)
    if filters.priority in set(Priority):
        query = query.where(Ticket.priority == filters.priority)
    if filters.channel in CHANNELS:
        query = query.where(Ticket.channel == filters.channel)
    if filters.origin and (matching := origins.matching_ticket_ids(filters.origin)) is not None:
        query = query.where(Ticket.id.in_(matching))
    if filters.assignee == "me":
        query = query.where(Ticket.assignee_id == agent.id)
    elif filters.assignee == "none":
        query = query.where(Ticket.assignee_id.is_(None))
    elif filters.assignee.isascii() and filters.assignee.isdecimal():
        # ASCII digits only: ``"²".isdigit()`` is true but int() refuses it; length is bounded
        # by the check below before the query sees the number.
        assignee_id = int(filters.assignee) if len(filters.assignee) <= 19 else 0
        if is_row_id(assignee_id):
            query = query.where(Ticket.assignee_id == assignee_id)
    if filters.breached:
        query = query.where(Ticket.sla_due_at < now)
    if filters.at_risk:
        query = query.where(Ticket.sla_at_risk_at <= now, Ticket.sla_due_at >= now)
    return query


def queue(agent: User, filters: QueueFilters, now: datetime, page: int = 1, per_page: int = 25):
    """One tier's tickets, nearest SLA deadline first (tickets without a running clock last).

    :raises TicketNotFound: ``agent`` is not support staff.
    """
    _require_agent(agent)
    query = _filtered(filters, agent, now).order_by(
        Ticket.sla_due_at.is_(None), Ticket.sla_due_at, Ticket.created_at, Ticket.id
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def queue_counts(agent: User, now: datetime) -> dict[int, dict[str, int]]:
    """Per tier: open tickets, breached, at risk and unassigned (for the queue tabs)."""
    _require_agent(agent)
    counts = {}
    active = Ticket.status.in_(QUEUE_DEFAULT_STATUSES)
    for tier in (1, 2, 3):
        base = select(func.count()).select_from(Ticket).where(Ticket.tier == tier, active)
        counts[tier] = {
            "open": db.session.scalar(base),
            "breached": db.session.scalar(base.where(Ticket.sla_due_at < now)),
            "at_risk": db.session.scalar(
                base.where(Ticket.sla_at_risk_at <= now, Ticket.sla_due_at >= now)
            ),
            "unassigned": db.session.scalar(base.where(Ticket.assignee_id.is_(None))),
        }
    return counts


def agents() -> list[User]:
    """Everyone who can be assigned a ticket."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.role.in_(("agent_t1", "agent_t2", "agent_t3", "admin")))
            .where(User.is_suspended.is_(False))
            .order_by(User.display_name)
        )
    )


def check_take_guards(agent: User, ticket: Ticket) -> None:
    """Run the guards higher layers registered in ``app.extensions["ticket_take_guards"]``
    (e.g. the team's "onboarding before Tier 1"): each returns why not, or None.

    :raises DomainError: the first reason, on the ``assignee`` field.
    """
    for guard in current_app.extensions.get("ticket_take_guards", []):
        reason = guard(agent, ticket)
        if reason:
            raise DomainError(reason, "assignee")


def claim(agent: User, ticket: Ticket, now: datetime) -> bool:
    """Take an unassigned ticket. Atomic: of two agents claiming at once exactly one wins.

    :returns: whether this agent got it (``False``: somebody else was first).
    """
    _require_agent(agent)
    check_take_guards(agent, ticket)
    result = db.session.execute(
        update(Ticket)
        .where(Ticket.id == ticket.id, Ticket.assignee_id.is_(None))
        .values(assignee_id=agent.id, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(ticket)
        return False
    db.session.refresh(ticket)
    clock.log_event(ticket, agent, "assigned", now, before={"assignee_id": None},
                    after={"assignee_id": agent.id, "claimed": True})  # fmt: skip
    if ticket.status == NEW:
        clock.set_status(ticket, OPEN, now, agent)
        clock.refresh(ticket)
    forum_link.note_taken(ticket, now)
    db.session.flush()
    return True


def assign(agent: User, ticket: Ticket, assignee_id: int | None, now: datetime) -> None:
    """Assign to a given agent, or unassign (``None``).

    :raises DomainError: the assignee is not support staff.
    """
    _require_agent(agent)
    if assignee_id is not None:
        assignee = db.session.get(User, assignee_id) if is_row_id(assignee_id) else None
        if assignee is None or not can(assignee, "tickets.work"):
            raise DomainError("Choose a support agent.", "assignee")
        check_take_guards(assignee, ticket)
    if ticket.assignee_id == assignee_id:
        return
    old = ticket.assignee_id
    ticket.assignee_id = assignee_id
    ticket.updated_at = now
    clock.log_event(ticket, agent, "assigned", now, before={"assignee_id": old},
                    after={"assignee_id": assignee_id})  # fmt: skip
    if assignee_id is not None:
        forum_link.note_taken(ticket, now)
    db.session.flush()


def change_properties(
    agent: User,
    ticket: Ticket,
    now: datetime,
    *,
    priority: str | None = None,
    category: str | None = None,
    status: str | None = None,
) -> list[str]:
    """Change priority, category and/or status; each change is an event. Raising a ticket to
    Critical sends it to its tier at once; the requester hears of status changes.

    :returns: the names of what changed.
    :raises DomainError: for unknown values, or a change to a closed ticket.
    """
    _require_agent(agent)
    if priority is not None and priority not in set(Priority):
        raise DomainError("Choose a priority.", "priority")
    if category is not None and category not in CATEGORIES:
        raise DomainError("Choose a category.", "category")
    if status is not None and status not in STATUSES:
        raise DomainError("Choose a status.", "status")
    if ticket.status == CLOSED and status not in (None, CLOSED):
        raise DomainError(
            "A closed ticket stays closed; ask the requester for a new one.", "status"
        )
    changed = []
    for name, value in (("priority", priority), ("category", category)):
        old = getattr(ticket, name)
        if value is not None and value != old:
            setattr(ticket, name, value)
            clock.log_event(ticket, agent, name, now, before={name: old}, after={name: value})
            changed.append(name)
    if status is not None and clock.set_status(ticket, status, now, agent):
        changed.append("status")
        clock.notify_requester(
            ticket, f"Your request is now {STATUSES[status].lower()}",
            f"The status of your request \u201c{ticket.subject}\u201d changed to "
            f"\u201c{STATUSES[status]}\u201d.", now,
        )  # fmt: skip
    if changed:
        ticket.updated_at = now
        clock.apply_due_actions(ticket, now)
    db.session.flush()
    return changed


def escalate(agent: User, ticket: Ticket, to_tier: int, reason: str, now: datetime) -> None:
    """Move a ticket to a higher tier before its timer would, with a reason.

    :raises DomainError: no reason, or not a higher tier.
    """
    _require_agent(agent)
    reason = required_text(reason, "reason", "a reason", 1000)
    if to_tier not in (2, 3) or to_tier <= ticket.tier:
        raise DomainError("Choose a higher tier.", "to_tier")
    clock.move_to_tier(ticket, to_tier, now, agent, now=now, reason=reason)
    clock.apply_due_actions(ticket, now)
    db.session.flush()


def agent_reply(
    agent: User,
    ticket: Ticket,
    body: str,
    now: datetime,
    *,
    internal: bool = False,
    status_after: str | None = None,
    attachments: Iterable[files.Upload] = (),
) -> TicketMessage:
    """A public reply (answers the running clock, e-mails the requester) or an internal note.

    :param status_after: optional new status (for example ``pending`` to wait on the customer).
    :raises DomainError: empty body, closed ticket or unknown status.
    """
    _require_agent(agent)
    if ticket.status == CLOSED:
        raise DomainError("This ticket is closed.", "body")
    body = required_text(body, "body", "a message", BODY_MAX)
    if status_after and status_after not in STATUSES:
        raise DomainError("Choose a status.", "status_after")
    if not internal:
        notices.check_reply(ticket, body, now)
    message = TicketMessage(
        ticket_id=ticket.id, author_id=agent.id, body=body, body_html=render(body),
        internal=internal, from_agent=True, created_at=now,
    )  # fmt: skip
    db.session.add(message)
    db.session.flush()
    attach_files(ticket, message, attachments, agent, now)
    kind = "internal_note" if internal else "agent_reply"
    clock.log_event(ticket, agent, kind, now, after={"message_id": message.id})
    if not internal:
        if ticket.first_responded_at is None:
            ticket.first_responded_at = now
            clock.log_event(ticket, agent, "first_response", now, after={"at": now.isoformat()})
        ticket.awaiting_since = None
        ticket.sla_breached_at = None
        forum_link.note_taken(ticket, now)
        if ticket.status == NEW:
            clock.set_status(ticket, OPEN, now, agent)
    if status_after and status_after != ticket.status:
        clock.set_status(ticket, status_after, now, agent)
    if not internal:
        clock.notify_requester(
            ticket, f"New reply: {ticket.subject}",
            f"{agent.display_name} from GrowgrEbuddy Support replied:\n\n{body}", now, message,
        )  # fmt: skip
    ticket.updated_at = now
    clock.apply_due_actions(ticket, now)
    db.session.flush()
    return message


def merge(agent: User, ticket: Ticket, into_id: int, now: datetime) -> Ticket:
    """Close ``ticket`` as a duplicate of ticket ``into_id`` (same requester), leaving a note on
    both; nothing is deleted.

    :raises DomainError: unknown target, itself, another requester's or a closed target.
    """
    _require_agent(agent)
    target = db.session.get(Ticket, into_id) if is_row_id(into_id) else None
    if target is None or target.id == ticket.id:
        raise DomainError("Enter the number of another ticket.", "into")
    if target.requester_id != ticket.requester_id:
        raise DomainError("Only tickets of the same requester can be merged.", "into")
    if target.status == CLOSED or ticket.status == CLOSED:
        raise DomainError("Closed tickets can't be merged.", "into")
    note = f"Merged {ticket.ref} into {target.ref} as a duplicate."
    for each in (ticket, target):
        db.session.add(TicketMessage(
            ticket_id=each.id, author_id=agent.id, body=note, body_html=render(note),
            internal=True, from_agent=True, created_at=now,
        ))  # fmt: skip
    ticket.merged_into_id = target.id
    clock.log_event(ticket, agent, "merged", now, after={"into": target.id})
    clock.log_event(target, agent, "merged_from", now, after={"from": ticket.id})
    if target.status == SOLVED:
        clock.set_status(target, OPEN, now, agent)
    clock.set_status(ticket, CLOSED, now, agent)
    for each in (ticket, target):
        clock.apply_due_actions(each, now)
    db.session.flush()
    return target


def timeline(ticket: Ticket) -> list[TicketEvent]:
    """The ticket's whole history, oldest first."""
    return list(
        db.session.scalars(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket.id)
            .order_by(TicketEvent.created_at, TicketEvent.id)
        )
    )


def timeline_entries(ticket: Ticket) -> list[tuple[TicketEvent, list[timeline.Part]]]:
    """The history as sentences: each event with the parts :mod:`app.tickets.timeline` made,
    names of people and threads loaded in two queries."""
    events = timeline(ticket)
    user_ids, thread_ids = timeline_rules.people_and_threads(events)
    users = {u.id: u.display_name for u in _rows(User, user_ids)}
    threads = {}
    if thread_ids:
        from app.forum.models import ForumThread  # the forum sits below tickets

        threads = {t.id: t.title for t in _rows(ForumThread, thread_ids)}
    names = timeline_rules.Names(users=users, threads=threads)
    return [(event, timeline_rules.describe(event, names)) for event in events]


def _rows(model, ids: set[int]) -> list:
    ids = {i for i in ids if is_row_id(i)}
    return list(db.session.scalars(select(model).where(model.id.in_(ids)))) if ids else []


def conversation(ticket: Ticket) -> list[TicketMessage]:
    """Every message including internal notes (agents only)."""
    return list(
        db.session.scalars(
            select(TicketMessage)
            .where(TicketMessage.ticket_id == ticket.id)
            .order_by(TicketMessage.created_at, TicketMessage.id)
        )
    )


def other_tickets(ticket: Ticket, limit: int = 10) -> list[Ticket]:
    """The requester's other tickets, newest first."""
    return list(
        db.session.scalars(
            select(Ticket)
            .where(Ticket.requester_id == ticket.requester_id, Ticket.id != ticket.id)
            .order_by(Ticket.created_at.desc())
            .limit(limit)
        )
    )
