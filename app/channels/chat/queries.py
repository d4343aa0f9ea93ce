"""Read-only look-ups: a conversation's lines, a person's open chat, the agent console."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from app.accounts.models import User
from app.channels.chat import presence, rules
from app.channels.chat.models import OPEN_STATUSES, ChatConversation, ChatMessage
from app.extensions import db
from app.tickets import workspace
from app.tickets.models import TicketAttachment, TicketDeflection


def lines_after(conversation: ChatConversation, after: int, *, staff: bool) -> list[ChatMessage]:
    """Lines with a sequence number above ``after``; internal notes only for staff."""
    query = select(ChatMessage).where(
        ChatMessage.conversation_id == conversation.id, ChatMessage.seq > max(after, 0)
    )
    if not staff:
        query = query.where(ChatMessage.role != "note")
    return list(db.session.scalars(query.order_by(ChatMessage.seq)))


def latest_for(user: User) -> ChatConversation | None:
    """A signed-in person's open chat (history when the app reopens)."""
    return db.session.scalar(
        select(ChatConversation)
        .where(ChatConversation.requester_id == user.id, ChatConversation.guest.is_(False),
               ChatConversation.status.in_(OPEN_STATUSES))
        .order_by(ChatConversation.id.desc())
    )  # fmt: skip


def files_of(lines: list[ChatMessage]) -> dict[int, list[TicketAttachment]]:
    """The files of lines that are ticket messages, by message id (one query, none without)."""
    ids = [line.ticket_message_id for line in lines if line.ticket_message_id is not None]
    if not ids:
        return {}
    found: dict[int, list[TicketAttachment]] = {}
    for item in db.session.scalars(
        select(TicketAttachment)
        .where(TicketAttachment.message_id.in_(ids))
        .order_by(TicketAttachment.id)
    ):
        found.setdefault(item.message_id, []).append(item)
    return found


def public_file(conversation: ChatConversation, attachment_id: int) -> TicketAttachment | None:
    """A file of the chat's ticket the person may fetch: never one on an internal note."""
    item = db.session.get(TicketAttachment, attachment_id)
    if item is None or item.ticket_id != conversation.ticket_id:
        return None
    return None if item.message is not None and item.message.internal else item


def first_agent_line_at(conversation: ChatConversation) -> datetime | None:
    return db.session.scalar(
        select(ChatMessage.created_at)
        .where(ChatMessage.conversation_id == conversation.id, ChatMessage.role == "agent")
        .order_by(ChatMessage.seq)
        .limit(1)
    )


def opening_question(conversation: ChatConversation) -> str:
    return conversation.ticket.description[:200]


def summary(conversation: ChatConversation, now: datetime) -> dict:
    target = timedelta(minutes=current_app.config["CHAT_FIRST_RESPONSE_MINUTES"])
    late = rules.first_response_late(
        conversation.created_at, first_agent_line_at(conversation), now, target
    )
    return {
        "id": conversation.id,
        "ticket_ref": conversation.ticket.ref,
        "requester": conversation.requester.display_name,
        "guest": conversation.guest,
        "question": opening_question(conversation),
        "tier": conversation.tier,
        "status": conversation.status,
        "waited_seconds": int((now - conversation.queued_at).total_seconds()),
        "first_response_late": late,
        "unread": conversation.last_seq - conversation.agent_read_seq,
    }


def console_state(agent: User, now: datetime) -> dict:
    tier = presence.agent_tier(agent)
    queue = [c for c in presence.waiting() if c.tier <= tier]
    mine = db.session.scalars(
        select(ChatConversation)
        .where(ChatConversation.agent_id == agent.id, ChatConversation.status == "active")
        .order_by(ChatConversation.accepted_at)
    )
    colleagues = [a for a in presence.online_agents(now) if a.id != agent.id]
    return {
        "presence": presence.presence_of(agent, now),
        "limit": current_app.config["CHAT_MAX_CONCURRENT"],
        "queue": [summary(c, now) for c in queue],
        "mine": [summary(c, now) for c in mine],
        "agents": [{"id": a.id, "name": a.display_name} for a in colleagues],
    }


def background(conversation: ChatConversation) -> dict:
    """What the person tried before chatting: their other tickets, the guide they followed,
    the articles offered to them and what they did with them."""
    ticket = conversation.ticket
    deflections = db.session.scalars(
        select(TicketDeflection)
        .where(TicketDeflection.user_id == conversation.requester_id)
        .order_by(TicketDeflection.created_at.desc())
        .limit(10)
    )
    return {
        "other_tickets": [
            {"ref": t.ref, "id": t.id, "subject": t.subject, "status": t.status}
            for t in workspace.other_tickets(ticket)
        ],
        "guide": ticket.guide_slug,
        "searches": [
            {
                "query": d.query,
                "article_url": d.article_url,
                "outcome": d.outcome,
                "at": d.created_at.isoformat(),
            }
            for d in deflections
        ],
    }
