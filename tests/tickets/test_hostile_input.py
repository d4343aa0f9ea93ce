"""Hostile values in every number and JSON body the ticket pages and the API read: a clear
error or a harmless default, never a 500 (in tests an unhandled error fails loudly)."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.tickets.models import Ticket, TicketDeflection

#: Text where a number is expected, with the number it stands for (None: not a number we
#: take): a superscript digit (``isdigit()`` but not ``int()``), more digits than any column
#: holds, more than Python converts, signs, a float, letters; spaces and Arabic-Indic digits
#: are numbers to ``int()`` and stay accepted.
HOSTILE_NUMBERS = [
    pytest.param("\u00b2", None, id="superscript-two"),
    pytest.param("1" * 20, None, id="20-digits"),
    pytest.param("9" * 5000, None, id="5000-digits"),
    pytest.param("-1", -1, id="negative"),
    pytest.param("0", 0, id="zero"),
    pytest.param("1e3", None, id="float"),
    pytest.param(" 7 ", 7, id="spaces"),
    pytest.param("\u0661\u0662", 12, id="arabic-indic-12"),
    pytest.param("abc", None, id="letters"),
]
VALUES = [pytest.param(p.values[0], id=p.id) for p in HOSTILE_NUMBERS]
# A lone surrogate (``"\\ud800"`` below) is valid JSON but no UTF-8 text: no database stores it.


@pytest.fixture
def member_token(app, factory):
    """A member and the plain text of their API token."""
    from datetime import UTC, datetime

    from app.api.services import create_token
    from app.outbox import commit

    member = factory.user()
    with app.app_context():
        plain = create_token(db.session.merge(member), "Phone", datetime.now(UTC)).plain
        commit()
    return member, plain


@pytest.fixture
def bearer_token(member_token):
    return {"Authorization": f"Bearer {member_token[1]}"}


def _json(client, url, raw: str, headers=None):
    return client.post(
        url, data=raw.encode(), content_type="application/json", headers=headers or {}
    )


@pytest.mark.parametrize(("steps", "number"), HOSTILE_NUMBERS)
def test_ticket_form_hidden_steps_never_breaks_the_form(app, client, auth, factory, steps, number):
    member = factory.user()
    auth.login(member)
    response = client.post(
        "/requests/new",
        data={"category": "app", "subject": "Reminders", "description": "They stopped.",
              "impact": "minor", "guide": "reminders", "steps": steps},
    )  # fmt: skip
    assert response.status_code == 302, response.status_code
    with app.app_context():
        ticket = db.session.scalars(db.select(Ticket)).one()
        # Only a plain small count of guide steps is kept; anything else is dropped.
        assert ticket.guide_steps == (number if number is not None and number >= 0 else None)


def test_ticket_form_keeps_a_real_step_count(app, client, auth, factory):
    auth.login(factory.user())
    client.post(
        "/requests/new",
        data={"category": "app", "subject": "Reminders", "description": "They stopped.",
              "impact": "minor", "guide": "reminders", "steps": "3"},
    )  # fmt: skip
    with app.app_context():
        assert db.session.scalars(db.select(Ticket.guide_steps)).one() == 3


@pytest.mark.parametrize("value", VALUES)
def test_queue_filters_take_any_text(client, auth, factory, value):
    auth.login(factory.user("agent_t1"))
    for name in ("assignee", "tier", "page", "origin"):
        response = client.get("/requests/queue", query_string={name: value})
        assert response.status_code == 200, (name, response.status_code)


@pytest.mark.parametrize("value", VALUES)
def test_assign_refuses_what_is_not_an_agent(app, client, auth, factory, tickets, now, value):
    agent = factory.user("agent_t1")
    ticket_id = tickets.create(factory.user(), now)
    auth.login(agent)
    assert (
        client.post(f"/requests/{ticket_id}/assign", data={"assignee": str(agent.id)}).status_code
        == 302
    )
    response = client.post(f"/requests/{ticket_id}/assign", data={"assignee": value})
    assert response.status_code == 422
    assert "Choose a support agent." in response.get_data(as_text=True)
    with app.app_context():
        # Garbage never unassigns: the ticket keeps its agent.
        assert db.session.get(Ticket, ticket_id).assignee_id == agent.id


@pytest.mark.parametrize("value", VALUES)
def test_merge_and_escalate_refuse_what_is_not_theirs(client, auth, factory, tickets, now, value):
    ticket_id = tickets.create(factory.user(), now)
    auth.login(factory.user("agent_t1"))
    response = client.post(f"/requests/{ticket_id}/merge", data={"into": value, "confirm": "y"})
    assert response.status_code == 422
    response = client.post(
        f"/requests/{ticket_id}/escalate", data={"to_tier": value, "reason": "Needs Tier 2"}
    )
    assert response.status_code == 422


@pytest.mark.parametrize(("value", "number"), HOSTILE_NUMBERS)
def test_api_numbers_are_validation_errors(client, bearer_token, value, number):
    expected = 200 if number is not None and number >= 1 else 422
    for name in ("page", "per_page"):
        response = client.get("/api/v1/requests", query_string={name: value}, headers=bearer_token)
        assert response.status_code == expected, (name, response.status_code)
        if expected == 422:
            assert response.get_json()["error"]["code"] == "validation_failed"


@pytest.mark.parametrize(
    "raw",
    [
        '{"category": "app", "subject": "\\ud800", "description": "x", "impact": "minor"}',
        '{"category": "app", "subject": "ok", "description": "a\\udfffb", "impact": "minor"}',
        '{"category": "app", "subject": "ok", "description": "x", "impact": "minor", "\\ud800": 1}',
        '{"category": "\\ud800", "subject": "ok", "description": "x", "impact": "minor"}',
    ],
)
def test_api_refuses_lone_surrogates(app, client, bearer_token, raw):
    response = _json(client, "/api/v1/requests", raw, bearer_token)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed" and error["details"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Ticket)) == 0


def test_api_reply_refuses_lone_surrogates(client, bearer_token, tickets, now, member_token):
    ticket_id = tickets.create(member_token[0], now)
    raw = '{"body": "thanks \\ud800"}'
    response = _json(client, f"/api/v1/requests/{ticket_id}/replies", raw, bearer_token)
    assert response.status_code == 422
    assert "body" in response.get_json()["error"]["details"]


@pytest.mark.parametrize(
    "raw",
    [
        '{"query": "\\ud800", "article_url": "/help/a", "outcome": "clicked"}',
        '{"query": "water", "article_url": "\\ud800", "outcome": "clicked"}',
        '{"query": "water", "article_url": "/help/a", "outcome": "\\ud800"}',
        '{"query": "a\\u0000b", "article_url": "/help/a", "outcome": "clicked"}',
        '["query", "water"]',
        '"clicked"',
        "12",
        "null",
        "not json",
    ],
)
def test_deflection_refuses_what_it_cannot_store(app, client, auth, factory, raw):
    auth.login(factory.user())
    response = _json(client, "/requests/deflection", raw)
    assert response.status_code == 422, response.status_code
    assert response.get_json()["error"]["code"] == "validation_failed"
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(TicketDeflection)) == 0


def test_deflection_still_logs_a_click(app, client, auth, factory):
    auth.login(factory.user())
    raw = '{"query": "water \\u00e9", "article_url": "/help/a", "outcome": "clicked"}'
    assert _json(client, "/requests/deflection", raw).status_code == 204
    with app.app_context():
        assert db.session.scalars(db.select(TicketDeflection.query)).one() == "water \u00e9"
