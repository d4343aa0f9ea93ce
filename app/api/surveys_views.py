"""``/api/v1/surveys``: the feedback the app asks for in-app. ``GET /surveys/pending`` lists the
token user's open satisfaction ratings and the quarterly NPS prompt the widget shows; a ``POST``
answers one. The same services as the site's pages and e-mail links."""

from __future__ import annotations

from flask import current_app

from app.api import http as api
from app.api import validation
from app.api.views import bp
from app.feedback import csat, nps
from app.models import utcnow
from app.outbox import commit

CSAT_FIELDS = {
    "rating": validation.Field(str, choices=("good", "bad")),
    "reason": validation.Field(str, required=False, max_length=100),
    "comment": validation.Field(str, required=False, max_length=csat.COMMENT_MAX),
}
NPS_FIELDS = {
    "score": validation.Field(int),
    "why": validation.Field(str, required=False, max_length=nps.WHY_MAX),
}
CSAT_QUESTION = "How would you rate the support you received?"


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def csat_dict(survey) -> dict:
    ticket = csat.ticket_of(survey)
    return {
        "kind": "csat",
        "id": survey.id,
        "ticket_id": survey.ticket_id,
        "subject": ticket.subject,
        "question": CSAT_QUESTION,
        "ratings": ["good", "bad"],
        "reasons": list(current_app.config["CSAT_BAD_REASONS"]),
        "rating": survey.rating,
        "asked_at": _iso(survey.created_at),
    }


def nps_dict(invitation) -> dict:
    return {
        "kind": "nps",
        "id": invitation.id,
        "question": nps.QUESTION,
        "scale": {"min": 0, "max": 10, "min_label": "Not at all likely",
                  "max_label": "Extremely likely"},
        "score": invitation.score,
        "asked_at": _iso(invitation.invited_at),
    }  # fmt: skip


@bp.get("/surveys/pending")
def pending_surveys():
    user = api.require_user("tickets.submit")
    now = utcnow()
    surveys = [csat_dict(survey) for survey in csat.pending_for(user)]
    invitation = nps.open_invitation(user, now)
    if invitation is not None:
        # In-app first: the time the app first fetched the prompt is the "asked in the app".
        nps.mark_prompted(invitation, now)
        surveys.append(nps_dict(invitation))
        commit()
    return api.send(api.encode({"surveys": surveys}), cache=api.PRIVATE)


@bp.post("/surveys/csat/<int:survey_id>")
def answer_csat(survey_id: int):
    user = api.require_user("tickets.submit")
    data = api.json_body(CSAT_FIELDS)
    survey = csat.survey_of_user(user, survey_id)
    csat.answer(survey, data["rating"], data.get("reason"), data.get("comment"), "api", utcnow())
    payload = csat_dict(survey)
    commit()
    return api.send(api.encode(payload), cache="no-store")


@bp.post("/surveys/nps/<int:invitation_id>")
def answer_nps(invitation_id: int):
    user = api.require_user("tickets.submit")
    data = api.json_body(NPS_FIELDS)
    invitation = nps.invitation_of_user(user, invitation_id, utcnow())
    nps.answer(invitation, data["score"], data.get("why"), "app", utcnow())
    payload = nps_dict(invitation)
    commit()
    return api.send(api.encode(payload), cache="no-store")
