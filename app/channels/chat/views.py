"""The person's side of chat: ``/chat/...`` JSON for the help widget and the site's chat page.

The person is recognised by their site session (signed in) or by the conversation's secret
(``X-Chat-Secret`` header, or kept in the session when the chat started in this browser).
CSRF applies (header ``X-CSRFToken``), as to every form of the site.
"""

from __future__ import annotations

import json
import time

from flask import (
    Blueprint,
    Response,
    jsonify,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)  # fmt: skip
from flask_login import current_user

from app.channels.chat import delivery, presence, protocol, queries, services, waiting
from app.channels.chat.broker import current_broker
from app.channels.chat.polling import long_poll, poll
from app.errors import DomainError, NotFound, PermissionDenied
from app.extensions import db
from app.models import utcnow
from app.outbox import commit
from app.tickets import attachments as files
from app.tickets import services as tickets
from app.tickets.views import uploads_from_request

bp = Blueprint("chat", __name__, url_prefix="/chat")
OPEN = ("waiting", "active")
SECRETS = "chat_secrets"


def error_response(error: DomainError):
    status = 422
    if isinstance(error, NotFound | PermissionDenied):
        status = 404 if isinstance(error, NotFound) else 403
    body = {"code": "not_found" if status == 404 else "validation_failed",
            "message": error.message, "field": getattr(error, "field", None)}  # fmt: skip
    if isinstance(error, services.ChatClosed):
        status, body["code"] = 409, "chat_closed"
        body["opens_at"] = error.opens_at.isoformat() if error.opens_at else None
    return jsonify({"error": body}), status


bp.register_error_handler(DomainError, error_response)


def data() -> dict:
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise DomainError("Send a JSON object.")
    return payload


def line_input() -> tuple[dict, list[files.Upload]]:
    """A line as JSON, or as a form with files (``files``: images and the other types the
    ticket attachment rules accept)."""
    if request.mimetype == "multipart/form-data":
        return request.form.to_dict(), uploads_from_request("files")
    return data(), []


