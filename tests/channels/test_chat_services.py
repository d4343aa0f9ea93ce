"""Live chat services on the real database: a chat is a ticket, client message ids make a
resent line count once, the queue, the concurrent-chat limit, transfer, the hand-over timer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.channels.chat import delivery, presence, queries, services
from app.channels.chat.models import ChatMessage
from app.errors import DomainError, NotFound, PermissionDenied
from app.extensions import db
from app.outbox import commit
from app.tickets.models import Ticket, TicketMessage


def row(user) -> User:
    return db.session.get(User, user.id)


def online(*agents, now) -> None:
    for agent in agents:
        presence.set_presence(row(agent), "online", now)
    commit()


def start(user=None, now=None, question="My reminders stopped", email=None, client_id="c-1"):
    conversation, secret = services.start(
        row(user) if user else None, question=question, email=email, name="Guest",
        origin="widget", client_id=client_id, now=now,
    )  # fmt: skip
    commit()
    return conversation, secret


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_chat_is_a_ticket_and_a_resent_line_is_stored_once(app, factory, now):
    member, agent = factory.user(), factory.user(role="agent_t1")
    with app.app_context():
        online(agent, now=now)
        conversation, secret = start(member, now)
        ticket = conversation.ticket
        assert ticket.channel == "chat" and ticket.requester_id == member.id
        assert ticket.description == "My reminders stopped" and conversation.status == "waiting"
        first = services.say(conversation, "c-2", "It happens every night", now)
        commit()
        again = services.say(conversation, "c-2", "It happens every night", now + timedelta(1))
        commit()
        assert first.id == again.id and first.seq == 2
        assert count(ChatMessage) == 2
        assert count(TicketMessage) == 1  # the opening question is the ticket's description
        assert services.for_person(conversation.id, None, secret).id == conversation.id
        assert services.for_person(conversation.id, row(member), None).id == conversation.id


def test_nobody_else_reaches_a_conversation(app, factory, now):
    member, other, agent = factory.user(), factory.user(), factory.user(role="agent_t1")
    with app.app_context():
        online(agent, now=now)
        conversation, _ = start(member, now)
        with pytest.raises(NotFound):
            services.for_person(conversation.id, row(other), None)
        with pytest.raises(NotFound):
            services.for_person(conversation.id, None, "guessed-secret")
        with pytest.raises(NotFound):
            services.for_person(conversation.id + 1, row(member), None)


def test_closed_outside_tier1_hours_and_without_an_agent_online(app, factory, now):
    member, agent = factory.user(), factory.user(role="agent_t1")
    with app.app_context():
        with pytest.raises(services.ChatClosed) as nobody:
            start(member, now)
        assert nobody.value.opens_at is None
        night = now.replace(hour=22)  # 23:00 in Berlin: Tier 1 (08:00-20:00) is closed
        online(agent, now=night)
        with pytest.raises(services.ChatClosed) as closed:
            start(member, night)
        assert closed.value.opens_at.hour == 7  # 08:00 Berlin, in UTC
        ticket = services.leave_request(None, question="Please call me back", email="g@example.org",
                                        name="G", origin="site", now=night)  # fmt: skip
        commit()
        assert ticket.channel == "chat" and ticket.requester.email == "g@example.org"


def test_guest_needs_an_address_and_gets_the_transcript_at_the_end(app, factory, now, mailbox):
    agent = factory.user(role="agent_t1", display_name="Ada Agent")
    with app.app_context():
        online(agent, now=now)
        with pytest.raises(DomainError) as missing:
            start(None, now, email="not an address")
        assert missing.value.field == "email"
        conversation, _ = start(None, now, email="guest@example.org")
        assert conversation.guest and conversation.requester.is_contact
        services.accept(row(agent), conversation, now)
        services.answer(row(agent), conversation, "a-1", "Hi! Which phone?", now)
        services.end(row(agent), conversation, now, solved=False)
        commit()
    transcript = [m for m in mailbox.messages() if m["To"] == "guest@example.org"]
    assert len(transcript) == 1
    body = transcript[0].get_content()
    assert "Which phone?" in body and "My reminders stopped" in body


def test_accept_answer_counts_as_first_response_and_the_limit_holds(app, factory, now):
    agent = factory.user(role="agent_t1")
    people = [factory.user() for _ in range(3)]
    with app.app_context():
        app.config["CHAT_MAX_CONCURRENT"] = 2
        online(agent, now=now)
        chats = [start(person, now + timedelta(seconds=i), client_id=f"c{i}")[0]
                 for i, person in enumerate(people)]  # fmt: skip
        assert presence.queue_place(chats[2], now)[0] == 3
        services.accept(row(agent), chats[0], now)
        services.accept(row(agent), chats[1], now)
        with pytest.raises(DomainError, match="already hold 2"):
            services.accept(row(agent), chats[2], now)
        later = now + timedelta(minutes=1)
        services.answer(row(agent), chats[0], "a-1", "Hello", later)
        services.answer(row(agent), chats[0], "a-2", "Customer seems upset", later, internal=True)
        commit()
        ticket = db.session.get(Ticket, chats[0].ticket_id)
        assert ticket.first_responded_at == later and ticket.assignee_id == agent.id
        lines = queries.lines_after(chats[0], 0, staff=False)
        assert [line.role for line in lines] == ["customer", "system", "agent"]
        assert "note" in [line.role for line in queries.lines_after(chats[0], 0, staff=True)]


def test_only_one_agent_gets_a_chat_and_others_cannot_write_into_it(app, factory, now):
    first, second = factory.user(role="agent_t1"), factory.user(role="agent_t1")
    with app.app_context():
        online(first, second, now=now)
        conversation, _ = start(factory.user(), now)
        services.accept(row(first), conversation, now)
        commit()
        with pytest.raises(DomainError):
            services.accept(row(second), conversation, now)
        with pytest.raises(PermissionDenied):
            services.answer(row(second), conversation, "x-1", "Me too", now)


def test_transfer_to_an_agent_and_to_tier2(app, factory, now):
    first = factory.user(role="agent_t1", display_name="Ann")
    second = factory.user(role="agent_t1", display_name="Ben")
    tier2 = factory.user(role="agent_t2", display_name="Cy")
    with app.app_context():
        online(first, second, tier2, now=now)
        conversation, _ = start(factory.user(), now)
        services.accept(row(first), conversation, now)
        services.transfer(row(first), conversation, now, to_agent_id=second.id)
        commit()
        assert conversation.agent_id == second.id
        assert conversation.ticket.assignee_id == second.id
        services.transfer(row(second), conversation, now, to_tier=2)
        commit()
        assert conversation.status == "waiting" and conversation.tier == 2
        assert conversation.ticket.tier == 2
        with pytest.raises(PermissionDenied):
            services.accept(row(first), conversation, now)
        services.accept(row(tier2), conversation, now)
        commit()
        assert conversation.agent_id == tier2.id


def test_a_chat_nobody_accepts_becomes_a_request_and_escalates_like_one(app, factory, now):
    agent = factory.user(role="agent_t1")
    with app.app_context():
        online(agent, now=now)
        conversation, _ = start(factory.user(), now)
        assert delivery.tick(now + timedelta(minutes=9)) == 0
        assert delivery.tick(now + timedelta(minutes=10)) == 1
        commit()
        assert conversation.status == "handed_over"
        last = queries.lines_after(conversation, 0, staff=False)[-1]
        assert "It is now request" in last.body
        with pytest.raises(DomainError):
            services.say(conversation, "late-1", "Hello?", now + timedelta(minutes=11))
        ticket_id = conversation.ticket_id
    # The ticket's own timer moves it to Tier 2 after Tier 1's hour, as for any request.
    from app.tickets.sla.clock import apply_due_actions

    with app.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        apply_due_actions(ticket, now + timedelta(minutes=61))
        commit()
        assert db.session.get(Ticket, ticket_id).tier == 2


def test_presence_turns_away_after_inactivity(app, factory, now):
    agent = factory.user(role="agent_t1")
    with app.app_context():
        online(agent, now=now)
        assert presence.is_online(agent.id, now + timedelta(minutes=9))
        assert not presence.is_online(agent.id, now + timedelta(minutes=10))
        with pytest.raises(PermissionDenied):
            presence.set_presence(row(factory.user()), "online", now)


def test_chat_tick_command_hands_over_and_mails_the_guest(app, factory, now, runner, mailbox):
    agent = factory.user(role="agent_t1")
    with app.app_context():
        online(agent, now=now)
        start(None, now, email="late@example.org")
    later = (now + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%S")
    result = runner.invoke(args=["chat", "tick", "--at", later])
    assert result.exit_code == 0, result.output
    assert "1 chat(s) handed over" in result.output
    mails = [m for m in mailbox.messages() if m["To"] == "late@example.org"]
    assert [m["Subject"] for m in mails] == ["Your chat: My reminders stopped"]
    assert "It is now request" in mails[0].get_content()
