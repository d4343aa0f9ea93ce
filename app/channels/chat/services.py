"""Live chat operations. A chat **is** a ticket (channel ``chat``): it opens through
:func:`app.channels.inbound.receive`, the person's lines are requester replies and the agent's
lines are workspace replies, so categories, SLAs and escalation apply as to any ticket. The
chat tables add the order (a sequence number per conversation), the client message ids that
make a resent line count once, and the queue.

Every function takes the acting person and ``now``, flushes and never commits; notifications
go out after the commit (:func:`app.channels.chat.broker.notify`).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime

from flask import current_app
from sqlalchemy import select, update

from app.accounts.models import User
from app.accounts.permissions import can, can_answer_chat, can_join_chat
from app.channels import inbound
from app.channels.chat import presence
from app.channels.chat.broker import notify
from app.channels.chat.models import OPEN_STATUSES, ChatConversation, ChatMessage
from app.errors import DomainError, NotFound, PermissionDenied
from app.extensions import db
from app.markup import render
from app.tickets import attachments as files
from app.tickets import services as tickets
from app.tickets import workspace
from app.tickets.models import Ticket
from app.tickets.sla import clock

#: Set while this module writes the chat line of an agent reply itself (the ticket notifier
#: then knows the reply is already in the chat).
WRITING_LINE = "chat_writing_line"
CLIENT_ID_MAX = 64
#: Where a chat starts: the help widget, the site's chat page, the app (the API, ``/api/v1``).
ORIGINS = ("widget", "site", "app")


class ChatClosed(DomainError):
    """Chat takes no new conversations now; ``opens_at`` says when Tier 1 opens (or None)."""

    def __init__(self, message: str, opens_at: datetime | None) -> None:
        super().__init__(message, "question")
        self.opens_at = opens_at


class ConversationNotFound(NotFound):
    pass


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def topic(conversation_id: int) -> str:
    return f"conversation:{conversation_id}"


QUEUE_TOPIC = "queue"


def _hooks(name: str) -> list:
    return current_app.extensions.get(name, [])


def _check_client_id(client_id: str | None) -> str | None:
    if client_id is None:
        return None
    client_id = client_id.strip()
    if not client_id or len(client_id) > CLIENT_ID_MAX or not client_id.isprintable():
        raise DomainError("The message id is not valid.", "client_id")
    return client_id


def append_line(
    conversation: ChatConversation, role: str, body: str, now: datetime, *,
    author: User | None = None, client_id: str | None = None, ticket_message_id: int | None = None,
    body_html: str | None = None,
) -> ChatMessage:  # fmt: skip
    """Append one line with the next sequence number (one UPDATE, so two writers never get
    the same number: the row lock orders them).

    :param body_html: the ticket message's HTML when the line is one (rendered once already).
    """
    seq = db.session.execute(
        update(ChatConversation)
        .where(ChatConversation.id == conversation.id)
        .values(last_seq=ChatConversation.last_seq + 1)
        .returning(ChatConversation.last_seq)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    conversation.last_seq = seq
    db.session.expire(conversation, ["last_seq"])
    line = ChatMessage(
        conversation_id=conversation.id, seq=seq, client_id=client_id, role=role,
        author_id=author.id if author is not None else None, body=body,
        body_html=render(body) if body_html is None else body_html,
        ticket_message_id=ticket_message_id, created_at=now,
    )  # fmt: skip
    db.session.add(line)
    db.session.flush()
    notify(topic(conversation.id), kind="message", seq=seq)
    return line


def _existing(conversation: ChatConversation, client_id: str | None) -> ChatMessage | None:
    if client_id is None:
        return None
    return db.session.scalar(
        select(ChatMessage).where(
            ChatMessage.conversation_id == conversation.id, ChatMessage.client_id == client_id
        )
    )


# --- The person --------------------------------------------------------------------------


def start(
    user: User | None, *, question: str, email: str | None, name: str, origin: str,
    client_id: str | None, now: datetime,
) -> tuple[ChatConversation, str]:  # fmt: skip
    """Open a chat (and its ticket) for a signed-in person or a guest with an e-mail address.

    :returns: the conversation and the secret the person's browser keeps to rejoin it.
    :raises ChatClosed: outside Tier 1 hours or with nobody online (offer a request instead).
    """
    question = tickets.required_text(question, "question", "your question", tickets.BODY_MAX)
    client_id = _check_client_id(client_id)
    if origin not in ORIGINS:
        raise DomainError("Unknown origin.", "origin")
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    if not signed_in:
        email = _guest_email(email)
    state = presence.availability(now)
    if not state.open:
        message = (
            "Chat is closed now." if state.reason == "hours"
            else "No agent is free to chat right now."
        )  # fmt: skip
        raise ChatClosed(message, state.opens_at)
    secret = secrets.token_urlsafe(24)
    sender = inbound.Sender(
        "email", user.email if signed_in else email,
        display_name=(user.display_name if signed_in else name.strip()[:120]),
        # A guest's address is what they typed: such a chat never continues an old ticket.
        verified=signed_in,
    )  # fmt: skip
    db.session.info[WRITING_LINE] = True  # the chat itself shows the receipt
    try:
        record = inbound.receive(
            inbound.Inbound(
                channel="chat", source=origin, external_id=f"chat:{digest(secret)[:40]}",
                sender=sender, subject="", body=question,
            ),
            now,
        )  # fmt: skip
    finally:
        db.session.info.pop(WRITING_LINE, None)
    ticket = db.session.get(Ticket, record.ticket_id)
    conversation = ChatConversation(
        ticket_id=ticket.id, requester_id=ticket.requester_id, access_digest=digest(secret),
        guest=not signed_in, origin=origin, status="waiting", tier=1, queued_at=now,
        created_at=now, last_seq=0, customer_read_seq=0, agent_read_seq=0,
    )  # fmt: skip
    db.session.add(conversation)
    db.session.flush()
    append_line(
        conversation, "customer", question, now, author=ticket.requester, client_id=client_id
    )
    for hook in _hooks("chat_started_hooks"):
        # The incident feature answers new chats with the open incident's notice.
        text = hook(conversation, now)
        if text:
            append_line(conversation, "system", text, now)
    notify(QUEUE_TOPIC, kind="queue")
    return conversation, secret


def for_person(conversation_id: int, user: User | None, secret: str | None) -> ChatConversation:
    """The conversation, if it is this person's (404 otherwise: never say whose it is)."""
    conversation = db.session.get(ChatConversation, conversation_id)
    holds = bool(secret) and conversation is not None and secrets.compare_digest(
        conversation.access_digest, digest(secret)
    )  # fmt: skip
    if not can_join_chat(user, conversation, holds):
        raise ConversationNotFound("No such chat.")
    return conversation


