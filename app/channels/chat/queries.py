"""Read-only look-ups for the agent console."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from app.accounts.models import User
from app.channels.chat import presence, rules
from app.channels.chat.models import ChatConversation, ChatMessage
from app.extensions import db
from app.tickets import workspace
from app.tickets.models import TicketDeflection


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
