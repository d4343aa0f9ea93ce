"""Agents' replies round-trip to the fake platform: the documented send calls, a 429 then
success, refusals, Meta's 24-hour window, X's 280 characters and the invitation to continue
privately on the first public answer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.channels.social.models import SocialAccount, SocialConversation, SocialDelivery
from app.errors import DomainError
from app.extensions import db
from app.outbox import OutboxEvent, commit, drain
from app.tickets import workspace
from app.tickets.models import Ticket, TicketEvent, TicketMessage
from tests.channels.social.conftest import ACCOUNTS, recorded
from tests.channels.social.fake_platform import (
    META_OUTSIDE_WINDOW,
    META_RATE_LIMIT,
    META_SERVER_ERROR,
    X_TOO_MANY,
)

INVITE = "To continue privately, send us a direct message"


@pytest.fixture
def agent(factory):
    return factory.user(role="agent_t1")


def social_ticket(app, webhooks, name, send="meta"):
    assert getattr(webhooks, send)(recorded(name)).json["imported"] == 1
    with app.app_context():
        return db.session.scalar(select(Ticket.id).order_by(Ticket.id.desc()))


def reply(app, agent, ticket_id, body, when):
    """An agent's reply through the workspace service, committed like the page does."""
    with app.app_context():
        workspace.agent_reply(
            db.session.get(User, agent.id), db.session.get(Ticket, ticket_id), body, when
        )
        commit()


def deliveries(app) -> list[SocialDelivery]:
    with app.app_context():
        rows = db.session.scalars(select(SocialDelivery).order_by(SocialDelivery.id)).all()
        db.session.expunge_all()
        return rows


def last_inbound(app, ticket_id):
    with app.app_context():
        return db.session.scalar(
            select(SocialConversation.last_inbound_at).where(
                SocialConversation.ticket_id == ticket_id
            )
        )


def test_a_facebook_reply_goes_to_the_send_api_with_the_token_and_keeps_the_message_id(
    app, webhooks, connected, agent, fake_platform
):
    ticket_id = social_ticket(app, webhooks, "facebook_message")
    reply(app, agent, ticket_id, "Please update to 4.2.1.", last_inbound(app, ticket_id))
    [sent] = fake_platform.requests
    assert sent.path == "/v21.0/1100220033/messages"
    assert sent.headers["authorization"] == f"Bearer {ACCOUNTS['facebook'][2]}"
    assert sent.body == {
        "recipient": {"id": "7001"}, "messaging_type": "RESPONSE",
        "message": {"text": "Please update to 4.2.1."},
    }  # fmt: skip
    [delivery] = deliveries(app)
    assert (delivery.status, delivery.platform_message_id, delivery.attempts) == (
        "sent",
        "m_000001",
        1,
    )
    with app.app_context():
        assert db.session.get(SocialAccount, connected["facebook"]).last_sent_at is not None


@pytest.mark.parametrize("failure", [META_RATE_LIMIT, META_SERVER_ERROR])
def test_a_429_or_5xx_is_retried_with_back_off_and_then_delivered(
    app, webhooks, connected, agent, fake_platform, failure
):
    ticket_id = social_ticket(app, webhooks, "facebook_message")
    now = last_inbound(app, ticket_id)
    fake_platform.fail_next(*failure)
    reply(app, agent, ticket_id, "Try again now.", now)
    [delivery] = deliveries(app)
    assert delivery.status == "pending" and str(failure[0]) in delivery.error
    with app.app_context():
        event = db.session.scalar(select(OutboxEvent).where(OutboxEvent.kind == "social_send"))
        assert event.attempts == 1 and event.processed_at is None and event.parked_at is None
        assert event.available_at > now + timedelta(seconds=30)
        account = db.session.get(SocialAccount, connected["facebook"])
        assert str(failure[0]) in account.last_error
        # Not yet: the back-off holds the event.
        assert drain(["social_send"], now + timedelta(seconds=1)) == 0
        assert drain(["social_send"], now + timedelta(minutes=10)) == 1
    assert len(fake_platform.requests) == 2
    [delivery] = deliveries(app)
    assert (delivery.status, delivery.attempts, delivery.platform_message_id) == (
        "sent",
        2,
        "m_000001",
    )


