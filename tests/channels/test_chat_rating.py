"""A chat that ends is rated at once (the feedback feature's hook on chat's end): a survey for
the chat's ticket, attributed to the agent who answered; a chat nobody answered is not asked."""

from __future__ import annotations

from sqlalchemy import select

from app.channels.chat import services
from app.extensions import db
from app.feedback.models import CsatSurvey
from app.outbox import commit
from tests.channels.test_chat_services import online, row, start


def _survey(ticket_id):
    return db.session.scalar(select(CsatSurvey).where(CsatSurvey.ticket_id == ticket_id))


def test_an_answered_chat_is_rated_when_it_ends(app, factory, now):
    member, agent = factory.user(), factory.user(role="agent_t1")
    with app.app_context():
        online(agent, now=now)
        conversation, _ = start(member, now)
        services.accept(row(agent), conversation, now)
        services.answer(row(agent), conversation, "a-1", "Restart the app, please.", now)
        services.end(row(agent), conversation, now, solved=True)
        commit()
        survey = _survey(conversation.ticket_id)
        assert survey is not None and survey.source == "chat"
        assert survey.state == "sent" and survey.agent_id == agent.id


def test_a_chat_nobody_answered_is_not_rated(app, factory, now):
    member, agent = factory.user(), factory.user(role="agent_t1")
    with app.app_context():
        online(agent, now=now)
        conversation, _ = start(member, now)
        services.end(row(member), conversation, now, solved=False)
        commit()
        survey = _survey(conversation.ticket_id)
        assert survey is None or survey.state != "sent"
