"""The ``/chat`` part of the OpenAPI contract (paths and schemas), merged into
:func:`app.api.openapi.openapi_document`: live chat for the signed-in app (docs/chat.md)."""

from __future__ import annotations

from app.models import MAX_DB_INT
from app.tickets.services import BODY_MAX

_AUTH = [{"bearerAuth": []}]


def _ref(kind: str, name: str) -> dict:
    return {"$ref": f"#/components/{kind}/{name}"}


def _closed(properties: dict, required: list[str] | None = None, **extra) -> dict:
    """An object with exactly these properties (all required unless ``required`` says)."""
    required = list(properties) if required is None else required
    return {"type": "object", "properties": properties, "required": required,
            "additionalProperties": False, **extra}  # fmt: skip


def _id_parameter(name: str) -> dict:
    schema = {"type": "integer", "minimum": 1, "maximum": MAX_DB_INT}
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _body(schema: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": _ref("schemas", schema)}}}


_STRING = {"type": "string"}
_INT = {"type": "integer"}
_NSTRING = {"type": "string", "nullable": True}
_CONVERSATION = [_id_parameter("conversation_id")]
_ERRORS = {
    "401": _ref("responses", "Unauthorized"),
    "403": _ref("responses", "Forbidden"),
    "404": _ref("responses", "NotFound"),
    "429": _ref("responses", "RateLimited"),
}
_BODY_ERRORS = {
    "400": _ref("responses", "BadRequest"),
    "413": _ref("responses", "PayloadTooLarge"),
    "415": _ref("responses", "UnsupportedMediaType"),
    "422": _ref("responses", "ValidationFailed"),
}


def _json(schema: str, description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": _ref("schemas", schema)}}}  # fmt: skip


def _operation(operation_id: str, summary: str, responses: dict, **extra) -> dict:
    return {"operationId": operation_id, "summary": summary, "security": _AUTH,
            "responses": {**responses, **_ERRORS}, **extra}  # fmt: skip


def chat_paths() -> dict:
    nothing = {"204": {"description": "Done."}}
    return {
        "/chat/status": {"get": _operation(
            "getChatStatus", "Whether chat is open now, why not, and when Tier 1 opens.",
            {"200": _json("ChatStatus", "The chat's availability.")},
        )},
        "/chat": {"post": _operation(
            "startChat", "Start a chat (and its request) with the first question.",
            {"201": _json("ChatState", "The new conversation."),
             "409": _ref("responses", "ChatClosed"), **_BODY_ERRORS},
            requestBody=_body("ChatStart"),
        )},
        "/chat/mine": {"get": _operation(
            "getMyChat", "The token user's open chat (history when the app reopens), or null.",
            {"200": _json("ChatState", "The open conversation or null.")},
        )},
        "/chat/{conversation_id}/events": {"get": _operation(
            "getChatEvents", "Long-poll: the lines after `after`, at once if there are any, "
            "else when one arrives or after CHAT_WAIT_SECONDS (`wait=0`: never wait).",
            {"200": _json("ChatEvents", "New lines and the conversation's state."),
             "422": _ref("responses", "ValidationFailed")},
            parameters=[*_CONVERSATION,
                        {"name": "after", "in": "query", "schema":
                         {"type": "integer", "minimum": 0, "maximum": MAX_DB_INT}},
                        {"name": "tag", "in": "query", "schema": {"type": "string",
                                                                   "maxLength": 200}},
                        {"name": "wait", "in": "query", "schema": {"type": "integer",
                                                                    "enum": [0, 1]}}],
        )},
        "/chat/{conversation_id}/messages": {"post": _operation(
            "sayInChat", "Write a line; a resent client id answers with the stored line's ack.",
            {"201": _json("ChatAck", "The line is stored."), **_BODY_ERRORS},
            parameters=_CONVERSATION, requestBody=_body("ChatMessage"),
        )},
        "/chat/{conversation_id}/read": {"post": _operation(
            "markChatRead", "The person has read up to `seq`.", {**nothing, **_BODY_ERRORS},
            parameters=_CONVERSATION, requestBody=_body("ChatRead"),
        )},
        "/chat/{conversation_id}/typing": {"post": _operation(
            "chatTyping", "The person is typing (shown to the agent).", nothing,
            parameters=_CONVERSATION,
        )},
        "/chat/{conversation_id}/end": {"post": _operation(
            "endChat", "End the chat; unsolved, the request stays open.",
            {"200": _json("ChatState", "The ended conversation.")}, parameters=_CONVERSATION,
        )},
        "/chat/{conversation_id}/files/{attachment_id}": {"get": _operation(
            "getChatFile", "A file a line carries (an image): always a download.",
            {"200": {"description": "The file.", "content": {"*/*": {"schema": {
                "type": "string", "format": "binary"}}}}},
            parameters=[*_CONVERSATION, _id_parameter("attachment_id")],
        )},
        "/chat/{conversation_id}/transcript": {"post": _operation(
            "mailChatTranscript", "E-mail the transcript to the token user.",
            {"202": _json("ChatTranscript", "The transcript is on its way.")},
            parameters=_CONVERSATION,
        )},
    }  # fmt: skip


def chat_schemas() -> dict:
    queue = _closed({"position": _INT, "wait_seconds": _INT, "wait_text": _STRING},
                    nullable=True)  # fmt: skip
    conversation = _closed({
        "id": _INT,
        "status": {"type": "string", "enum": ["waiting", "active", "ended", "handed_over"]},
        "ticket_ref": _STRING, "last_seq": _INT,
        "read": _closed({"customer": _INT, "agent": _INT}),
        "agent": _NSTRING, "queue": queue,
    }, nullable=True)  # fmt: skip
    line = _closed({
        "seq": _INT, "client_id": _NSTRING,
        "role": {"type": "string", "enum": ["customer", "agent", "system"]},
        "author": _STRING, "body_html": _STRING, "created_at": _STRING,
        "files": {"type": "array", "items": _closed({
            "id": _INT, "name": _STRING, "content_type": _STRING, "size": _INT,
            "image": {"type": "boolean"}, "url": _STRING,
        })},
    })  # fmt: skip
    return {
        "ChatStatus": _closed(
            {
                "available": {"type": "boolean"},
                "reason": {"type": "string", "nullable": True},
                "opens_at": _NSTRING,
                "waiting": _INT,
            }
        ),
        "ChatState": _closed({"conversation": conversation}),
        "ChatEvents": _closed(
            {
                "conversation": conversation,
                "tag": _STRING,
                "lines": {"type": "array", "items": line},
                "typing": {"type": "array", "items": _STRING},
                "retry_ms": _INT,
            }
        ),
        "ChatAck": _closed({"ack": _closed({"client_id": _STRING, "seq": _INT})}),
        "ChatTranscript": _closed({"sent_to": _STRING}),
        "ChatStart": _closed(
            {
                "question": {"type": "string", "minLength": 1, "maxLength": BODY_MAX},
                "client_id": {"type": "string", "minLength": 1, "maxLength": 64},
            },
            required=["question"],
        ),
        "ChatMessage": _closed(
            {
                "client_id": {"type": "string", "minLength": 1, "maxLength": 64},
                "body": {"type": "string", "minLength": 1, "maxLength": BODY_MAX},
            }
        ),
        "ChatRead": _closed({"seq": {"type": "integer", "minimum": 0, "maximum": MAX_DB_INT}}),
    }