def test_a_sent_delivery_is_never_posted_twice(app, webhooks, connected, agent, fake_platform):
    ticket_id = social_ticket(app, webhooks, "facebook_message")
    reply(app, agent, ticket_id, "Once.", last_inbound(app, ticket_id))
    with app.app_context():
        from app.channels.social.sending import send_delivery

        send_delivery({"delivery_id": deliveries(app)[0].id})
    assert len(fake_platform.requests) == 1


def test_a_refusal_is_not_retried_and_the_agent_sees_it_on_the_ticket(
    app, webhooks, connected, agent, fake_platform
):
    ticket_id = social_ticket(app, webhooks, "facebook_message")
    fake_platform.fail_next(*META_OUTSIDE_WINDOW)
    reply(app, agent, ticket_id, "Hello?", last_inbound(app, ticket_id))
    [delivery] = deliveries(app)
    assert delivery.status == "failed" and "2018278" in delivery.error
    with app.app_context():
        event = db.session.scalar(select(OutboxEvent).where(OutboxEvent.kind == "social_send"))
        assert event.parked_at is not None
        note = db.session.scalar(select(TicketEvent).where(TicketEvent.kind == "channel_event"))
        assert (
            note.after["what"] == "social_not_sent"
            and "outside of allowed window" in note.after["detail"]
        )


def test_a_reply_outside_metas_24_hour_window_is_refused_before_anything_is_saved(
    app, webhooks, connected, agent, fake_platform
):
    ticket_id = social_ticket(app, webhooks, "instagram_message")
    late = last_inbound(app, ticket_id) + timedelta(hours=24, minutes=1)
    with pytest.raises(DomainError) as refused:
        reply(app, agent, ticket_id, "Sorry for the wait!", late)
    assert refused.value.field == "body" and "24 hours" in refused.value.message
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TicketMessage)) == 0
    assert deliveries(app) == [] and fake_platform.requests == []
    # Just inside the window it goes.
    reply(app, agent, ticket_id, "Sorry for the wait!", late - timedelta(minutes=2))
    with app.app_context():  # saved "tomorrow": the drain of that time sends it
        assert drain(["social_send"], late) == 1
    assert fake_platform.requests[0].path == "/v21.0/17841400000000001/messages"


def test_the_agent_page_shows_the_window_refusal_next_to_the_message(
    app, webhooks, connected, agent, fake_platform, client, auth
):
    ticket_id = social_ticket(app, webhooks, "facebook_message")
    with app.app_context():
        row = db.session.scalar(select(SocialConversation))
        row.last_inbound_at -= timedelta(hours=30)
        db.session.commit()
    auth.login(agent)
    page = client.post(f"/requests/{ticket_id}/agent-reply", data={"body": "Are you there?"})
    assert page.status_code == 422
    assert b"only allows replies within 24 hours" in page.data
    assert fake_platform.requests == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TicketMessage)) == 0


def test_x_public_replies_invite_once_and_are_refused_past_280_characters(
    app, webhooks, connected, agent, fake_platform
):
    ticket_id = social_ticket(app, webhooks, "x_mention", "x")
    now = last_inbound(app, ticket_id)
    with pytest.raises(DomainError) as refused:
        reply(app, agent, ticket_id, "a" * 250, now)  # fits alone, not with the invitation
    assert "280 characters" in refused.value.message
    reply(app, agent, ticket_id, "Sorry! Which phone do you use?", now)
    first = fake_platform.requests[0]
    assert first.path == "/2/tweets"
    assert first.body["reply"] == {"in_reply_to_tweet_id": "1864000000000000001"}
    assert first.body["text"].startswith("Sorry! Which phone") and INVITE in first.body["text"]
    reply(app, agent, ticket_id, "b" * 280, now)  # exactly 280: fine
    second = fake_platform.requests[1]
    assert second.body["text"] == "b" * 280
    [one, two] = deliveries(app)
    assert (one.platform_message_id, two.platform_message_id) == ("1800000001", "1800000002")
    with pytest.raises(DomainError):
        reply(app, agent, ticket_id, "c" * 281, now)


