"""What the requester is told about their ticket (the receipt, agents' public replies, status
changes), and by which way it reaches them.

By default a notice is an e-mail. A channel that carries conversations itself (e-mail with
threading headers, live chat, social media) registers a *notifier* for its tickets at start-up
with :func:`register_notifier`; tickets never import the channels (they sit above it).
A notifier records its delivery in the outbox (never sends during the request) and returns
whether it took the notice; ``False`` falls back to the plain e-mail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app

from app.mail import OutgoingMail
from app.outbox import record_mail
from app.tickets.models import Ticket, TicketMessage

#: Kinds of notice: ``receipt`` (a new ticket), ``agent_reply`` (a public reply: ``message``
#: is set), ``status`` (solved, escalated, reopened ...).
KINDS = ("receipt", "agent_reply", "status")


@dataclass(frozen=True)
class RequesterNotice:
    ticket: Ticket
    kind: str
    #: The e-mail subject and the whole plain-text body the default e-mail would carry.
    subject: str
    body: str
    #: The agent's message, for ``agent_reply`` (channels send its Markdown and attachments).
    message: TicketMessage | None = None


Notifier = Callable[[RequesterNotice, datetime], bool]
#: Raises ``DomainError`` (field ``body``) when the channel cannot carry this agent reply.
ReplyCheck = Callable[[Ticket, str, datetime], None]


def register_notifier(app: Flask, channel: str, notifier: Notifier) -> None:
    """Let ``channel`` deliver the notices of its tickets (called from its ``init_app``)."""
    app.extensions.setdefault("ticket_notifiers", {})[channel] = notifier


def register_reply_check(app: Flask, channel: str, check: ReplyCheck) -> None:
    """Let ``channel`` refuse an agent's public reply before it is saved (a platform's
    messaging window or length limit), so the agent sees why and nothing half-happens."""
    app.extensions.setdefault("ticket_reply_checks", {})[channel] = check


def check_reply(ticket: Ticket, body: str, now: datetime) -> None:
    """:raises DomainError: the ticket's channel cannot deliver ``body`` now."""
    check = current_app.extensions.get("ticket_reply_checks", {}).get(ticket.channel)
    if check is not None:
        check(ticket, body, now)


def send_notice(notice: RequesterNotice, now: datetime) -> None:
    """Deliver one notice: the ticket's channel first, else e-mail to the requester."""
    notifier = current_app.extensions.get("ticket_notifiers", {}).get(notice.ticket.channel)
    if notifier is not None and notifier(notice, now):
        return
    record_mail(OutgoingMail(notice.ticket.requester.email, notice.subject, notice.body), now)
