"""Agents' presence and the chat queue's numbers (who is online, free slots, wait estimate)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from app.accounts.models import User
from app.accounts.permissions import can
from app.channels.chat import rules
from app.channels.chat.models import AgentPresence, ChatConversation
from app.errors import DomainError, PermissionDenied
from app.extensions import db
from app.tickets.sla.clock import get_policy

PRESENCE = ("online", "away")
#: Console activity closer together than this is not written again.
TOUCH_EVERY = timedelta(seconds=30)


def require_chat_agent(agent: User) -> None:
    if not can(agent, "chat.answer"):
        raise PermissionDenied("Only support agents answer chats.")


def agent_tier(agent: User) -> int:
    """The highest tier an agent answers for (admins: all)."""
    role = getattr(agent, "role", "")
    return int(role[-1]) if role.startswith("agent_t") else 3


def _away_after() -> timedelta:
    return timedelta(minutes=current_app.config["CHAT_AWAY_AFTER_MINUTES"])


def set_presence(agent: User, status: str, now: datetime) -> AgentPresence:
    require_chat_agent(agent)
    if status not in PRESENCE:
        raise DomainError("Choose online or away.", "status")
    row = db.session.get(AgentPresence, agent.id)
    if row is None:
        row = AgentPresence(user_id=agent.id, status=status, last_active_at=now)
        db.session.add(row)
    row.status = status
    row.last_active_at = now
    db.session.flush()
    return row


def touch(agent: User, now: datetime) -> None:
    """The agent did something in the console: the away timer starts again."""
    row = db.session.get(AgentPresence, agent.id)
    # Away comes after minutes: a write per chat line would only add an UPDATE to each one.
    if row is not None and now - row.last_active_at >= TOUCH_EVERY:
        row.last_active_at = now


def is_online(agent_id: int, now: datetime) -> bool:
    row = db.session.get(AgentPresence, agent_id)
    return row is not None and rules.is_online(row.status, row.last_active_at, now, _away_after())


def presence_of(agent: User, now: datetime) -> str:
    return "online" if is_online(agent.id, now) else "away"


def online_agents(now: datetime, min_tier: int = 1) -> list[User]:
    rows = db.session.scalars(
        select(AgentPresence).where(
            AgentPresence.status == "online",
            AgentPresence.last_active_at > now - _away_after(),
        )
    )
    return [
        row.user
        for row in rows
        if can(row.user, "chat.answer") and agent_tier(row.user) >= min_tier
    ]


def active_count(agent_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(ChatConversation)
        .where(ChatConversation.agent_id == agent_id, ChatConversation.status == "active")
    )


def free_slots(agents: list[User]) -> int:
    limit = current_app.config["CHAT_MAX_CONCURRENT"]
    return sum(max(0, limit - active_count(agent.id)) for agent in agents)


def availability(now: datetime) -> rules.Availability:
    calendar = get_policy().calendar_for_tier(1)
    is_open = calendar.is_open(now)
    return rules.availability(
        is_open, None if is_open else calendar.next_open(now), len(online_agents(now))
    )


def waiting(tier: int | None = None) -> list[ChatConversation]:
    """The queue in arrival order (for one tier, or all)."""
    query = select(ChatConversation).where(ChatConversation.status == "waiting")
    if tier is not None:
        query = query.where(ChatConversation.tier == tier)
    return list(db.session.scalars(query.order_by(ChatConversation.queued_at, ChatConversation.id)))


def queue_place(conversation: ChatConversation, now: datetime) -> tuple[int, timedelta] | None:
    """Position (1 = next) and estimated wait of a waiting chat; ``None`` when not waiting."""
    if conversation.status != "waiting":
        return None
    ahead = db.session.scalar(
        select(func.count())
        .select_from(ChatConversation)
        .where(
            ChatConversation.status == "waiting",
            ChatConversation.tier == conversation.tier,
            (ChatConversation.queued_at < conversation.queued_at)
            | (
                (ChatConversation.queued_at == conversation.queued_at)
                & (ChatConversation.id < conversation.id)
            ),
        )
    )  # a count, not the queue's rows: every waiting person's update asks for it
    position = ahead + 1
    agents = online_agents(now, conversation.tier)
    handle = timedelta(minutes=current_app.config["CHAT_ASSUMED_HANDLE_MINUTES"])
    return position, rules.wait_estimate(position, free_slots(agents), len(agents), handle)