def test_x_counts_a_link_as_23_characters(app, webhooks, connected, agent, fake_platform):
    ticket_id = social_ticket(app, webhooks, "x_mention", "x")
    now = last_inbound(app, ticket_id)
    reply(app, agent, ticket_id, "First.", now)
    long_link = "https://help.growgrebuddy.com/articles/" + "x" * 300
    reply(app, agent, ticket_id, "See " + long_link, now)
    assert fake_platform.requests[1].body["text"].endswith("x" * 300)


@pytest.mark.parametrize(
    ("name", "send", "path", "body"),
    [
        ("x_direct_message", "x", "/2/dm_conversations/with/3001969357/messages",
         {"text": "We refunded the second charge."}),
        ("facebook_comment", "meta", "/v21.0/55501_88801/comments", None),
        ("instagram_comment", "meta", "/v21.0/17865799348089039/replies", None),
    ],
)  # fmt: skip
def test_each_platform_gets_its_documented_call(
    app, webhooks, connected, agent, fake_platform, name, send, path, body
):
    ticket_id = social_ticket(app, webhooks, name, send)
    reply(app, agent, ticket_id, "We refunded the second charge.", last_inbound(app, ticket_id))
    [sent] = fake_platform.requests
    assert sent.path == path
    if body is not None:
        assert sent.body == body
    else:  # public comment replies carry the invitation on the first answer
        assert sent.body["message"].startswith("We refunded") and INVITE in sent.body["message"]
    assert deliveries(app)[0].status == "sent"


def test_x_rate_limit_then_success_through_the_drain(
    app, webhooks, connected, agent, fake_platform
):
    ticket_id = social_ticket(app, webhooks, "x_direct_message", "x")
    now = last_inbound(app, ticket_id)
    fake_platform.fail_next(*X_TOO_MANY)
    fake_platform.fail_next(*X_TOO_MANY)
    reply(app, agent, ticket_id, "Checking.", now)
    with app.app_context():
        assert drain(["social_send"], now + timedelta(minutes=5)) == 0  # the second 429
        assert drain(["social_send"], now + timedelta(minutes=30)) == 1
    assert [d.status for d in deliveries(app)] == ["sent"]
    assert len(fake_platform.requests) == 3


def test_internal_notes_and_status_changes_are_not_posted(
    app, webhooks, connected, agent, fake_platform
):
    ticket_id = social_ticket(app, webhooks, "facebook_message")
    with app.app_context():
        workspace.agent_reply(
            db.session.get(User, agent.id), db.session.get(Ticket, ticket_id),
            "Looks like a sync bug.", last_inbound(app, ticket_id), internal=True,
        )  # fmt: skip
        commit()
    assert fake_platform.requests == [] and deliveries(app) == []


def test_a_disconnected_account_refuses_the_reply(
    app, webhooks, connected, agent, fake_platform, factory, now
):
    ticket_id = social_ticket(app, webhooks, "facebook_message")
    admin = factory.user(role="admin")
    with app.app_context():
        from app.channels.social.services import disconnect_account

        disconnect_account(db.session.get(User, admin.id), connected["facebook"], now)
        commit()
    with pytest.raises(DomainError) as refused:
        reply(app, agent, ticket_id, "Hi", last_inbound(app, ticket_id))
    assert "disconnected" in refused.value.message
    assert fake_platform.requests == []
