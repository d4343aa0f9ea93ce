"""Schemas of the OpenAPI contract (``components/schemas``); see :mod:`app.api.openapi`."""

from __future__ import annotations

from app.api import validation
from app.tickets.services import BODY_MAX, SUBJECT_MAX

ERROR_CODES = [
    "bad_request", "malformed_json", "install_id_required", "unauthorized", "forbidden",
    "not_found", "method_not_allowed", "not_acceptable", "conflict", "gone",
    "payload_too_large", "unsupported_media_type", "validation_failed", "rate_limited",
    "server_error", "unavailable", "chat_closed",
]  # fmt: skip


def schema_ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(properties: dict, required: list[str] | None = None, **extra) -> dict:
    """A closed object schema: every property listed, nothing else allowed."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
        **extra,
    }


STRING = {"type": "string"}
_NSTR = {"type": "string", "nullable": True}
_TIME = {"type": "string", "format": "date-time"}
_NTIME = {"type": "string", "format": "date-time", "nullable": True}


def _text(maximum: int) -> dict:
    """Free text: not blank (surrounding white space is stripped), at most ``maximum`` long."""
    return {"type": "string", "minLength": 1, "maxLength": maximum, "pattern": r"\S"}


_TICKET = {
    "id": {"type": "integer"},
    "subject": STRING,
    "category": STRING,
    "impact": STRING,
    "status": STRING,
    "status_label": STRING,
    "created_at": _TIME,
    "updated_at": _TIME,
    "promise": {"type": "string", "description": "When to expect an answer."},
}


def schemas(categories: list[str], impacts: list[str]) -> dict:
    return {
        "Error": _obj(
            {
                "error": _obj(
                    {
                        "code": {"type": "string", "enum": ERROR_CODES},
                        "message": STRING,
                        "details": {
                            "type": "object",
                            "additionalProperties": {"type": "string"},
                            "description": "What is wrong with each field, by field name.",
                        },
                    },
                    required=["code", "message"],
                )
            }
        ),
        "Snippet": _obj(
            {
                "key": STRING,
                "lang": STRING,
                "title": STRING,
                "body_html": {"type": "string", "description": "Sanitised HTML."},
                "article": _obj({"slug": STRING, "url": _NSTR}, nullable=True),
                "updated_at": _NTIME,
            }
        ),
        "SnippetBatch": _obj(
            {
                "lang": STRING,
                "snippets": {"type": "object", "additionalProperties": schema_ref("Snippet")},
                "missing": {"type": "array", "items": STRING},
            }
        ),
        "Article": _obj(
            {
                "slug": STRING,
                "title": STRING,
                "type": STRING,
                "section": STRING,
                "summary": STRING,
                "url": _NSTR,
            }
        ),
        "SearchHit": _obj(
            {
                "type": STRING,
                "title": STRING,
                "url": STRING,
                "excerpt_html": {"type": "string", "description": "Escaped text with <mark>."},
            }
        ),
        "SearchResults": _obj(
            {
                "query": STRING,
                "total": {"type": "integer", "minimum": 0},
                "page": {"type": "integer", "minimum": 1},
                "per_page": {"type": "integer", "minimum": 1},
                "suggestion": {**_NSTR, "description": "A corrected query (did you mean)."},
                "corrected": {"type": "boolean", "description": "Results are for suggestion."},
                "results": {"type": "array", "items": schema_ref("SearchHit")},
            }
        ),
        "Suggestions": _obj(
            {
                "screen": STRING,
                "lang": STRING,
                "articles": {"type": "array", "items": schema_ref("Article")},
                "snippets": {"type": "array", "items": schema_ref("Snippet")},
                "results": {"type": "array", "items": schema_ref("SearchHit")},
            }
        ),
        "TourStep": _obj(
            {
                "id": STRING,
                "target": {"type": "string", "description": "DOM id of the element to show."},
                "title": STRING,
                "body": STRING,
                "placement": {"type": "string", "enum": ["top", "bottom", "left", "right"]},
            }
        ),
        "Tour": _obj(
            {
                "name": STRING,
                "title": STRING,
                "description": STRING,
                "steps": {"type": "array", "items": schema_ref("TourStep")},
            }
        ),
        "TourProgressIn": _obj(
            {
                "step": {"type": "string", "minLength": 1, "maxLength": 80},
                "event": {"type": "string", "enum": list(validation.TOUR_EVENTS)},
            }
        ),
        "TourProgress": _obj(
            {
                "tour": STRING,
                "status": {"type": "string", "enum": ["in_progress", "completed", "dismissed"]},
                "last_step": STRING,
                "furthest_step": {"type": "integer", "minimum": 0},
                "steps": {"type": "integer", "minimum": 0},
            }
        ),
        "Status": _obj(
            {"incident": _obj({"level": STRING, "text": STRING, "url": _NSTR}, nullable=True)}
        ),
        "Ticket": _obj(_TICKET),
        "Message": _obj(
            {
                "author": STRING,
                "from_support": {"type": "boolean"},
                "body_html": STRING,
                "created_at": _NTIME,
            }
        ),
        "TicketDetail": _obj(
            {
                **_TICKET,
                "description_html": STRING,
                "messages": {"type": "array", "items": schema_ref("Message")},
            }
        ),
        "TicketList": _obj(
            {
                "page": {"type": "integer"},
                "per_page": {"type": "integer"},
                "total": {"type": "integer", "minimum": 0},
                "requests": {"type": "array", "items": schema_ref("Ticket")},
            }
        ),
        "TicketCreate": _obj(
            {
                "category": {"type": "string", "enum": categories},
                "subject": _text(SUBJECT_MAX),
                "description": _text(BODY_MAX),
                "impact": {"type": "string", "enum": impacts},
            }
        ),
        "ReplyCreate": _obj({"body": _text(BODY_MAX)}),
    }
