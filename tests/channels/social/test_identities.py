"""One person on several channels stays several identities until an agent links them; never
merged by display name. Agents only; the page exists only for social tickets."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.channels.models import ChannelIdentity
from app.extensions import db
from app.tickets.models import Ticket, TicketEvent
from tests.channels.social.conftest import recorded


@pytest.fixture
def agent(factory):
    return factory.user(role="agent_t1")


def latest_ticket(app) -> Ticket:
    with app.app_context():
        row = db.session.scalar(select(Ticket).order_by(Ticket.id.desc()))
        db.session.expunge_all()
        return row


def test_same_display_name_on_two_platforms_stays_two_requesters(app, webhooks, connected):
    facebook = recorded("facebook_comment")  # from "Lena Gardener"
    x = recorded("x_direct_message")
    x["users"]["3001969357"]["name"] = "Lena Gardener"
    webhooks.meta(facebook)
    webhooks.x(x)
    with app.app_context():
        identities = db.session.scalars(select(ChannelIdentity)).all()
        assert len(identities) == 2 and len({i.user_id for i in identities}) == 2


def test_an_agent_links_the_identity_and_the_next_message_is_the_requesters(
    app, webhooks, connected, agent, factory, client, auth
):
    member = factory.user(email="lena@example.org", display_name="Lena")
    webhooks.x(recorded("x_direct_message"))
    ticket = latest_ticket(app)
    auth.login(agent)
    page = client.get(f"/channels/social/tickets/{ticket.id}")
    assert page.status_code == 200 and b"@furiouscamper" in page.data
    work = client.get(f"/requests/{ticket.id}/work")
    assert f"/channels/social/tickets/{ticket.id}".encode() in work.data
    bad = client.post(
        f"/channels/social/tickets/{ticket.id}/link", data={"email": "nobody@example.org"}
    )
    assert bad.status_code == 422 and b"No active account has this e-mail address." in bad.data
    done = client.post(
        f"/channels/social/tickets/{ticket.id}/link", data={"email": "LENA@example.org"},
        follow_redirects=True,
    )  # fmt: skip
    assert done.status_code == 200 and b"Linked" in done.data
    assert latest_ticket(app).requester_id == ticket.requester_id  # the old ticket stays
    later = recorded("x_direct_message")
    later["direct_message_events"][0]["id"] = "954491830116155999"
    webhooks.x(later)
    newest = latest_ticket(app)
    assert newest.id != ticket.id and newest.requester_id == member.id
    with app.app_context():
        history = db.session.scalars(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
        ).all()
        assert any(
            e.kind == "channel_event" and e.after["what"] == "identity_linked" for e in history
        )


def test_a_contact_address_cannot_be_the_link_target(app, webhooks, connected, agent, client, auth):
    webhooks.x(recorded("x_direct_message"))
    webhooks.meta(recorded("facebook_message"))
    ticket = latest_ticket(app)
    with app.app_context():
        contact_email = db.session.scalar(
            select(ChannelIdentity).where(ChannelIdentity.kind == "x")
        ).user.email
    auth.login(agent)
    answer = client.post(
        f"/channels/social/tickets/{ticket.id}/link", data={"email": contact_email}
    )
    assert answer.status_code == 422


def test_members_cannot_see_or_link_and_other_tickets_have_no_social_page(
    app, webhooks, connected, agent, factory, client, auth
):
    webhooks.x(recorded("x_direct_message"))
    ticket = latest_ticket(app)
    member = factory.user()
    auth.login(member)
    assert client.get(f"/channels/social/tickets/{ticket.id}").status_code == 403
    assert (
        client.post(
            f"/channels/social/tickets/{ticket.id}/link", data={"email": member.email}
        ).status_code
        == 403
    )
    web_ticket = factory.ticket(member)
    auth.switch_to(agent)
    assert client.get(f"/channels/social/tickets/{web_ticket}").status_code == 404
    assert client.get("/channels/social/tickets/99999999999999999999").status_code == 404
