"""The agents' chat console: ``/chat/console`` (the page) and its JSON."""

from __future__ import annotations

from flask import current_app, jsonify, render_template, request
from flask_login import current_user

from app.accounts.permissions import require
from app.channels.chat import presence, protocol, queries, services, waiting
from app.channels.chat.broker import current_broker
from app.channels.chat.models import ChatConversation
from app.channels.chat.polling import long_poll
from app.channels.chat.views import after_arg, bp, data, line_input, text
from app.errors import DomainError
from app.extensions import db
from app.models import utcnow
from app.outbox import commit
from app.tickets import responses


def _conversation(conversation_id: int) -> ChatConversation:
    row = db.session.get(ChatConversation, conversation_id)
    if row is None:
        raise services.ConversationNotFound("No such chat.")
    return row


@bp.get("/console")
@require("chat.answer")
def console():
    return render_template("chat/console.html", templates=responses.list_templates())


@bp.get("/console/state")
@require("chat.answer")
def console_state():
    """The queue and the agent's chats; ``wait=1`` holds until the queue changes."""
    if request.args.get("wait") == "1":
        with waiting.Slot() as slot:
            if slot.held:
                waiting.wait_for((services.QUEUE_TOPIC,), lambda: False,
                                 float(current_app.config["CHAT_WAIT_SECONDS"]))  # fmt: skip
    return jsonify(queries.console_state(current_user, utcnow()))


@bp.post("/console/presence")
@require("chat.answer")
def set_presence():
    presence.set_presence(current_user, text(data(), "status"), utcnow())
    services.notify(services.QUEUE_TOPIC, kind="queue")
    commit()
    return jsonify({"presence": presence.presence_of(current_user, utcnow())})


@bp.get("/console/c/<int:conversation_id>")
@require("chat.answer")
def detail(conversation_id: int):
    row = _conversation(conversation_id)
    now = utcnow()
    return jsonify({
        "conversation": protocol.state_dict(row, now, staff=True),
        "summary": queries.summary(row, now),
        "lines": protocol.line_dicts(queries.lines_after(row, 0, staff=True), staff=True),
        "background": queries.background(row),
    })  # fmt: skip


@bp.get("/console/c/<int:conversation_id>/events")
@require("chat.answer")
def agent_events(conversation_id: int):
    row = _conversation(conversation_id)
    payload = long_poll(row, after_arg(), request.args.get("tag"),
                        wait=request.args.get("wait") != "0", staff=True)  # fmt: skip
    return jsonify(payload)


@bp.post("/console/c/<int:conversation_id>/accept")
@require("chat.answer")
def accept(conversation_id: int):
    row = _conversation(conversation_id)
    services.accept(current_user, row, utcnow())
    commit()
    return jsonify({"conversation": protocol.state_dict(row, utcnow(), staff=True)})


@bp.post("/console/c/<int:conversation_id>/messages")
@require("chat.answer")
def answer(conversation_id: int):
    row = _conversation(conversation_id)
    payload, uploads = line_input()
    internal = payload.get("internal") in (True, "true")
    line = services.answer(current_user, row, text(payload, "client_id"), text(payload, "body"),
                           utcnow(), internal=internal, uploads=uploads)  # fmt: skip
    ack = {"client_id": line.client_id, "seq": line.seq}  # read before the commit expires it
    commit()
    return jsonify({"ack": ack}), 201


@bp.post("/console/c/<int:conversation_id>/transfer")
@require("chat.answer")
def transfer(conversation_id: int):
    row = _conversation(conversation_id)
    payload = data()
    to_agent, to_tier = payload.get("to_agent_id"), payload.get("to_tier")
    for name, value in (("to_agent", to_agent), ("to_tier", to_tier)):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise DomainError("Choose an agent or a tier.", name)
    services.transfer(current_user, row, utcnow(), to_agent_id=to_agent, to_tier=to_tier)
    commit()
    return jsonify({"conversation": protocol.state_dict(row, utcnow(), staff=True)})


@bp.post("/console/c/<int:conversation_id>/end")
@require("chat.answer")
def agent_end(conversation_id: int):
    row = _conversation(conversation_id)
    services.end(current_user, row, utcnow(), solved=data().get("solved") is True)
    commit()
    return jsonify({"conversation": protocol.state_dict(row, utcnow(), staff=True)})


@bp.post("/console/c/<int:conversation_id>/read")
@require("chat.answer")
def agent_read(conversation_id: int):
    row = _conversation(conversation_id)
    seq = data().get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool):
        raise DomainError("Send the sequence number read.", "seq")
    services.mark_read(row, "agent", seq)
    presence.touch(current_user, utcnow())
    commit()
    return "", 204


@bp.post("/console/c/<int:conversation_id>/typing")
@require("chat.answer")
def agent_typing(conversation_id: int):
    row = _conversation(conversation_id)
    current_broker().publish(services.topic(row.id), {"kind": "typing", "side": "agent"})
    return "", 204
