"""Schemas of the OpenAPI contract (``components/schemas``); see :mod:`app.api.openapi`."""

from __future__ import annotations

from app.api import validation
from app.tickets.services import BODY_MAX, SUBJECT_MAX

ERROR_CODES = [
    "bad_request", "malformed_json", "install_id_required", "unauthorized", "forbidden",
    "not_found", "method_not_allowed", "not_acceptable", "conflict", "gone",
    "payload_too_large", "unsupported_media_type", "validation_failed", "rate_limited",
    "server_error", "unavailable",
]  # fmt: skip


def _ref(name: str) -> dict:
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


_STR = {"type": "string"}
_NSTR = {"type": "string", "nullable": True}
_TIME = {"type": "string", "format": "date-time"}
_NTIME = {"type": "string", "format": "date-time", "nullable": True}


def _text(maximum: int) -> dict:
    """Free text: not blank (surrounding white space is stripped), at most ``maximum`` long."""
    return {"type": "string", "minLength": 1, "maxLength": maximum, "pattern": r"\S"}


_TICKET = {
    "id": {"type": "integer"},
    "subject": _STR,
    "category": _STR,
    "impact": _STR,
    "status": _STR,
    "status_label": _STR,
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
                        "message": _STR,
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
                "key": _STR,
                "lang": _STR,
                "title": _STR,
                "body_html": {"type": "string", "description": "Sanitised HTML."},
                "article": _obj({"slug": _STR, "url": _NSTR}, nullable=True),
                "updated_at": _NTIME,
            }
        ),
        "SnippetBatch": _obj(
            {
                "lang": _STR,
                "snippets": {"type": "object", "additionalProperties": _ref("Snippet")},
                "missing": {"type": "array", "items": _STR},
            }
        ),
        "Article": _obj(
            {
                "slug": _STR,
                "title": _STR,
                "type": _STR,
                "section": _STR,
                "summary": _STR,
                "url": _NSTR,
            }
        ),
        "SearchHit": _obj(
            {
                "type": _STR,
                "title": _STR,
                "url": _STR,
                "excerpt_html": {"type": "string", "description": "Escaped text with <mark>."},
            }
        ),
        "SearchResults": _obj(
            {
                "query": _STR,
                "total": {"type": "integer", "minimum": 0},
                "page": {"type": "integer", "minimum": 1},
                "per_page": {"type": "integer", "minimum": 1},
                "suggestion": {**_NSTR, "description": "A corrected query (did you mean)."},
                "corrected": {"type": "boolean", "description": "Results are for suggestion."},
                "results": {"type": "array", "items": _ref("SearchHit")},
            }
        ),
        "Suggestions": _obj(
            {
                "screen": _STR,
                "lang": _STR,
                "articles": {"type": "array", "items": _ref("Article")},
                "snippets": {"type": "array", "items": _ref("Snippet")},
                "results": {"type": "array", "items": _ref("SearchHit")},
            }
        ),
        "TourStep": _obj(
            {
                "id": _STR,
                "target": {"type": "string", "description": "DOM id of the element to show."},
                "title": _STR,
                "body": _STR,
                "placement": {"type": "string", "enum": ["top", "bottom", "left", "right"]},
            }
        ),
        "Tour": _obj(
            {
                "name": _STR,
                "title": _STR,
                "description": _STR,
                "steps": {"type": "array", "items": _ref("TourStep")},
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
                "tour": _STR,
                "status": {"type": "string", "enum": ["in_progress", "completed", "dismissed"]},
                "last_step": _STR,
                "furthest_step": {"type": "integer", "minimum": 0},
                "steps": {"type": "integer", "minimum": 0},
            }
        ),
        "Status": _obj(
            {"incident": _obj({"level": _STR, "text": _STR, "url": _NSTR}, nullable=True)}
        ),
        "Ticket": _obj(_TICKET),
        "Message": _obj(
            {
                "author": _STR,
                "from_support": {"type": "boolean"},
                "body_html": _STR,
                "created_at": _NTIME,
            }
        ),
        "TicketDetail": _obj(
            {
                **_TICKET,
                "description_html": _STR,
                "messages": {"type": "array", "items": _ref("Message")},
            }
        ),
        "TicketList": _obj(
            {
                "page": {"type": "integer"},
                "per_page": {"type": "integer"},
                "total": {"type": "integer", "minimum": 0},
                "requests": {"type": "array", "items": _ref("Ticket")},
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
