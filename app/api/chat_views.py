"""``/api/v1/chat``: live chat for the signed-in app, with its bearer token instead of the site
session (docs/chat.md, "Protocol"). The same services, long-poll and JSON as the site's
``/chat`` routes (``app.channels.chat``), in the API's error shape; the person is the token's
user, so no conversation secret and no CSRF (no cookie is involved)."""

from __future__ import annotations

from flask import request, url_for

from app.api import http as api
from app.api import validation
from app.api.views import bp
from app.channels.chat import delivery, presence, protocol, queries, services
from app.channels.chat.broker import current_broker
from app.channels.chat.polling import long_poll
from app.errors import DomainError
from app.models import MAX_DB_INT, utcnow
from app.outbox import commit
from app.tickets import attachments as files
from app.tickets.services import BODY_MAX

START_FIELDS = {
    "question": validation.Field(str, min_length=1, max_length=BODY_MAX),
    "client_id": validation.Field(str, required=False, min_length=1, max_length=64),
}
MESSAGE_FIELDS = {
    "client_id": validation.Field(str, min_length=1, max_length=services.CLIENT_ID_MAX),
    "body": validation.Field(str, min_length=1, max_length=BODY_MAX),
}
READ_FIELDS = {"seq": validation.Field(int)}
TAG_MAX = 200


def _person():
    return api.require_user("tickets.submit")


def _conversation(conversation_id: int):
    return services.for_person(conversation_id, _person(), None)


def _state(row) -> dict:
    return {"conversation": protocol.state_dict(row, utcnow(), staff=False)}


@bp.get("/chat/status")
def chat_status():
    _person()
    state = presence.availability(utcnow())
    payload = {
        "available": state.open,
        "reason": state.reason,
        "opens_at": state.opens_at.isoformat() if state.opens_at else None,
        "waiting": len(presence.waiting(1)),
    }
    return api.send(api.encode(payload), cache=api.PRIVATE)


@bp.post("/chat")
def start_chat():
    user = _person()
    data = api.json_body(START_FIELDS)
    try:
        row, _ = services.start(
            user, question=data["question"], email=None, name="", origin="app",
            client_id=data.get("client_id"), now=utcnow(),
        )  # fmt: skip
    except services.ChatClosed as closed:
        details = {"opens_at": closed.opens_at.isoformat()} if closed.opens_at else None
        raise api.ApiAbort(409, closed.message, code="chat_closed", details=details)
    commit()
    return api.send(api.encode(_state(row)), status=201)


@bp.get("/chat/mine")
def my_chat():
    row = queries.latest_for(_person())
    payload = _state(row) if row is not None else {"conversation": None}
    return api.send(api.encode(payload), cache=api.PRIVATE)


@bp.get("/chat/<int:conversation_id>/events")
def chat_events(conversation_id: int):
    """Long-poll: the lines after ``after`` at once, else when one arrives or after
    ``CHAT_WAIT_SECONDS`` (``wait=0``: never wait)."""
    row = _conversation(conversation_id)
    after = api.query_int("after", 0, 0, MAX_DB_INT)
    wait = api.query_int("wait", 1, 0, 1) == 1
    tag = request.args.get("tag") or None
    if tag is not None and len(tag) > TAG_MAX:
        raise DomainError("The tag is too long.", details={"tag": "at most 200"})
    payload = long_poll(row, after, tag, wait=wait, staff=False)
    for line in payload["lines"]:
        for item in line["files"]:  # the app fetches them with its token, here
            item["url"] = url_for("api.chat_file", conversation_id=row.id, attachment_id=item["id"])
    return api.send(api.encode(payload))


@bp.post("/chat/<int:conversation_id>/messages")
def chat_say(conversation_id: int):
    row = _conversation(conversation_id)
    data = api.json_body(MESSAGE_FIELDS)
    line = services.say(row, data["client_id"], data["body"], utcnow())
    ack = {"client_id": line.client_id, "seq": line.seq}
    commit()
    return api.send(api.encode({"ack": ack}), status=201)


@bp.post("/chat/<int:conversation_id>/read")
def chat_read(conversation_id: int):
    row = _conversation(conversation_id)
    services.mark_read(row, "customer", api.json_body(READ_FIELDS)["seq"])
    commit()
    return api.send(b"", status=204)


@bp.post("/chat/<int:conversation_id>/typing")
def chat_typing(conversation_id: int):
    row = _conversation(conversation_id)
    current_broker().publish(services.topic(row.id), {"kind": "typing", "side": "customer"})
    return api.send(b"", status=204)


@bp.post("/chat/<int:conversation_id>/end")
def chat_end(conversation_id: int):
    row = _conversation(conversation_id)
    services.end(None, row, utcnow(), solved=False)
    commit()
    return api.send(api.encode(_state(row)))


@bp.post("/chat/<int:conversation_id>/transcript")
def chat_transcript(conversation_id: int):
    row = _conversation(conversation_id)
    delivery.send_transcript(row, utcnow())
    commit()
    return api.send(api.encode({"sent_to": row.requester.email}), status=202)


@bp.get("/chat/<int:conversation_id>/files/<int:attachment_id>")
def chat_file(conversation_id: int, attachment_id: int):
    """A file of the chat (an image a line carries), as the site serves it: a download."""
    row = _conversation(conversation_id)
    item = queries.public_file(row, attachment_id) if attachment_id <= MAX_DB_INT else None
    if item is None:
        raise services.ConversationNotFound("No such file.")
    return files.download(item)
