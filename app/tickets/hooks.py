"""What other features may do with a new ticket without tickets importing them: hooks
registered at start-up (``app.extensions["ticket_created_hooks"]``), and the automatic reply
such a hook may post.

The crisis feature registers one: a new request in an incident's affected category gets the
incident's auto-reply and is linked to it. Live chat, once built, starts its tickets through
:func:`app.tickets.services.create_ticket` and gets the same for free.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import Flask, current_app

from app.accounts.models import User
from app.extensions import db
from app.markup import render
from app.tickets.models import Ticket, TicketMessage
from app.tickets.sla import clock

TicketHook = Callable[[Ticket, datetime], None]


def on_ticket_created(app: Flask, hook: TicketHook) -> None:
    """Call ``hook(ticket, now)`` after every new ticket is flushed, in its transaction."""
    app.extensions.setdefault("ticket_created_hooks", []).append(hook)


def run_created_hooks(ticket: Ticket, now: datetime) -> None:
    for hook in current_app.extensions.get("ticket_created_hooks", []):
        hook(ticket, now)


def automatic_reply(
    author: User, ticket: Ticket, body: str, now: datetime, *, internal: bool = False
) -> TicketMessage:
    """A reply the system posts for ``author`` (an incident's auto-reply): shown in the
    conversation and mailed to the requester, but it is not a person answering, so the
    first-response clock keeps running. ``internal`` keeps it a note (a drill's)."""
    message = TicketMessage(
        ticket_id=ticket.id, author_id=author.id, body=body, body_html=render(body),
        internal=internal, from_agent=True, created_at=now,
    )  # fmt: skip
    db.session.add(message)
    db.session.flush()
    kind = "internal_note" if internal else "auto_reply"
    clock.log_event(ticket, author, kind, now, after={"message_id": message.id})
    if not internal:
        clock.notify_requester(ticket, f"About your request: {ticket.subject}", body, now)
    db.session.flush()
    return message
