"""The OpenAPI 3 contract of ``/api/v1``, served at ``/api/v1/openapi.json``.

It is written by hand next to the routes it describes and checked against them by schemathesis
in ``tests/api/test_contract.py``: every route, parameter, body schema (closed objects) and
status code, errors included. Change both together.
"""

from __future__ import annotations

from app.api import validation
from app.api.openapi_chat import chat_paths, chat_schemas
from app.api.openapi_schemas import STRING, schema_ref, schemas
from app.api.openapi_surveys import survey_paths, survey_schemas
from app.models import MAX_DB_INT
from app.search.documents import DOC_TYPES
from app.tickets.catalog import CATEGORIES, IMPACTS


def _error(description: str, headers: dict | None = None) -> dict:
    response = {
        "description": description,
        "content": {"application/json": {"schema": schema_ref("Error")}},
    }
    if headers:
        response["headers"] = headers
    return response


_RESPONSES = {
    "NotModified": {
        "description": "Not modified: the If-None-Match tag is current.",
        "headers": {"ETag": {"schema": STRING}, "Cache-Control": {"schema": STRING}},
    },
    "BadRequest": _error("Malformed request (for example the body is not valid JSON)."),
    "Unauthorized": _error(
        "Missing, malformed, unknown or revoked bearer token.",
        {"WWW-Authenticate": {"schema": STRING}},
    ),
    "Forbidden": _error("The token's account may not do this."),
    "NotFound": _error("No such object."),
    "PayloadTooLarge": _error("The body is larger than the configured limit."),
    "UnsupportedMediaType": _error("The body is not application/json."),
    "ValidationFailed": _error("Invalid parameters or fields; `details` names each one."),
    "ChatClosed": _error(
        "Chat is closed now (Tier 1 hours, nobody online): `details.opens_at`"
        " says when Tier 1 opens; send a request instead."
    ),
    "RateLimited": _error(
        "Too many requests from this address or token.",
        {"Retry-After": {"schema": {"type": "integer"}, "required": True}},
    ),
}


def _r(name: str) -> dict:
    return {"$ref": f"#/components/responses/{name}"}


def _ok(schema: str, description: str, status: str = "200", *, conditional: bool = True) -> dict:
    headers = {"ETag": {"schema": STRING}, "Cache-Control": {"schema": STRING}}
    if status == "201":
        headers = {"Location": {"schema": STRING}}
    responses = {
        status: {
            "description": description,
            "headers": headers,
            "content": {"application/json": {"schema": schema_ref(schema)}},
        },
        "429": _r("RateLimited"),
    }
    if conditional:
        responses["304"] = _r("NotModified")
    return responses


_P = {
    "lang": {
        "name": "lang",
        "in": "query",
        "required": False,
        "description": "Language (falls back to the default language).",
        "schema": {"type": "string", "pattern": validation.LANG_PATTERN},
    },
    "IfNoneMatch": {
        "name": "If-None-Match",
        "in": "header",
        "required": False,
        "description": "An ETag from an earlier response; a match gets 304.",
        "schema": STRING,
    },
    "page": {
        "name": "page",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": 1000},
    },
    "per_page": {
        "name": "per_page",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": 50},
    },
    "ticket_id": {
        "name": "ticket_id",
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_DB_INT},
    },
    "tour_name": {
        "name": "name",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "pattern": validation.NAME_PATTERN},
    },
}


def _p(name: str) -> dict:
    return {"$ref": f"#/components/parameters/{name}"}


def _body(schema: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema_ref(schema)}}}


_OPTIONAL_AUTH = [{}, {"bearerAuth": []}]
_AUTH = [{"bearerAuth": []}]
_WRITE_ERRORS = {
    "400": _r("BadRequest"),
    "413": _r("PayloadTooLarge"),
    "415": _r("UnsupportedMediaType"),
    "422": _r("ValidationFailed"),
}
_AUTH_ERRORS = {"401": _r("Unauthorized"), "403": _r("Forbidden")}


