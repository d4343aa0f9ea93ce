"""A guest's chat continues by e-mail: the transcript goes out threaded like the e-mail
channel's own mail (signed reply address, Message-ID), and the guest's reply to it lands in the
chat's ticket through the MTA pipe, and in the chat itself while the chat is open."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from app.models import utcnow
from app.outbox import commit
from app.tickets.models import Ticket, TicketMessage
from app.tickets.workspace import agent_reply
from tests.channels.email.test_round_trip import letter, pipe
from tests.channels.test_chat_views import ALL_DAY, go_online, start_guest

GUEST = "guest@example.org"  # start_guest's address


@pytest.fixture
def app_config():
    return {"SUPPORT_TIER1_HOURS": ALL_DAY, "CHAT_WAIT_SECONDS": 5}


@pytest.fixture
def chat(app, client, factory):
    console = go_online(app, factory.user(role="agent_t1", display_name="Ada Lovelace"))
    cid = start_guest(client, question="Seedlings wilt")["conversation"]["id"]
    assert console.post(f"/chat/console/c/{cid}/accept").status_code == 200
    said = console.post(f"/chat/console/c/{cid}/messages",
                        json={"client_id": "a1", "body": "Water less often."})  # fmt: skip
    assert said.status_code == 201
    return cid, console


def reply_to(mail, text: str, message_id: str) -> bytes:
    return letter(text, subject="Re: " + mail["Subject"], sender=f"Gus <{GUEST}>",
                  to=mail["Reply-To"], message_id=message_id,
                  In_Reply_To=mail["Message-ID"])  # fmt: skip


def ticket_of(app) -> tuple[int, str]:
    with app.app_context():
        ticket = db.session.scalar(select(Ticket).order_by(Ticket.id.desc()))
        return ticket.id, ticket.ref


def test_a_reply_to_the_transcript_lands_in_the_open_chat(app, client, runner, mailbox, chat):
    cid, console = chat
    assert client.post(f"/chat/c/{cid}/transcript").status_code == 202
    (transcript,) = [m for m in mailbox.messages() if m["To"] == GUEST]
    ticket_id, _ = ticket_of(app)
    assert transcript["Reply-To"].startswith(f"support+{ticket_id}.")
    assert transcript["Message-ID"].startswith(f"<ticket.{ticket_id}.")
    assert "Water less often." in transcript.get_content()
    outcome = pipe(runner, reply_to(transcript, "Every other day then?", "<r1@example.org>"))
    assert outcome.startswith("reply")
    lines = client.get(f"/chat/c/{cid}/events?after=0&wait=0").get_json()["lines"]
    assert lines[-1]["role"] == "customer"
    assert lines[-1]["body_html"] == "<p>Every other day then?</p>"
    agent_view = console.get(f"/chat/console/c/{cid}").get_json()["lines"]
    assert agent_view[-1]["body_html"] == "<p>Every other day then?</p>"
    with app.app_context():
        bodies = db.session.scalars(
            select(TicketMessage.body).where(TicketMessage.ticket_id == ticket_id)
        ).all()
        assert bodies.count("Every other day then?") == 1  # one ticket message, one chat line


def test_after_the_chat_a_reply_by_mail_continues_the_ticket(app, client, runner, mailbox, chat):
    cid, console = chat
    ended = console.post(f"/chat/console/c/{cid}/end", json={"solved": False})
    assert ended.status_code == 200
    # Guests get the transcript when the chat ends.
    (transcript,) = [m for m in mailbox.messages() if m["To"] == GUEST]
    before = client.get(f"/chat/c/{cid}/events?after=0&wait=0").get_json()["lines"]
    outcome = pipe(runner, reply_to(transcript, "Still wilting.", "<r2@example.org>"))
    assert outcome.startswith("reply")
    after = client.get(f"/chat/c/{cid}/events?after=0&wait=0").get_json()["lines"]
    assert after == before  # the chat is over: the reply is the ticket's, not the chat's
    ticket_id, ref = ticket_of(app)
    with app.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        assert ticket.channel == "chat" and ticket.description == "Seedlings wilt"
        last = db.session.scalars(
            select(TicketMessage).where(TicketMessage.ticket_id == ticket_id)
            .order_by(TicketMessage.id.desc())
        ).first()  # fmt: skip
        assert last.body == "Still wilting." and not last.from_agent
    # An agent's answer in the workspace now goes by threaded mail, which a reply continues.
    with app.app_context():
        agent = db.session.scalar(select(User).where(User.display_name == "Ada Lovelace"))
        agent_reply(agent, db.session.get(Ticket, ticket_id), "Move them to the shade.", utcnow())
        commit()
    answer = [m for m in mailbox.messages() if m["To"] == GUEST][-1]
    assert answer["Reply-To"].startswith(f"support+{ticket_id}.")
    assert ref in answer.get_body(("plain",)).get_content()
