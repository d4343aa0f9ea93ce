"""The JSON the chat speaks (docs/chat.md, "Protocol"): lines, conversation state, queue."""

from __future__ import annotations

from datetime import datetime

from app.channels.chat import presence, rules
from app.channels.chat.models import ChatConversation, ChatMessage

SUPPORT_NAME = "GrowgrEbuddy Support"


def line_dict(line: ChatMessage, *, staff: bool) -> dict:
    if line.role == "agent":
        # The person sees the agent's first name only; staff see the full display name.
        name = line.author.display_name if line.author else SUPPORT_NAME
        author = name if staff else name.split(" ")[0]
    elif line.role == "customer":
        author = line.author.display_name if staff and line.author else "You"
    else:
        author = "" if line.role == "system" else (line.author.display_name if line.author else "")
    return {
        "seq": line.seq,
        "client_id": line.client_id,
        "role": line.role,
        "author": author,
        "body_html": line.body_html,
        "created_at": line.created_at.isoformat(),
    }


def state_dict(conversation: ChatConversation, now: datetime, *, staff: bool) -> dict:
    state = {
        "id": conversation.id,
        "status": conversation.status,
        "ticket_ref": conversation.ticket.ref,
        "last_seq": conversation.last_seq,
        "read": {"customer": conversation.customer_read_seq, "agent": conversation.agent_read_seq},
        "agent": conversation.agent.display_name.split(" ")[0] if conversation.agent else None,
        "queue": None,
    }
    place = presence.queue_place(conversation, now)
    if place is not None:
        position, wait = place
        state["queue"] = {"position": position, "wait_seconds": int(wait.total_seconds()),
                          "wait_text": rules.minutes_text(wait)}  # fmt: skip
    if staff:
        state["ticket_id"] = conversation.ticket_id
        state["tier"] = conversation.tier
        state["agent_id"] = conversation.agent_id
    return state


def state_tag(state: dict) -> str:
    """What the client has seen of the conversation besides its lines: a wait ends when it
    changes (read up to, status, agent, queue place), so no such change is missed between
    two waits."""
    queue = state["queue"] or {}
    return ".".join(str(part) for part in (
        state["status"], state["agent"], state["read"]["customer"], state["read"]["agent"],
        queue.get("position"), queue.get("wait_seconds"),
    ))  # fmt: skip


def events_dict(
    conversation: ChatConversation, lines: list[ChatMessage], now: datetime, *,
    staff: bool, typing: list[str], state: dict | None = None,
) -> dict:  # fmt: skip
    """:param state: the conversation's :func:`state_dict` when the caller has it already."""
    state = state or state_dict(conversation, now, staff=staff)
    return {
        "conversation": state,
        "tag": state_tag(state),
        "lines": [line_dict(line, staff=staff) for line in lines],
        "typing": typing,
    }
