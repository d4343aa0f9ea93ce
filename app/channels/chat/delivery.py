"""What leaves the chat: ticket notices shown in the chat instead of mailed, transcripts by
e-mail, and the timer that turns unanswered chats into ordinary requests."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from app.channels.chat import queries, rules, services
from app.channels.chat.models import OPEN_STATUSES, ChatConversation
from app.extensions import db
from app.mail import OutgoingMail, site_link
from app.outbox import record_mail
from app.tickets.notices import RequesterNotice


def open_conversation(ticket_id: int) -> ChatConversation | None:
    return db.session.scalar(
        select(ChatConversation).where(
            ChatConversation.ticket_id == ticket_id, ChatConversation.status.in_(OPEN_STATUSES)
        )
    )


def by_mail(notice: RequesterNotice, now: datetime) -> bool:
    """Mail a chat ticket's notice the way the e-mail channel threads its own (a signed
    reply address, Message-IDs), so a reply to it continues the ticket (and an open chat);
    ``False`` without the e-mail channel: the plain default mail."""
    notifier = current_app.extensions.get("ticket_notifiers", {}).get("email")
    return notifier is not None and notifier(notice, now)


def chat_notifier(notice: RequesterNotice, now: datetime) -> bool:
    """Deliver a chat ticket's notice in the chat while the chat is open; after it, by e-mail
    that a reply continues."""
    if db.session.info.get(services.WRITING_LINE):
        return True  # the chat service writes this line itself
    conversation = open_conversation(notice.ticket.id)
    if conversation is None:
        return by_mail(notice, now)
    if notice.kind == "agent_reply" and notice.message is not None:
        # A reply written in the ticket workspace rather than the console.
        services.append_line(
            conversation,
            "agent",
            notice.message.body,
            now,
            author=notice.message.author,
            ticket_message_id=notice.message.id,
        )
    elif notice.kind == "status":
        services.append_line(conversation, "system", notice.subject, now)
    return True


def transcript_text(conversation: ChatConversation) -> str:
    lines = []
    for line in queries.lines_after(conversation, 0, staff=False):
        who = {"customer": "You", "agent": line.author.display_name if line.author else "Support",
               "system": "—"}[line.role]  # fmt: skip
        lines.append(f"[{line.created_at:%H:%M} UTC] {who}: {line.body}")
    return "\n\n".join(lines)


def send_transcript(conversation: ChatConversation, now: datetime) -> None:
    """Mail the person the conversation (on request, and always to guests at the end)."""
    ticket = conversation.ticket
    body = (
        f"Your chat with GrowgrEbuddy Support (request {ticket.ref}):\n\n"
        f"{transcript_text(conversation)}\n\n"
        "Reply to this e-mail, or to the request on the site: "
        f"{site_link('tickets.show', ticket_id=ticket.id)}\n"
    )
    notice = RequesterNotice(ticket, "status", f"Your chat: {ticket.subject}", body)
    if not by_mail(notice, now):
        record_mail(OutgoingMail(conversation.requester.email, notice.subject, body), now)


def mail_reply_in_chat(ticket, message, now: datetime) -> None:
    """An ``inbound_reply_hooks`` entry: the person answered a mail of their chat's ticket
    (the transcript, an agent's reply) while the chat is still open: the chat shows it."""
    conversation = open_conversation(ticket.id)
    if conversation is not None:
        services.append_line(conversation, "customer", message.body, now,
                             author=message.author, ticket_message_id=message.id,
                             body_html=message.body_html)  # fmt: skip


def mail_guest_transcript(conversation: ChatConversation, now: datetime) -> None:
    """A ``chat_ended_hooks`` entry: a guest has no account page, so the chat comes by mail."""
    if conversation.guest:
        send_transcript(conversation, now)


def tick(now: datetime) -> int:
    """Hand over every chat that waited too long; returns how many. Safe on several hosts:
    each conversation is changed only while it is still waiting (row lock on PostgreSQL)."""
    timeout = timedelta(minutes=current_app.config["CHAT_WAIT_TIMEOUT_MINUTES"])
    due = db.session.scalars(
        select(ChatConversation)
        .where(ChatConversation.status == "waiting", ChatConversation.queued_at <= now - timeout)
        .with_for_update(skip_locked=True)
    ).all()
    count = 0
    for conversation in due:
        if rules.timed_out(conversation.status, conversation.queued_at, now, timeout):
            services.hand_over(conversation, now)
            mail_guest_transcript(conversation, now)
            count += 1
    return count