def _paths() -> dict:
    content_errors = {"401": _r("Unauthorized")}
    return {
        "/snippets/{key}": {
            "get": {
                "operationId": "getSnippet",
                "summary": "One help snippet (tooltip) by key.",
                "security": _OPTIONAL_AUTH,
                "parameters": [
                    {
                        "name": "key",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "pattern": validation.KEY_PATTERN},
                    },
                    _p("lang"),
                    _p("IfNoneMatch"),
                ],
                "responses": {
                    **_ok("Snippet", "The snippet."),
                    "404": _r("NotFound"),
                    "422": _r("ValidationFailed"),
                    **content_errors,
                },
            }
        },
        "/snippets": {
            "get": {
                "operationId": "getSnippets",
                "summary": "Several snippets at once (one screen's tooltips).",
                "security": _OPTIONAL_AUTH,
                "parameters": [
                    {
                        "name": "keys",
                        "in": "query",
                        "required": True,
                        "description": "Comma-separated snippet keys.",
                        "schema": {"type": "string", "minLength": 1},
                    },
                    _p("lang"),
                    _p("IfNoneMatch"),
                ],
                "responses": {
                    **_ok("SnippetBatch", "Snippets found, and the keys that were not."),
                    "422": _r("ValidationFailed"),
                    **content_errors,
                },
            }
        },
        "/suggestions": {
            "get": {
                "operationId": "getSuggestions",
                "summary": "Articles and snippets for an app screen, plus search results for q.",
                "security": _OPTIONAL_AUTH,
                "parameters": [
                    {
                        "name": "screen",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "string", "pattern": validation.NAME_PATTERN},
                    },
                    {
                        "name": "q",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string", "maxLength": 200},
                    },
                    _p("lang"),
                    _p("IfNoneMatch"),
                ],
                "responses": {
                    **_ok("Suggestions", "Suggestions for the screen."),
                    "422": _r("ValidationFailed"),
                    **content_errors,
                },
            }
        },
        "/tours/{name}": {
            "get": {
                "operationId": "getTour",
                "summary": "An onboarding tour with its ordered steps.",
                "security": _OPTIONAL_AUTH,
                "parameters": [_p("tour_name"), _p("IfNoneMatch")],
                "responses": {**_ok("Tour", "The tour."), "404": _r("NotFound"), **content_errors},
            }
        },
        "/tours/{name}/progress": {
            "post": {
                "operationId": "reportTourProgress",
                "summary": "Report a step reached, or the tour completed or dismissed.",
                "description": "Send a bearer token or, for an anonymous app installation, "
                "an X-Install-Id header.",
                "security": _OPTIONAL_AUTH,
                "parameters": [
                    _p("tour_name"),
                    {
                        "name": "X-Install-Id",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string", "pattern": validation.INSTALL_ID_PATTERN},
                    },
                ],
                "requestBody": _body("TourProgressIn"),
                "responses": {
                    **_ok("TourProgress", "Progress recorded.", conditional=False),
                    "404": _r("NotFound"),
                    **_WRITE_ERRORS,
                    **content_errors,
                },
            }
        },
        "/search": {
            "get": {
                "operationId": "search",
                "summary": "Full-text search over the help center (the site's search).",
                "security": _OPTIONAL_AUTH,
                "parameters": [
                    {
                        "name": "q",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "string", "minLength": 1, "maxLength": 200},
                    },
                    {
                        "name": "type",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string", "enum": list(DOC_TYPES)},
                    },
                    {
                        "name": "page",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                    },
                    _p("per_page"),
                    _p("IfNoneMatch"),
                ],
                "responses": {
                    **_ok("SearchResults", "A page of results."),
                    "422": _r("ValidationFailed"),
                    **content_errors,
                },
            }
        },
        "/status": {
            "get": {
                "operationId": "getStatus",
                "summary": "The current incident banner, if any.",
                "security": _OPTIONAL_AUTH,
                "parameters": [_p("IfNoneMatch")],
                "responses": _ok("Status", "The status."),
            }
        },
        "/requests": {
            "get": {
                "operationId": "listRequests",
                "summary": "The token user's own support requests, newest first.",
                "security": _AUTH,
                "parameters": [_p("page"), _p("per_page"), _p("IfNoneMatch")],
                "responses": {
                    **_ok("TicketList", "A page of requests."),
                    "422": _r("ValidationFailed"),
                    **_AUTH_ERRORS,
                },
            },
            "post": {
                "operationId": "createRequest",
                "summary": "Submit a support request from the app.",
                "security": _AUTH,
                "requestBody": _body("TicketCreate"),
                "responses": {
                    **_ok("Ticket", "The new request.", "201", conditional=False),
                    **_WRITE_ERRORS,
                    **_AUTH_ERRORS,
                },
            },
        },
        "/requests/{ticket_id}": {
            "get": {
                "operationId": "getRequest",
                "summary": "One of the token user's requests with its public conversation.",
                "security": _AUTH,
                "parameters": [_p("ticket_id"), _p("IfNoneMatch")],
                "responses": {
                    **_ok("TicketDetail", "The request."),
                    "404": _r("NotFound"),
                    **_AUTH_ERRORS,
                },
            }
        },
        "/requests/{ticket_id}/replies": {
            "post": {
                "operationId": "replyToRequest",
                "summary": "Add the requester's reply to one of their requests.",
                "security": _AUTH,
                "parameters": [_p("ticket_id")],
                "requestBody": _body("ReplyCreate"),
                "responses": {
                    **_ok("Message", "The reply.", "201", conditional=False),
                    "404": _r("NotFound"),
                    **_WRITE_ERRORS,
                    **_AUTH_ERRORS,
                },
            }
        },
        "/openapi.json": {
            "get": {
                "operationId": "getOpenApi",
                "summary": "This document.",
                "security": _OPTIONAL_AUTH,
                "parameters": [_p("IfNoneMatch")],
                "responses": {
                    "200": {
                        "description": "The OpenAPI document.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    "304": _r("NotModified"),
                    "429": _r("RateLimited"),
                },
            }
        },
    }


def openapi_document() -> dict:
    """The whole document, as a dict ready for JSON."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "GrowgrEbuddy Help Center in-app API",
            "version": "1.0.0",
            "description": "Tooltips, contextual suggestions, onboarding tours, search, "
            "support requests and the incident status for the GrowgrEbuddy app. Every "
            "successful GET has an ETag (send If-None-Match for 304) and a Cache-Control. "
            "Errors share one shape with a stable `code`. Rate limits apply per address and "
            "per token; 429 carries Retry-After.",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {**_paths(), **survey_paths(), **chat_paths()},
        "components": {
            "schemas": {
                **schemas(list(CATEGORIES), list(IMPACTS)),
                **survey_schemas(),
                **chat_schemas(),
            },
            "responses": _RESPONSES,
            "parameters": _P,
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal API token from the account page.",
                }
            },
        },
    }