def text(payload: dict, name: str, default: str = "") -> str:
    value = payload.get(name, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise DomainError("Send text.", name)
    return value


def person():
    return current_user if current_user.is_authenticated else None


def conversation(conversation_id: int):
    secret = request.headers.get("X-Chat-Secret") or session.get(SECRETS, {}).get(
        str(conversation_id)
    )
    return services.for_person(conversation_id, person(), secret)


def after_arg() -> int:
    # The browser's automatic SSE reconnect sends the last id it got: newer than the URL's.
    raw = request.headers.get("Last-Event-ID") or request.args.get("after") or "0"
    return int(raw) if raw.isdigit() and len(raw) < 10 else 0


@bp.get("/")
def page():
    return render_template("chat/page.html")


@bp.get("/status")
def status():
    now = utcnow()
    state = presence.availability(now)
    return jsonify({
        "available": state.open, "reason": state.reason,
        "opens_at": state.opens_at.isoformat() if state.opens_at else None,
        "waiting": len(presence.waiting(1)), "signed_in": person() is not None,
        "request_url": url_for("tickets.new"),
    })  # fmt: skip


@bp.post("/start")
def start():
    payload = data()
    conversation_row, secret = services.start(
        person(), question=text(payload, "question"), email=text(payload, "email"),
        name=text(payload, "name"), origin=text(payload, "origin", "site"),
        client_id=text(payload, "client_id") or None, now=utcnow(),
    )  # fmt: skip
    commit()
    session.setdefault(SECRETS, {})[str(conversation_row.id)] = secret
    session.modified = True
    state = protocol.state_dict(conversation_row, utcnow(), staff=False)
    return jsonify({"conversation": state, "secret": secret}), 201


@bp.post("/request")
def leave_request():
    payload = data()
    ticket = services.leave_request(
        person(), question=text(payload, "question"), email=text(payload, "email"),
        name=text(payload, "name"), origin=text(payload, "origin", "site"), now=utcnow(),
    )  # fmt: skip
    commit()
    return jsonify({"ticket_ref": ticket.ref}), 201


@bp.post("/deflection")
def deflection():
    """An offered article was opened (or the person chatted anyway): the same log as the
    request form's suggestions."""
    payload = data()
    tickets.record_deflection(person(), text(payload, "query"), text(payload, "article_url"),
                              text(payload, "outcome"), utcnow())  # fmt: skip
    commit()
    return "", 204


@bp.get("/mine")
def mine():
    """The open chat of this browser or account, for history when the app reopens."""
    user = person()
    found = queries.latest_for(user) if user else None
    for key in reversed(list(session.get(SECRETS, {}))):
        if found is None and key.isdigit():
            try:
                candidate = conversation(int(key))
            except NotFound:
                continue
            found = candidate if candidate.status in ("waiting", "active") else None
    state = protocol.state_dict(found, utcnow(), staff=False) if found else None
    return jsonify({"conversation": state})


@bp.get("/c/<int:conversation_id>/events")
def events(conversation_id: int):
    """Long-poll: the lines after ``after``, at once if there are any, else when one arrives or
    after ``CHAT_WAIT_SECONDS`` (``wait=0``: never wait)."""
    row = conversation(conversation_id)
    payload = long_poll(row, after_arg(), request.args.get("tag"),
                        wait=request.args.get("wait", "1") != "0", staff=False)  # fmt: skip
    return jsonify(payload)


def current_app_seconds() -> float:
    from flask import current_app

    return float(current_app.config["CHAT_WAIT_SECONDS"])


@bp.get("/c/<int:conversation_id>/stream")
def stream(conversation_id: int):
    """Server-Sent Events: each line is an event whose id is its sequence number, so the
    browser's automatic reconnect resumes after the last one it got (``Last-Event-ID``)."""
    row = conversation(conversation_id)
    after = after_arg()
    slot = waiting.Slot()
    if not slot.held:
        slot.__exit__()
        return Response(f"retry: {waiting.BUSY_RETRY_MS}\n\n", mimetype="text/event-stream",
                        status=503)  # fmt: skip

    def generate():
        nonlocal after
        deadline = time.monotonic() + current_app_seconds()
        try:
            yield "retry: 1000\n\n"
            tag = None  # a (re)connection starts with the current state
            while (remaining := deadline - time.monotonic()) > 0:
                payload = poll(row, after, remaining if tag else 0, tag, staff=False)
                woken = payload.pop("woken")
                if payload["lines"]:
                    after = payload["lines"][-1]["seq"]
                    yield f"id: {after}\ndata: {json.dumps(payload)}\n\n"
                elif woken or payload["tag"] != tag:
                    yield f"data: {json.dumps(payload)}\n\n"
                tag = payload["tag"]
                if payload["conversation"]["status"] not in OPEN or waiting.stopping():
                    break  # the browser reconnects (to another process, when this one stops)
        finally:
            slot.__exit__()
            db.session.close()

    # The stream ends after CHAT_WAIT_SECONDS; the browser reconnects from the last id.
    return Response(stream_with_context(generate()), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})  # fmt: skip


@bp.post("/c/<int:conversation_id>/messages")
def say(conversation_id: int):
    row = conversation(conversation_id)
    payload, uploads = line_input()
    line = services.say(row, text(payload, "client_id"), text(payload, "body"), utcnow(), uploads)
    ack = {"client_id": line.client_id, "seq": line.seq}  # read before the commit expires it
    commit()
    return jsonify({"ack": ack}), 201


@bp.post("/c/<int:conversation_id>/read")
def read(conversation_id: int):
    row = conversation(conversation_id)
    seq = data().get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool):
        raise DomainError("Send the sequence number read.", "seq")
    services.mark_read(row, "customer", seq)
    commit()
    return "", 204


@bp.post("/c/<int:conversation_id>/typing")
def typing(conversation_id: int):
    row = conversation(conversation_id)
    current_broker().publish(services.topic(row.id), {"kind": "typing", "side": "customer"})
    return "", 204


@bp.post("/c/<int:conversation_id>/end")
def end(conversation_id: int):
    row = conversation(conversation_id)
    services.end(None, row, utcnow(), solved=False)
    commit()
    return jsonify({"conversation": protocol.state_dict(row, utcnow(), staff=False)})


@bp.post("/c/<int:conversation_id>/transcript")
def transcript(conversation_id: int):
    row = conversation(conversation_id)
    delivery.send_transcript(row, utcnow())
    commit()
    return jsonify({"sent_to": row.requester.email}), 202


@bp.get("/c/<int:conversation_id>/files/<int:attachment_id>")
def attachment(conversation_id: int, attachment_id: int):
    """A file of the chat, for its person (a guest has no account to use the request's page):
    served exactly as on the request's page (a download that an ``<img>`` may show)."""
    row = conversation(conversation_id)
    item = queries.public_file(row, attachment_id) if attachment_id < 2**31 else None
    if item is None:
        raise services.ConversationNotFound("No such file.")
    return files.download(item)
