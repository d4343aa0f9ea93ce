"""``/api/v1/requests``: the token user's own support requests, through the same ticket
services as the site (channel ``api``). Requesters never see internal notes, tiers or the
names of the agents who answer."""

from __future__ import annotations

from flask import request, url_for

from app.api import content, validation
from app.api import http as api
from app.api.views import bp
from app.models import utcnow
from app.outbox import commit
from app.tickets import limits as ticket_limits
from app.tickets import services as tickets
from app.tickets.catalog import CATEGORIES, IMPACTS, STATUSES

#: Body of ``POST /requests``; lengths are the ticket service's own limits.
CREATE_FIELDS = {
    "category": validation.Field(str, choices=tuple(CATEGORIES)),
    "subject": validation.Field(str, min_length=1, max_length=tickets.SUBJECT_MAX),
    "description": validation.Field(str, min_length=1, max_length=tickets.BODY_MAX),
    "impact": validation.Field(str, choices=tuple(IMPACTS)),
}
REPLY_FIELDS = {"body": validation.Field(str, min_length=1, max_length=tickets.BODY_MAX)}
#: How agents are named to requesters.
SUPPORT_NAME = "GrowgrEbuddy Support"


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def ticket_dict(ticket, now) -> dict:
    """The requester's view of a ticket."""
    return {
        "id": ticket.id,
        "subject": ticket.subject,
        "category": ticket.category,
        "impact": ticket.impact,
        "status": ticket.status,
        "status_label": STATUSES.get(ticket.status, ticket.status),
        "created_at": _iso(ticket.created_at),
        "updated_at": _iso(ticket.updated_at),
        "promise": tickets.promise_text(ticket, now),
    }


def message_dict(message) -> dict:
    author = SUPPORT_NAME if message.from_agent else None
    if author is None:
        author = message.author.display_name if message.author is not None else "You"
    return {
        "author": author,
        "from_support": bool(message.from_agent),
        "body_html": message.body_html,
        "created_at": _iso(message.created_at),
    }


def _ticket_error(error: tickets.TicketError) -> validation.RuleError:
    """A ticket service's domain error as a 422 next to its field."""
    return validation.RuleError(error.message, {error.field or "body": error.message})


def _own_ticket(user, ticket_id: int):
    try:
        return tickets.get_ticket_for_requester(user, ticket_id)
    except tickets.TicketNotFound:
        raise content.NotFound(str(ticket_id))


@bp.get("/requests")
def list_requests():
    user = api.require_user("tickets.submit")
    page = api.query_int("page", 1, 1, 1000)
    per_page = api.query_int("per_page", 20, 1, 50)
    listing = tickets.list_requester_tickets(user, page=page, per_page=per_page)
    now = utcnow()
    payload = {
        "page": page,
        "per_page": per_page,
        "total": listing.total or 0,
        "requests": [ticket_dict(ticket, now) for ticket in listing.items],
    }
    return api.send(api.encode(payload), cache=api.PRIVATE)


@bp.post("/requests")
def create_request():
    user = api.require_user("tickets.submit")
    data = api.json_body(CREATE_FIELDS)
    now = utcnow()
    try:
        # The same budgets as the site's form: one account or address can't flood support.
        ticket_limits.spend(user.id, request.remote_addr, new_ticket=True)
        ticket = tickets.create_ticket(user, channel="api", now=now, **data)
    except ticket_limits.SubmissionLimited as limited:
        retry = {"Retry-After": str(limited.retry_after)}
        raise api.ApiAbort(429, limited.message, headers=retry)
    except tickets.TicketError as error:
        raise _ticket_error(error)
    payload = ticket_dict(ticket, now)
    commit()
    location = url_for("api.get_request", ticket_id=payload["id"])
    return api.send(api.encode(payload), status=201, headers={"Location": location})


@bp.get("/requests/<int:ticket_id>")
def get_request(ticket_id: int):
    user = api.require_user("tickets.submit")
    ticket = _own_ticket(user, ticket_id)
    payload = ticket_dict(ticket, utcnow())
    payload["description_html"] = ticket.description_html
    payload["messages"] = [message_dict(m) for m in tickets.public_conversation(ticket)]
    return api.send(api.encode(payload), cache=api.PRIVATE)


@bp.post("/requests/<int:ticket_id>/replies")
def reply_to_request(ticket_id: int):
    user = api.require_user("tickets.submit")
    data = api.json_body(REPLY_FIELDS)
    ticket = _own_ticket(user, ticket_id)
    try:
        message = tickets.add_requester_reply(user, ticket, data["body"], utcnow())
    except tickets.TicketNotFound:
        raise content.NotFound(str(ticket_id))
    except tickets.TicketError as error:
        raise _ticket_error(error)
    payload = message_dict(message)
    commit()
    return api.send(api.encode(payload), status=201)
