"""Social tickets in the agents' tier queues: the platform (and public or private) is a badge
of its own, and the queue filters by it; tickets of other channels are unaffected."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.tickets.models import Ticket
from tests.channels.social.conftest import recorded

WEB_SUBJECT = "Watering reminders stopped"


@pytest.fixture
def queue_tickets(app, webhooks, connected, factory):
    """A private Facebook message, a public X mention, a public Instagram comment and a web
    ticket, all in Tier 1: ``{name: ticket id}``."""
    ids = {}
    for name, send in (
        ("facebook_message", "meta"),
        ("x_mention", "x"),
        ("instagram_comment", "meta"),
    ):
        assert getattr(webhooks, send)(recorded(name)).json["imported"] == 1
        with app.app_context():
            ids[name] = db.session.scalar(select(Ticket.id).order_by(Ticket.id.desc()))
    ids["web"] = factory.ticket(factory.user())
    with app.app_context():
        assert {t.tier for t in db.session.scalars(select(Ticket))} == {1}
    return ids


def row_of(page: str, ticket_id: int) -> str:
    """The queue row of one ticket (its link to the workspace up to the end of the row)."""
    match = re.search(rf'href="/requests/{ticket_id}/work".*?</tr>', page, re.S)
    assert match, f"ticket {ticket_id} is not in the queue"
    return match.group(0)


def shown(page: str) -> set[int]:
    return {int(n) for n in re.findall(r'href="/requests/(\d+)/work"', page)}


def test_the_queue_shows_the_platform_as_a_badge(client, auth, factory, queue_tickets):
    auth.login(factory.user("agent_t1"))
    page = client.get("/requests/queue?tier=1").get_data(as_text=True)
    badge = '<span class="ticket-badge ticket-origin">{}</span>'
    assert badge.format("Facebook, private") in row_of(page, queue_tickets["facebook_message"])
    assert badge.format("X, public") in row_of(page, queue_tickets["x_mention"])
    assert badge.format("Instagram, public") in row_of(page, queue_tickets["instagram_comment"])
    web_row = row_of(page, queue_tickets["web"])
    assert WEB_SUBJECT in web_row and "ticket-origin" not in web_row


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("social:x", {"x_mention"}),
        ("social:facebook", {"facebook_message"}),
        ("social:instagram", {"instagram_comment"}),
        ("social:public", {"x_mention", "instagram_comment"}),
        ("social:private", {"facebook_message"}),
        ("", {"facebook_message", "x_mention", "instagram_comment", "web"}),
        # Unknown choices are ignored like any unknown filter value: never an error.
        ("social:myspace", {"facebook_message", "x_mention", "instagram_comment", "web"}),
        ("email:x", {"facebook_message", "x_mention", "instagram_comment", "web"}),
    ],
)
def test_the_queue_filters_by_platform(client, auth, factory, queue_tickets, choice, expected):
    auth.login(factory.user("agent_t1"))
    response = client.get("/requests/queue", query_string={"tier": 1, "origin": choice})
    assert response.status_code == 200
    assert shown(response.get_data(as_text=True)) == {queue_tickets[n] for n in expected}


def test_the_filter_menu_offers_the_platforms(client, auth, factory, queue_tickets):
    auth.login(factory.user("agent_t1"))
    page = client.get("/requests/queue?tier=1&origin=social:x").get_data(as_text=True)
    assert '<label for="f-origin">Platform' in page
    assert '<option value="social:x" selected>X</option>' in page
    for value in ("social:facebook", "social:instagram", "social:public", "social:private"):
        assert f'<option value="{value}" >' in page


def test_the_platform_filter_combines_with_the_channel_filter(client, auth, factory, queue_tickets):
    auth.login(factory.user("agent_t1"))
    web_only = client.get("/requests/queue?tier=1&channel=web&origin=social:x")
    assert shown(web_only.get_data(as_text=True)) == set()
