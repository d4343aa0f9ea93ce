"""The ``/surveys`` part of the OpenAPI contract (paths and schemas), merged into
:func:`app.api.openapi.openapi_document`: the in-app satisfaction rating and NPS prompt."""

from __future__ import annotations

from app.models import MAX_DB_INT

_AUTH = [{"bearerAuth": []}]
_STRING = {"type": "string"}
_NTIME = {"type": "string", "format": "date-time", "nullable": True}


def _ref(kind: str, name: str) -> dict:
    return {"$ref": f"#/components/{kind}/{name}"}


def _closed(properties: dict, required: list[str] | None = None, **extra) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
        **extra,
    }


def _id_parameter(name: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_DB_INT},
    }


def _answered(schema: str, description: str) -> dict:
    return {
        "200": {
            "description": description,
            "headers": {"ETag": {"schema": _STRING}, "Cache-Control": {"schema": _STRING}},
            "content": {"application/json": {"schema": _ref("schemas", schema)}},
        },
        "400": _ref("responses", "BadRequest"),
        "401": _ref("responses", "Unauthorized"),
        "403": _ref("responses", "Forbidden"),
        "404": _ref("responses", "NotFound"),
        "413": _ref("responses", "PayloadTooLarge"),
        "415": _ref("responses", "UnsupportedMediaType"),
        "422": _ref("responses", "ValidationFailed"),
        "429": _ref("responses", "RateLimited"),
    }


def _body(schema: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": _ref("schemas", schema)}}}


def survey_paths() -> dict:
    return {
        "/surveys/pending": {
            "get": {
                "operationId": "listPendingSurveys",
                "summary": "The token user's open satisfaction ratings and NPS prompt.",
                "security": _AUTH,
                "parameters": [_ref("parameters", "IfNoneMatch")],
                "responses": {
                    "200": {
                        "description": "Open surveys, newest rating first, the NPS prompt last.",
                        "headers": {
                            "ETag": {"schema": _STRING},
                            "Cache-Control": {"schema": _STRING},
                        },
                        "content": {
                            "application/json": {"schema": _ref("schemas", "PendingSurveys")}
                        },
                    },
                    "304": _ref("responses", "NotModified"),
                    "401": _ref("responses", "Unauthorized"),
                    "403": _ref("responses", "Forbidden"),
                    "429": _ref("responses", "RateLimited"),
                },
            }
        },
        "/surveys/csat/{survey_id}": {
            "post": {
                "operationId": "answerSatisfactionSurvey",
                "summary": "Rate the support of a solved request (good or bad, reason, comment);"
                " a change of mind is accepted until the request closes.",
                "security": _AUTH,
                "parameters": [_id_parameter("survey_id")],
                "requestBody": _body("CsatAnswer"),
                "responses": _answered("CsatSurvey", "The survey with its rating."),
            }
        },
        "/surveys/nps/{invitation_id}": {
            "post": {
                "operationId": "answerNpsSurvey",
                "summary": "Answer the quarterly survey (0-10 and an optional why), once.",
                "security": _AUTH,
                "parameters": [_id_parameter("invitation_id")],
                "requestBody": _body("NpsAnswer"),
                "responses": _answered("NpsSurvey", "The invitation with its score."),
            }
        },
    }


def survey_schemas() -> dict:
    csat = _closed(
        {
            "kind": {"type": "string", "enum": ["csat"]},
            "id": {"type": "integer"},
            "ticket_id": {"type": "integer"},
            "subject": _STRING,
            "question": _STRING,
            "ratings": {"type": "array", "items": _STRING},
            "reasons": {"type": "array", "items": _STRING},
            "rating": {"type": "string", "enum": ["good", "bad"], "nullable": True},
            "asked_at": _NTIME,
        }
    )
    nps = _closed(
        {
            "kind": {"type": "string", "enum": ["nps"]},
            "id": {"type": "integer"},
            "question": _STRING,
            "scale": _closed(
                {
                    "min": {"type": "integer"},
                    "max": {"type": "integer"},
                    "min_label": _STRING,
                    "max_label": _STRING,
                }
            ),
            "score": {"type": "integer", "minimum": 0, "maximum": 10, "nullable": True},
            "asked_at": _NTIME,
        }
    )
    return {
        "CsatSurvey": csat,
        "NpsSurvey": nps,
        "PendingSurveys": _closed({"surveys": {"type": "array", "items": {"oneOf": [csat, nps]}}}),
        "CsatAnswer": _closed(
            {
                "rating": {"type": "string", "enum": ["good", "bad"]},
                "reason": {"type": "string", "maxLength": 100},
                "comment": {"type": "string", "maxLength": 2000},
            },
            required=["rating"],
        ),
        "NpsAnswer": _closed(
            {
                "score": {"type": "integer", "minimum": 0, "maximum": 10},
                "why": {"type": "string", "maxLength": 2000},
            },
            required=["score"],
        ),
    }
