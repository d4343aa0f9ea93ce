"""Drills run the whole flow but the public sees nothing; who may see and run incidents."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.tickets.models import Ticket, TicketMessage

from .conftest import T0


def test_a_drill_shows_nothing_to_anonymous_visitors_and_marks_everything_for_staff(
    app, client, auth, incidents, factory, mailbox
):
    lead = incidents.lead()
    incident_id = incidents.declare(lead, is_drill=True, title="Reminders delayed")
    with app.app_context():
        thread_id = incidents.get(incident_id).forum_thread_id

    assert "site-banner" not in client.get("/account/login").get_data(as_text=True)
    assert client.get("/api/v1/status").get_json()["incident"] is None
    assert "Reminders delayed" not in client.get("/status").get_data(as_text=True)
    assert client.get(f"/status/{incident_id}").status_code == 404
    assert "Reminders delayed" not in client.get("/status/feed.atom").get_data(as_text=True)
    assert client.get(f"/community/t/{thread_id}").status_code == 404

    member = factory.user()
    ticket_id = factory.ticket(member, T0 + timedelta(minutes=3))
    with app.app_context():
        note = db.session.scalars(
            select(TicketMessage).where(TicketMessage.ticket_id == ticket_id)
        ).one()
        assert note.internal and note.body.startswith("[DRILL] ")
    assert not [
        m for m in mailbox.messages() if m["To"] == member.email and "About" in m["Subject"]
    ]

    auth.login(lead)
    page = client.get("/account/login").get_data(as_text=True)
    assert "DRILL: Outage: Reminders delayed" in page
    # The API's answers are publicly cacheable: not even staff get a drill there.
    assert client.get("/api/v1/status").get_json()["incident"] is None
    assert client.get(f"/status/{incident_id}").status_code == 200
    client.post(
        f"/incidents/{incident_id}/update",
        data={
            "update-message": "Still on it.",
            "update-notify_requesters": "y",
            "update-token": "d1",
        },
    )
    drill_mail = [m for m in mailbox.messages() if m["To"] == lead.email
                  and m["Subject"] == "[DRILL] Update: Reminders delayed"]  # fmt: skip
    assert len(drill_mail) == 1 and member.email in drill_mail[0].get_content()
    assert not [
        m for m in mailbox.messages() if m["To"] == member.email and "Update" in m["Subject"]
    ]
    client.post(
        f"/incidents/{incident_id}/resolve",
        data={"resolve-message": "Done.", "resolve-token": "d2"},
    )
    with app.app_context():
        assert db.session.get(Ticket, ticket_id).status == "new"  # a drill solves nothing
    listing = client.get("/incidents/").get_data(as_text=True)
    assert 'id="drill-reports"' in listing and "Reminders delayed" in listing
    assert lead.display_name in listing  # who acted


def test_who_may_see_and_run_incidents(app, client, auth, incidents, factory):
    lead = incidents.lead()
    incident_id = incidents.declare(lead)
    tier1, member = factory.user("agent_t1"), factory.user()

    assert client.get("/incidents/").status_code == 302  # sign in first
    auth.login(member)
    assert client.get("/incidents/").status_code == 403
    assert client.get(f"/incidents/{incident_id}").status_code == 403
    auth.switch_to(tier1)
    assert client.get(f"/incidents/{incident_id}").status_code == 200
    assert client.get("/incidents/new").status_code == 403
    assert (
        client.post(f"/incidents/{incident_id}/update", data={"update-message": "x"}).status_code
        == 403
    )
    assert client.get("/incidents/protocol").status_code == 200
    auth.switch_to(lead)
    assert client.get("/incidents/new").status_code == 200
    assert client.get("/incidents/999999").status_code == 404
    assert client.get("/incidents/templates/nonsense").status_code == 404
    assert client.get("/status/999999").status_code == 404


def test_the_incident_screen_links_the_protocol_and_shows_the_due_update(client, auth, incidents):
    lead = incidents.lead()
    incident_id = incidents.declare(lead)
    auth.login(lead)
    page = client.get(f"/incidents/{incident_id}").get_data(as_text=True)
    assert 'id="protocol-link"' in page and 'id="update-due"' in page
    protocol = client.get("/incidents/protocol").get_data(as_text=True)
    assert "Incident lead (owner)" in protocol and "Drills" in protocol