def say(
    conversation: ChatConversation, client_id: str, body: str, now: datetime,
    uploads: Iterable[files.Upload] = (),
) -> ChatMessage:  # fmt: skip
    """The person writes. A resent line (same client id) returns the stored one unchanged."""
    client_id = _check_client_id(client_id)
    if client_id is None:
        raise DomainError("The message id is missing.", "client_id")
    existing = _existing(conversation, client_id)
    if existing is not None:
        return existing
    if conversation.status not in OPEN_STATUSES:
        raise DomainError("This chat has ended; your request continues by e-mail.", "body")
    requester = conversation.requester
    uploads = list(uploads)
    body = _with_files(body, uploads)
    message = tickets.add_requester_reply(requester, conversation.ticket, body, now, uploads)
    return append_line(
        conversation, "customer", message.body, now, author=requester, client_id=client_id,
        ticket_message_id=message.id, body_html=message.body_html,
    )  # fmt: skip


def _with_files(body: str, uploads: list[files.Upload]) -> str:
    """A line may be only an image: its text is then the file names (the ticket needs text)."""
    if (body or "").strip() or not uploads:
        return body
    return ", ".join(files.safe_filename(upload.filename) for upload in uploads)


def mark_read(conversation: ChatConversation, side: str, seq: int) -> None:
    """``side`` (``customer``/``agent``) has read up to ``seq``; it never moves backwards."""
    seq = max(0, min(seq, conversation.last_seq))
    if side == "customer" and seq > conversation.customer_read_seq:
        conversation.customer_read_seq = seq
    elif side == "agent" and seq > conversation.agent_read_seq:
        conversation.agent_read_seq = seq
    else:
        return
    db.session.flush()
    notify(topic(conversation.id), kind="read", side=side, seq=seq)


