"""Nobody but the requester (and support staff) ever sees a ticket, and requesters never see
internal notes: every ticket URL and JSON route is walked as another member and anonymously."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import url_for

from app.extensions import db
from app.outbox import commit
from app.tickets import workspace
from app.tickets.attachments import Upload
from app.tickets.models import Ticket

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
SECRET = "INTERNAL-NOTE-SECRET"


@pytest.fixture
def scene(app, factory, tickets, now):
    owner, agent = factory.user(), factory.user("agent_t1")
    ticket_id = tickets.create(
        owner, now, subject="Private subject", attachments=[Upload("shot.png", PNG)]
    )
    with app.app_context():
        ticket = tickets.get(ticket_id)
        workspace.agent_reply(
            db.session.merge(agent), ticket, SECRET, now, internal=True,
            attachments=[Upload("internal.txt", b"internal log")],
        )  # fmt: skip
        commit()
        attachments = [a.id for a in tickets.get(ticket_id).attachments]
    return {"owner": owner, "agent": agent, "ticket_id": ticket_id, "attachments": attachments}


def _ticket_urls(app, ticket_id, attachments):
    """Every route of the blueprint that names a ticket, filled in for this ticket."""
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("tickets.") or "ticket_id" not in rule.arguments:
                continue
            values = {"ticket_id": ticket_id}
            if "attachment_id" in rule.arguments:
                for attachment_id in attachments:
                    urls.append(
                        (rule, url_for(rule.endpoint, **values, attachment_id=attachment_id))
                    )
                continue
            urls.append((rule, url_for(rule.endpoint, **values)))
    return urls


def _assert_hidden(response):
    assert response.status_code in (302, 400, 403, 404), response.status_code
    body = response.get_data(as_text=True)
    response.close()
    assert "Private subject" not in body and SECRET not in body


def test_every_ticket_url_is_hidden_from_others(app, client, auth, factory, scene):
    urls = _ticket_urls(app, scene["ticket_id"], scene["attachments"])
    assert len(urls) >= 13  # the walk really covers the routes
    # Anonymous: sent to sign in (or refused), never the content.
    for rule, url in urls:
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            _assert_hidden(client.open(url, method=method))
    # Another member: 404 (the requester pages) or 403 (agent pages), never the content.
    auth.login(factory.user())
    for rule, url in urls:
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(url, method=method, data={"body": "x", "into": 1})
            _assert_hidden(response)
    # A moderator is not support staff either.
    auth.logout()
    auth.login(factory.user("moderator"))
    for rule, url in urls:
        if "GET" in rule.methods:
            _assert_hidden(client.get(url))
    with app.app_context():
        ticket = db.session.get(Ticket, scene["ticket_id"])
        assert ticket.status == "new" and len(ticket.messages) == 1  # nothing changed


def test_requester_never_sees_internal_notes(app, client, auth, scene):
    auth.login(scene["owner"])
    page = client.get(f"/requests/{scene['ticket_id']}").get_data(as_text=True)
    assert "Private subject" in page and SECRET not in page and "internal.txt" not in page
    public, internal = scene["attachments"]
    with client.get(f"/requests/{scene['ticket_id']}/attachments/{public}") as response:
        assert response.status_code == 200
    assert client.get(f"/requests/{scene['ticket_id']}/attachments/{internal}").status_code == 404
    # The agent pages are not the requester's.
    assert client.get(f"/requests/{scene['ticket_id']}/work").status_code == 403


def _api_token(app, user) -> dict[str, str]:
    """The Authorization header of a fresh API token of ``user`` (the API ignores cookies)."""
    from app.api.services import create_token

    with app.app_context():
        plain = create_token(db.session.merge(user), "Phone", datetime.now(UTC)).plain
        commit()
    return {"Authorization": f"Bearer {plain}"}


def test_api_json_never_leaks(app, client, auth, factory, scene):
    """The API's ticket routes (built on our services) hide other people's tickets and notes."""
    url = f"/api/v1/requests/{scene['ticket_id']}"
    # A signed-in site session is no API credential.
    auth.login(scene["owner"])
    assert client.get(url).status_code == 401
    auth.logout()
    other = client.get(url, headers=_api_token(app, factory.user()))
    assert other.status_code == 404
    assert "Private subject" not in other.get_data(as_text=True)
    own = client.get(url, headers=_api_token(app, scene["owner"]))
    assert own.status_code == 200
    body = own.get_data(as_text=True)
    assert "Private subject" in body and "reminders <strong>arrive</strong>" in body
    assert SECRET not in body and "internal.txt" not in body


def test_agent_sees_everything(client, auth, scene):
    auth.login(scene["agent"])
    page = client.get(f"/requests/{scene['ticket_id']}/work").get_data(as_text=True)
    assert "Private subject" in page and SECRET in page
    _, internal = scene["attachments"]
    with client.get(f"/requests/{scene['ticket_id']}/attachments/{internal}") as response:
        assert response.status_code == 200


def test_huge_ids_are_not_found_not_errors(client, auth, factory):
    auth.login(factory.user("agent_t1"))
    huge = 2**63
    for url in (
        f"/requests/{huge}",
        f"/requests/{huge}/work",
        f"/requests/1/attachments/{huge}",
        f"/requests/escalate/{huge}",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/requests/queue?assignee={huge}").status_code == 200
