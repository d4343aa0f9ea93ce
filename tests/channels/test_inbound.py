"""The one import path every channel shares: duplicates, requesters (accounts and contacts),
threading only into the sender's own ticket, follow-ups, unverified senders, and contacts
claiming their requests by signing up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.channels.inbound import Inbound, Sender, identity_for, quarantine, receive
from app.channels.models import ChannelIdentity, InboundMessage
from app.extensions import db
from app.outbox import commit
from app.tickets.models import Ticket, TicketEvent, TicketMessage


def mail(external_id, address="ana@example.org", *, thread=None, verified=True, body="Help!"):
    return Inbound(
        channel="email", source="pipe", external_id=external_id,
        sender=Sender("email", address, "Ana", verified=verified),
        subject="Reminders stopped", body=body, thread_ticket_id=thread,
    )  # fmt: skip


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_new_sender_becomes_a_contact_with_one_ticket_per_message_id(app, now):
    with app.app_context():
        first = receive(mail("<m1@example.org>"), now)
        commit()
        again = receive(mail("<m1@example.org>"), now + timedelta(minutes=5))
        commit()
        assert first.outcome == "ticket" and again is None
        assert count(Ticket) == 1 and count(InboundMessage) == 1
        ticket = db.session.get(Ticket, first.ticket_id)
        assert ticket.channel == "email" and ticket.category == "app"
        requester = ticket.requester
        assert requester.email == "ana@example.org" and requester.is_contact


def test_a_contact_cannot_sign_in_but_signing_up_claims_the_requests(app, client, now, mailbox):
    with app.app_context():
        ticket_id = receive(mail("<m2@example.org>", "Bo@Example.org"), now).ticket_id
        commit()
    answer = client.post(
        "/account/login", data={"email": "bo@example.org", "password": "anything at all"}
    )
    assert b"The e-mail address or password is not right." in answer.data
    client.post(
        "/account/register",
        data={"email": "bo@example.org", "display_name": "Bo", "password": "correct horse battery",
              "password_confirm": "correct horse battery"},
    )  # fmt: skip
    link = next(
        line for m in mailbox.messages() for line in m.get_content().splitlines()
        if "/register/confirm/" in line
    )  # fmt: skip
    path = link.strip()[link.find("/account/register/") :]
    page = client.get(path)
    assert page.status_code == 200
    client.post(path, data={})
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "bo@example.org"))
        assert user is not None and not user.is_contact
        assert db.session.get(Ticket, ticket_id).requester_id == user.id
        assert count(User) == 1
    signed_in = client.post(
        "/account/login", data={"email": "bo@example.org", "password": "correct horse battery"},
        follow_redirects=True,
    )  # fmt: skip
    assert b"Signed in" in signed_in.data


def test_an_account_address_gets_its_tickets_under_the_account(app, factory, now):
    member = factory.user(email="cy@example.org")
    with app.app_context():
        ticket_id = receive(mail("<m3@example.org>", "CY@example.org"), now).ticket_id
        commit()
        assert db.session.get(Ticket, ticket_id).requester_id == member.id
        assert count(User) == 1


def test_a_reply_continues_only_the_senders_own_ticket(app, now):
    with app.app_context():
        own = receive(mail("<a1@x>", "dee@example.org"), now).ticket_id
        other = receive(mail("<b1@x>", "eve@example.org"), now).ticket_id
        commit()
        reply = receive(mail("<a2@x>", "dee@example.org", thread=own, body="More detail"), now)
        forged = receive(mail("<b2@x>", "dee@example.org", thread=other, body="Give me"), now)
        commit()
        assert reply.outcome == "reply" and reply.ticket_id == own
        assert forged.outcome == "ticket" and forged.ticket_id not in (own, other)
        texts = db.session.scalars(
            select(TicketMessage.body).where(TicketMessage.ticket_id == other)
        ).all()
        assert texts == []


def test_an_unverified_sender_never_continues_a_ticket_and_is_flagged(app, now):
    with app.app_context():
        own = receive(mail("<c1@x>", "fay@example.org"), now).ticket_id
        commit()
        spoofed = receive(mail("<c2@x>", "fay@example.org", thread=own, verified=False), now)
        commit()
        assert spoofed.outcome == "ticket" and spoofed.ticket_id != own
        assert not spoofed.sender_verified
        kinds = db.session.scalars(
            select(TicketEvent.after).where(
                TicketEvent.ticket_id == spoofed.ticket_id, TicketEvent.kind == "channel_event"
            )
        ).all()
        assert {"what": "unverified_sender", "detail": "fay@example.org"} in kinds


def test_a_reply_to_a_closed_ticket_opens_a_linked_follow_up(app, now):
    with app.app_context():
        old_id = receive(mail("<d1@x>", "gus@example.org"), now).ticket_id
        commit()
        db.session.get(Ticket, old_id).status = "closed"
        commit()
        later = receive(mail("<d2@x>", "gus@example.org", thread=old_id), now + timedelta(days=9))
        commit()
        assert later.outcome == "follow_up"
        follow_up = db.session.get(Ticket, later.ticket_id)
        assert follow_up.follow_up_of_id == old_id and follow_up.status == "new"


def test_a_platform_user_is_a_contact_that_is_never_mailed(app, now, mailbox):
    with app.app_context():
        identity = identity_for(Sender("x", "2244994945", "Hal", handle="@hal"), now)
        commit()
        user = identity.user
        assert user.is_contact and user.email.endswith("@contacts.invalid")
        assert "2244994945" not in user.email
        same = identity_for(Sender("x", "2244994945", "Hal", handle="@hal_new"), now)
        assert same.id == identity.id and same.handle == "@hal_new"
        assert count(ChannelIdentity) == 1
    with app.app_context():
        receive(
            Inbound("social", "x", "dm-1", Sender("x", "2244994945", "Hal"), "", "Sync broken"),
            now,
        )
        commit()
    assert not [m for m in mailbox.messages() if "contacts.invalid" in m["To"]]


def test_quarantine_keeps_the_message_once_with_its_reason(app, now):
    with app.app_context():
        quarantine("email", "imap", "<q1@x>", "Unreadable MIME structure", "raw/1.eml", now)
        quarantine("email", "imap", "<q1@x>", "Still unreadable", "raw/1.eml", now)
        commit()
        rows = db.session.scalars(select(InboundMessage)).all()
        assert [(r.outcome, r.reason) for r in rows] == [("quarantined", "Still unreadable")]


@pytest.mark.parametrize("body", ["", "   \n"])
def test_a_message_without_text_still_becomes_a_ticket(app, now, body):
    with app.app_context():
        record = receive(mail("<e1@x>", body=body), now)
        commit()
        assert db.session.get(Ticket, record.ticket_id).description == "(The message had no text.)"
