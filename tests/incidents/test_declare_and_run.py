"""Declaring, updating and resolving an incident through the real services and pages: banner on
pages and in the API, status page and feed, forum announcement, auto-replies, linked tickets."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.incidents.models import IncidentEntry, IncidentLink, IncidentNotice
from app.tickets.models import Ticket, TicketMessage

from .conftest import T0


def test_declaring_puts_the_banner_everywhere_at_once(app, client, incidents):
    lead = incidents.lead()
    assert "site-banner" not in client.get("/account/login").get_data(as_text=True)
    incident_id = incidents.declare(lead)

    page = client.get("/account/login").get_data(as_text=True)
    assert "Outage: Plant sync is down. Next update by" in page
    assert f'href="/status/{incident_id}"' in page
    api = client.get("/api/v1/status").get_json()
    assert api["incident"]["text"].startswith("Outage: Plant sync is down")
    assert api["incident"]["url"] == f"/status/{incident_id}"

    status = client.get("/status").get_data(as_text=True)
    assert "Plant sync is down" in status and "plant sync" in status
    feed = client.get("/status/feed.atom")
    assert feed.headers["Content-Type"].startswith("application/atom+xml")
    assert "Incident: Plant sync is down" in feed.get_data(as_text=True)

    with app.app_context():
        incident = incidents.get(incident_id)
        thread = incident.forum_thread_id
        from app.forum.models import ForumThread

        row = db.session.get(ForumThread, thread)
        assert (row.is_pinned, row.is_locked, row.status) == (True, True, "published")
        # Declared at 10:00 UTC = 11:00 Berlin; a critical outage is due again 30 minutes later.
        assert incident.next_update_due_at == T0 + timedelta(minutes=30)
        assert "11:30 (Berlin time)" in incident.banner_text
    assert "plant sync" in client.get(f"/community/t/{thread}").get_data(as_text=True)


def test_a_new_request_in_an_affected_category_gets_the_auto_reply_and_the_link(
    app, incidents, factory, mailbox
):
    lead = incidents.lead()
    incident_id = incidents.declare(lead)
    member = factory.user()
    affected = factory.ticket(member, T0 + timedelta(minutes=5), category="app")
    other = factory.ticket(member, T0 + timedelta(minutes=6), category="billing")

    with app.app_context():
        links = db.session.scalars(select(IncidentLink.ticket_id)).all()
        assert links == [affected]
        replies = db.session.scalars(
            select(TicketMessage).where(TicketMessage.ticket_id == affected)
        ).all()
        assert len(replies) == 1 and not replies[0].internal
        assert 'linked to the incident "Plant sync is down"' in replies[0].body
        # An automatic reply is not a person answering: the first-response clock keeps running.
        assert db.session.get(Ticket, affected).first_responded_at is None
        assert not db.session.scalars(
            select(TicketMessage).where(TicketMessage.ticket_id == other)
        ).all()
        assert incidents.get(incident_id).status == "open"
    subjects = [m["Subject"] for m in mailbox.messages() if m["To"] == member.email]
    assert sum("About your request" in s for s in subjects) == 1


def test_an_update_reaches_each_requester_once_even_when_retried(app, client, auth, incidents,
                                                                   factory, mailbox):  # fmt: skip
    lead = incidents.lead()
    incident_id = incidents.declare(lead)
    member, other = factory.user(), factory.user()
    factory.ticket(member, T0 + timedelta(minutes=1))
    factory.ticket(member, T0 + timedelta(minutes=2))  # two tickets, one person
    factory.ticket(other, T0 + timedelta(minutes=3))
    auth.login(lead)
    form = {"update-message": "We found the cause: {affected_features} is back for some of you.",
            "update-notify_requesters": "y", "update-token": "retry-token-1"}  # fmt: skip
    first = client.post(f"/incidents/{incident_id}/update", data=form)
    again = client.post(f"/incidents/{incident_id}/update", data=form)  # a retried submission
    assert first.status_code == again.status_code == 302

    with app.app_context():
        updates = db.session.scalars(select(IncidentEntry).where(IncidentEntry.kind == "update"))
        assert len(updates.all()) == 1
        assert db.session.scalar(select(func.count()).select_from(IncidentNotice)) == 2
    told = [m["To"] for m in mailbox.messages() if m["Subject"] == "Update: Plant sync is down"]
    assert sorted(told) == sorted([member.email, other.email])
    page = client.get(f"/status/{incident_id}").get_data(as_text=True)
    assert "plant sync is back for some of you" in page


def test_resolving_solves_linked_tickets_once_except_the_excluded(
    app, client, auth, incidents, factory, mailbox
):
    lead = incidents.lead()
    incident_id = incidents.declare(lead)
    member, other = factory.user(), factory.user()
    solved_one = factory.ticket(member, T0 + timedelta(minutes=1))
    kept = factory.ticket(other, T0 + timedelta(minutes=2))
    auth.login(lead)
    with app.app_context():
        link = db.session.scalar(select(IncidentLink).where(IncidentLink.ticket_id == kept))
        link_id = link.id
    assert client.post(f"/incidents/{incident_id}/links/{link_id}/exclude").status_code == 302
    final = {"resolve-message": "Sync works again.", "resolve-token": "r1"}
    response = client.post(f"/incidents/{incident_id}/resolve", data=final)
    assert response.status_code == 302

    with app.app_context():
        assert db.session.get(Ticket, solved_one).status == "solved"
        assert db.session.get(Ticket, kept).status == "new"
        assert incidents.get(incident_id).status == "resolved"
    replies = [
        m for m in mailbox.messages() if m["To"] == member.email and "New reply" in m["Subject"]
    ]
    assert len(replies) == 1 and "Sync works again." in replies[0].get_content()
    assert not [
        m for m in mailbox.messages() if m["To"] == other.email and "New reply" in m["Subject"]
    ]
    assert "site-banner" not in client.get("/status").get_data(as_text=True)
    auth.logout()
    assert "site-banner" not in client.get("/account/login").get_data(as_text=True)
    assert client.get("/api/v1/status").get_json()["incident"] is None


def test_bulk_link_takes_tickets_since_a_time_mentioning_words(app, client, auth, incidents,
                                                                factory):  # fmt: skip
    member = factory.user()
    early = factory.ticket(member, T0 - timedelta(hours=2), category="billing",
                           subject="Sync fails", description="My sync spins")  # fmt: skip
    late = factory.ticket(member, T0 - timedelta(minutes=30), category="billing",
                          subject="Plants vanish", description="after SYNC nothing")  # fmt: skip
    unrelated = factory.ticket(member, T0 - timedelta(minutes=20), category="billing",
                               subject="Invoice", description="wrong amount")  # fmt: skip
    lead = incidents.lead()
    incident_id = incidents.declare(lead, categories=[])
    auth.login(lead)
    response = client.post(
        f"/incidents/{incident_id}/link",
        data={"link-text": "sync", "link-since": "2026-11-24T09:00", "link-tickets": "y"},
    )
    assert response.status_code == 302
    with app.app_context():
        linked = set(db.session.scalars(select(IncidentLink.ticket_id)))
    assert linked == {late}
    assert early not in linked and unrelated not in linked
    bad = client.post(f"/incidents/{incident_id}/link", data={"link-text": "", "link-tickets": "y"})
    assert bad.status_code == 422 and "field-error" in bad.get_data(as_text=True)


def test_live_chat_gets_the_auto_reply_and_the_status_link_drills_only_for_staff(app, incidents):
    from app.incidents.links import auto_reply_for_chat

    lead = incidents.lead()
    incidents.declare(lead, is_drill=True, categories=["billing"], title="Card payments fail")
    public_id = incidents.declare(lead)
    with app.app_context():
        reply = auto_reply_for_chat("app", T0, staff=False)
        assert reply.incident_id == public_id and not reply.is_drill
        assert 'linked to the incident "Plant sync is down"' in reply.text
        assert reply.status_url.endswith(f"/status/{public_id}")
        assert auto_reply_for_chat("billing", T0, staff=False) is None
        assert auto_reply_for_chat("billing", T0, staff=True).is_drill
        assert auto_reply_for_chat("account", T0, staff=True) is None


def test_a_new_chat_shows_the_open_incidents_notice(app, factory, incidents):
    from app.channels.chat import presence, services
    from app.channels.chat.models import ChatMessage
    from app.outbox import commit

    lead = incidents.lead()
    incident_id = incidents.declare(lead)  # affects the app category, where chats start
    member, agent = factory.user(), factory.user(role="agent_t1")
    with app.app_context():
        presence.set_presence(db.session.get(type(agent), agent.id), "online", T0)
        conversation, _ = services.start(
            db.session.get(type(member), member.id), question="My plants vanished",
            email=None, name="", origin="site", client_id="c-1", now=T0,
        )  # fmt: skip
        commit()
        lines = db.session.scalars(
            select(ChatMessage).where(ChatMessage.conversation_id == conversation.id)
            .order_by(ChatMessage.seq)
        ).all()  # fmt: skip
        assert [line.role for line in lines][:2] == ["customer", "system"]
        assert 'linked to the incident "Plant sync is down"' in lines[1].body
        assert lines[1].body.endswith(f"/status/{incident_id}")