# --- Agents ------------------------------------------------------------------------------


def _require(agent: User, conversation: ChatConversation) -> None:
    presence.require_chat_agent(agent)
    if not can_answer_chat(agent, conversation):
        raise PermissionDenied("Another agent holds this chat.")


def accept(agent: User, conversation: ChatConversation, now: datetime) -> None:
    """Take a waiting chat. Of two agents accepting at once exactly one gets it.

    :raises DomainError: at the concurrent-chat limit, or the chat is no longer waiting.
    """
    _require(agent, conversation)
    if presence.agent_tier(agent) < conversation.tier:
        raise PermissionDenied(f"This chat waits for Tier {conversation.tier}.")
    limit = current_app.config["CHAT_MAX_CONCURRENT"]
    if presence.active_count(agent.id) >= limit:
        raise DomainError(f"You already hold {limit} chats; end one first.", "conversation")
    taken = db.session.execute(
        update(ChatConversation)
        .where(ChatConversation.id == conversation.id, ChatConversation.status == "waiting")
        .values(status="active", agent_id=agent.id, accepted_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(conversation)
    if taken != 1:
        raise DomainError("Another agent took this chat, or it ended.", "conversation")
    ticket = conversation.ticket
    if ticket.assignee_id is None:
        workspace.claim(agent, ticket, now)
    elif ticket.assignee_id != agent.id:
        workspace.assign(agent, ticket, agent.id, now)
    presence.touch(agent, now)
    append_line(conversation, "system", f"{agent.display_name} joined the chat.", now)
    notify(QUEUE_TOPIC, kind="queue")


def answer(
    agent: User, conversation: ChatConversation, client_id: str, body: str, now: datetime,
    *, internal: bool = False, uploads: Iterable[files.Upload] = (),
) -> ChatMessage:  # fmt: skip
    """The agent writes a line (a workspace reply: first response, clocks) or a note; files
    follow the ticket's attachment rules."""
    client_id = _check_client_id(client_id)
    existing = _existing(conversation, client_id)
    if existing is not None:
        return existing
    _require(agent, conversation)
    if not internal and (conversation.status != "active" or conversation.agent_id != agent.id):
        raise DomainError("Accept the chat before writing to the person.", "body")
    db.session.info[WRITING_LINE] = True
    try:
        uploads = list(uploads)
        message = workspace.agent_reply(agent, conversation.ticket, _with_files(body, uploads),
                                        now, internal=internal, attachments=uploads)  # fmt: skip
    finally:
        db.session.info.pop(WRITING_LINE, None)
    presence.touch(agent, now)
    role = "note" if internal else "agent"
    return append_line(conversation, role, message.body, now, author=agent, client_id=client_id,
                       ticket_message_id=message.id, body_html=message.body_html)  # fmt: skip


def transfer(
    agent: User, conversation: ChatConversation, now: datetime, *,
    to_agent_id: int | None = None, to_tier: int | None = None,
) -> None:  # fmt: skip
    """Hand the chat to another online agent (below their limit) or back to a tier's queue
    (a higher tier escalates the ticket too)."""
    _require(agent, conversation)
    if conversation.status not in OPEN_STATUSES:
        raise DomainError("This chat has ended.", "conversation")
    if to_agent_id is not None:
        target = db.session.get(User, to_agent_id)
        if target is None or target.id == agent.id or not presence.is_online(target.id, now):
            raise DomainError("Choose an online agent.", "to_agent")
        presence.require_chat_agent(target)
        if presence.active_count(target.id) >= current_app.config["CHAT_MAX_CONCURRENT"]:
            raise DomainError(f"{target.display_name} holds as many chats as allowed.", "to_agent")
        conversation.status, conversation.agent_id = "active", target.id
        conversation.accepted_at = conversation.accepted_at or now
        workspace.assign(agent, conversation.ticket, target.id, now)
        text = f"{agent.display_name} handed the chat to {target.display_name}."
    elif to_tier in (1, 2, 3):
        conversation.status, conversation.agent_id = "waiting", None
        conversation.tier, conversation.queued_at = to_tier, now
        ticket = conversation.ticket
        if to_tier > ticket.tier:
            workspace.escalate(agent, ticket, to_tier, "Transferred from chat.", now)
        text = f"{agent.display_name} passed the chat to Tier {to_tier}; please wait a moment."
    else:
        raise DomainError("Choose an agent or a tier.", "to_agent")
    db.session.flush()
    append_line(conversation, "system", text, now)
    notify(QUEUE_TOPIC, kind="queue")


def end(actor: User | None, conversation: ChatConversation, now: datetime, *, solved: bool) -> None:
    """Close the chat. Solved by the agent: the ticket is solved. Otherwise it stays an open
    ticket that follows the normal escalation. Then the post-chat hooks run (the feedback
    feature asks its satisfaction question there)."""
    if conversation.status not in OPEN_STATUSES:
        return
    staff = actor is not None and can(actor, "chat.answer")
    if staff:
        _require(actor, conversation)
    conversation.status, conversation.ended_at = "ended", now
    ticket = conversation.ticket
    if staff and solved and ticket.status not in ("solved", "closed"):
        clock.set_status(ticket, "solved", now, actor)
    who = "The agent" if staff else "You"
    append_line(conversation, "system", f"{who} ended the chat.", now)
    for hook in _hooks("chat_ended_hooks"):
        hook(conversation, now)
    notify(QUEUE_TOPIC, kind="queue")


def hand_over(conversation: ChatConversation, now: datetime) -> None:
    """Nobody accepted in time: the chat becomes an ordinary request, and the person is told."""
    conversation.status, conversation.ended_at = "handed_over", now
    ref = conversation.ticket.ref
    append_line(
        conversation, "system",
        f"No agent could take your chat in time. It is now request {ref}: we will answer by "
        "e-mail, and you can follow it under My requests.", now,
    )  # fmt: skip
    notify(QUEUE_TOPIC, kind="queue")


def leave_request(
    user: User | None, *, question: str, email: str | None, name: str, origin: str, now: datetime
) -> Ticket:
    """Out of hours (or nobody online): what the person typed becomes a request instead,
    answered by e-mail and on the site."""
    question = tickets.required_text(question, "question", "your question", tickets.BODY_MAX)
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    if not signed_in:
        email = _guest_email(email)
    record = inbound.receive(
        inbound.Inbound(
            channel="chat", source=origin, external_id=f"chat-request:{secrets.token_hex(16)}",
            sender=inbound.Sender("email", user.email if signed_in else email,
                                  display_name=user.display_name if signed_in else name[:120],
                                  verified=signed_in),
            subject="", body=question,
        ),
        now,
    )  # fmt: skip
    return db.session.get(Ticket, record.ticket_id)


def _guest_email(email: str | None) -> str:
    email = (email or "").strip()
    if "@" not in email or len(email) > 254 or any(c.isspace() for c in email):
        raise DomainError("Enter your e-mail address so we can reach you.", "email")
    return email
