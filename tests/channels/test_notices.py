"""A channel that carries its own conversations takes its tickets' notices (receipt, replies);
a notifier that declines, or a ticket of a channel without one, falls back to e-mail."""

from __future__ import annotations

from app.extensions import db
from app.outbox import commit, record
from app.tickets.models import Ticket
from app.tickets.notices import register_notifier
from app.tickets.workspace import agent_reply


def test_the_tickets_channel_delivers_its_notices_instead_of_mail(app, factory, now, mailbox):
    taken = []

    def social_notifier(notice, when):
        taken.append(notice.kind)
        record("test_social_send", {"ticket": notice.ticket.id}, when)
        return notice.kind != "receipt"  # the receipt still goes by e-mail

    register_notifier(app, "social", social_notifier)
    member = factory.user(email="ivy@example.org")
    agent = factory.user("agent_t1")
    ticket_id = factory.ticket(member, now, channel="social")
    web_id = factory.ticket(member, now)
    with app.app_context():
        agent_reply(agent, db.session.get(Ticket, ticket_id), "Try a restart.", now)
        agent_reply(agent, db.session.get(Ticket, web_id), "Try a restart.", now)
        commit()
    assert taken == ["receipt", "agent_reply"]
    subjects = sorted(m["Subject"] for m in mailbox.messages())
    assert subjects == [
        f"[#{ticket_id}] We received your request",
        f"[#{web_id}] New reply: Watering reminders stopped",
        f"[#{web_id}] We received your request",
    ]
