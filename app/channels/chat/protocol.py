"""The JSON the chat speaks (docs/chat.md, "Protocol"): lines, conversation state, queue."""

from __future__ import annotations

from datetime import datetime

from flask import url_for

from app.channels.chat import presence, queries, rules
from app.channels.chat.models import ChatConversation, ChatMessage
from app.tickets import attachments as files

SUPPORT_NAME = "GrowgrEbuddy Support"


def file_dict(item, *, staff: bool, conversation_id: int) -> dict:
    """A file of a line. Staff fetch it by the ticket's attachment path; the person (maybe a
    guest, known by the chat's secret) by the chat's, which serves it the same way."""
    if staff:
        url = url_for("tickets.attachment", ticket_id=item.ticket_id, attachment_id=item.id)
    else:
        url = url_for("chat.attachment", conversation_id=conversation_id, attachment_id=item.id)
    return {"id": item.id, "name": item.filename, "content_type": item.content_type,
            "size": item.size, "image": item.content_type in files.IMAGE_TYPES,
            "url": url}  # fmt: skip


def line_dicts(lines: list[ChatMessage], *, staff: bool) -> list[dict]:
    """The lines as JSON, with their files (one query for all of them)."""
    by_message = queries.files_of(lines)
    result = []
    for line in lines:
        data = line_dict(line, staff=staff)
        data["files"] = [file_dict(item, staff=staff, conversation_id=line.conversation_id)
                         for item in by_message.get(line.ticket_message_id, ())]  # fmt: skip
        result.append(data)
    return result


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
        "lines": line_dicts(lines, staff=staff),
        "typing": typing,
    }
