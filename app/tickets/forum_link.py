"""Escalating a forum thread into a ticket, and posting the resolution back to the thread.

The forum package is below us (it never imports tickets), so this module imports its services
directly; the forum ships with every site.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from app.accounts.models import User
from app.accounts.permissions import can_escalate_forum_thread
from app.extensions import db
from app.forum import services as forum_services
from app.models import is_row_id
from app.tickets import services
from app.tickets.models import Ticket
from app.tickets.services import TicketError, TicketNotFound
from app.tickets.sla import clock


def thread_for_escalation(actor: User, thread_id: int):
    """The thread ``actor`` may escalate (its author, or a moderator or agent).

    :raises TicketNotFound: no such visible thread, or ``actor`` may not escalate it.
    """
    usable = is_row_id(thread_id)
    thread = forum_services.visible_thread_for(actor, thread_id) if usable else None
    if thread is None or not can_escalate_forum_thread(actor, thread):
        raise TicketNotFound()
    return thread


def escalate_thread(
    actor: User,
    thread,
    *,
    category: str,
    impact: str,
    now: datetime,
    ticket_url_for: Callable[[Ticket], str] | None = None,
) -> Ticket:
    """Turn a thread into a ticket (channel ``forum``) for the thread's author; the thread
    stays public and shows that a support agent is on it.

    :raises TicketError: already escalated, or invalid category/impact.
    """
    if getattr(thread, "escalated_ticket_id", None):
        raise TicketError(f"This thread is already escalated as #{thread.escalated_ticket_id}.")
    requester = db.session.get(User, thread.author_id)
    opening = forum_services.opening_post(thread)
    link = f"Escalated from the community thread \u201c{thread.title}\u201d (thread {thread.id})."
    description = f"{opening.body if opening else thread.title}\n\n---\n{link}"
    ticket = services.create_ticket(
        requester, category=category, subject=thread.title[:200], description=description,
        impact=impact, channel="forum", now=now, forum_thread_id=thread.id,
    )  # fmt: skip
    if actor.id != requester.id:
        clock.log_event(ticket, actor, "escalated_from_thread", now,
                        after={"thread_id": thread.id, "by": actor.id})  # fmt: skip
    forum_services.mark_thread_escalated(thread, ticket.ref, actor, now, ticket_id=ticket.id)
    return ticket


def linked_thread(ticket: Ticket):
    """The forum thread a ticket came from, or ``None``."""
    if ticket.forum_thread_id is None:
        return None
    return forum_services.get_thread(ticket.forum_thread_id)


def post_resolution(agent: User, ticket: Ticket, body: str, now: datetime):
    """Post the agent's resolution to the linked thread as a staff reply, and log it.

    :raises TicketError: no linked thread, or the forum refused the post.
    """
    thread = linked_thread(ticket)
    if thread is None:
        raise TicketError("This ticket has no forum thread.", "body")
    try:
        post = forum_services.post_reply(thread, agent, body, now, as_staff=True)
    except forum_services.ForumError as error:
        raise TicketError(getattr(error, "message", str(error)), "body") from None
    clock.log_event(ticket, agent, "thread_resolution", now,
                    after={"thread_id": thread.id, "post_id": post.id})  # fmt: skip
    db.session.flush()
    return post


__all__ = ["TicketNotFound", "escalate_thread", "linked_thread", "post_resolution"]
