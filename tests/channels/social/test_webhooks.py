"""Recorded payloads in the platforms' documented formats, through the real endpoints:
handshakes, signatures, duplicates, direct messages, mentions, comments, unknown events."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from sqlalchemy import func, select

from app.channels.models import ChannelIdentity, InboundMessage
from app.channels.social.models import SocialAccount, SocialConversation
from app.extensions import db
from app.tickets.models import Ticket, TicketMessage
from tests.channels.social.conftest import VERIFY_TOKEN, X_SECRET, meta_signature, recorded


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def tickets(app) -> list[Ticket]:
    with app.app_context():
        rows = db.session.scalars(select(Ticket).order_by(Ticket.id)).all()
        db.session.expunge_all()
        return rows


def conversation(app, ticket_id) -> SocialConversation:
    with app.app_context():
        row = db.session.scalar(
            select(SocialConversation).where(SocialConversation.ticket_id == ticket_id)
        )
        db.session.expunge_all()
        return row


# --- handshakes -------------------------------------------------------------------------------


def test_meta_verification_echoes_the_challenge_only_for_the_right_token(client):
    url = "/channels/social/webhooks/meta"
    good = {
        "hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444",
    }  # fmt: skip
    answer = client.get(url, query_string=good)
    assert answer.status_code == 200 and answer.data == b"1158201444"
    assert answer.mimetype == "text/plain"
    for wrong in (
        {**good, "hub.verify_token": "guess"},
        {**good, "hub.mode": "unsubscribe"},
        {k: v for k, v in good.items() if k != "hub.verify_token"},
        {**good, "hub.challenge": "<script>alert(1)</script>"},
    ):
        assert client.get(url, query_string=wrong).status_code == 403


def test_x_crc_answers_with_the_base64_hmac_of_the_token(client):
    answer = client.get("/channels/social/webhooks/x", query_string={"crc_token": "a1b2c3"})
    digest = hmac.new(X_SECRET.encode(), b"a1b2c3", hashlib.sha256).digest()
    assert answer.status_code == 200
    assert answer.json == {"response_token": "sha256=" + base64.b64encode(digest).decode()}
    assert client.get("/channels/social/webhooks/x").status_code == 400


@pytest.mark.parametrize("key", ["SOCIAL_META_VERIFY_TOKEN", "SOCIAL_X_CONSUMER_SECRET"])
def test_an_unconfigured_platform_answers_no_handshake(app, client, key):
    app.config[key] = None
    assert (
        client.get(
            "/channels/social/webhooks/meta",
            query_string={"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"},
        ).status_code
        == 403
    )
    if key == "SOCIAL_X_CONSUMER_SECRET":
        assert client.get("/channels/social/webhooks/x?crc_token=abc").status_code == 403


# --- signatures and replays -------------------------------------------------------------------


def test_a_signed_direct_message_becomes_one_ticket_and_a_replay_changes_nothing(
    app, webhooks, connected
):
    payload = recorded("facebook_message")
    first = webhooks.meta(payload)
    assert first.status_code == 200 and first.json["imported"] == 1
    again = webhooks.meta(payload)
    assert again.status_code == 200 and again.json == {
        "imported": 0, "duplicates": 1, "ignored": 0, "quarantined": 0,
    }  # fmt: skip
    [ticket] = tickets(app)
    assert ticket.channel == "social"
    assert ticket.subject.startswith("Facebook direct message from")
    assert "watering reminders stopped" in ticket.description
    seen = conversation(app, ticket.id)
    assert (seen.kind, seen.public, seen.participant_id) == ("dm", False, "7001")
    with app.app_context():
        assert count(TicketMessage) == 0 and count(InboundMessage) == 1
        identity = db.session.scalar(select(ChannelIdentity))
        assert (identity.kind, identity.address) == ("facebook", "7001")
        assert identity.user.is_contact
        account = db.session.get(SocialAccount, connected["facebook"])
        assert account.last_received_at is not None


@pytest.mark.parametrize(
    "signature",
    [None, "", "sha256=", "sha1=abc", meta_signature(b"another body"),
     meta_signature(b"x", "not-the-secret"), "sha256=" + "0" * 64],
)  # fmt: skip
def test_a_meta_delivery_without_the_right_signature_is_refused_and_changes_nothing(
    app, webhooks, connected, signature
):
    answer = webhooks.meta(recorded("facebook_message"), signature=signature)
    assert answer.status_code == 403
    assert answer.json["error"]["code"] == "bad_signature"
    with app.app_context():
        assert count(Ticket) == 0 and count(InboundMessage) == 0


def test_a_meta_signature_over_a_changed_body_is_refused(app, webhooks, connected):
    payload = recorded("facebook_message")
    signed = meta_signature(json.dumps(payload).encode())
    payload["entry"][0]["messaging"][0]["message"]["text"] = "Send me the admin password"
    assert webhooks.meta(payload, signature=signed).status_code == 403
    with app.app_context():
        assert count(Ticket) == 0


@pytest.mark.parametrize("signature", [None, "sha256=AAAA", "garbage"])
def test_an_x_delivery_without_the_right_signature_is_refused(app, webhooks, connected, signature):
    answer = webhooks.x(recorded("x_direct_message"), signature=signature)
    assert answer.status_code == 403
    with app.app_context():
        assert count(Ticket) == 0 and count(InboundMessage) == 0


def test_the_webhooks_need_no_csrf_token_but_the_site_still_does(app, webhooks, connected, client):
    app.config["WTF_CSRF_ENABLED"] = True
    assert webhooks.meta(recorded("facebook_message")).status_code == 200
    assert client.post("/channels/social/accounts", data={}).status_code == 400


# --- what becomes what ------------------------------------------------------------------------


def test_a_second_message_continues_the_conversation_and_another_sender_gets_their_own(
    app, webhooks, connected
):
    webhooks.meta(recorded("facebook_message"))
    follow = recorded("facebook_message")
    follow["entry"][0]["messaging"][0]["message"] = {"mid": "m_second", "text": "Still broken."}
    assert webhooks.meta(follow).json["imported"] == 1
    other = recorded("facebook_message")
    other["entry"][0]["messaging"][0]["sender"]["id"] = "7999"
    other["entry"][0]["messaging"][0]["message"]["mid"] = "m_other"
    webhooks.meta(other)
    first, second = tickets(app)
    assert first.requester_id != second.requester_id
    with app.app_context():
        [reply] = db.session.scalars(select(TicketMessage)).all()
        assert reply.ticket_id == first.id and reply.body == "Still broken."


def test_a_message_after_the_ticket_closed_opens_a_follow_up(app, webhooks, connected):
    webhooks.meta(recorded("facebook_message"))
    [ticket] = tickets(app)
    with app.app_context():
        db.session.get(Ticket, ticket.id).status = "closed"
        db.session.commit()
    again = recorded("facebook_message")
    again["entry"][0]["messaging"][0]["message"] = {"mid": "m_after", "text": "Me again."}
    webhooks.meta(again)
    old, new = tickets(app)
    assert new.follow_up_of_id == old.id
    assert conversation(app, new.id).kind == "dm"


@pytest.mark.parametrize(
    ("name", "send", "platform", "kind", "reply_to", "permalink"),
    [
        ("facebook_comment", "meta", "Facebook", "comment", "55501_88801",
         "https://www.facebook.com/55501_88801"),
        ("facebook_visitor_post", "meta", "Facebook", "mention", "1100220033_55777",
         "https://www.facebook.com/1100220033_55777"),
        ("instagram_comment", "meta", "Instagram", "comment", "17865799348089039", ""),
        ("x_mention", "x", "X", "mention", "1864000000000000001",
         "https://x.com/minasprout/status/1864000000000000001"),
    ],
)  # fmt: skip
def test_public_mentions_and_comments_become_public_tickets_with_a_link_to_the_original(
    app, webhooks, connected, name, send, platform, kind, reply_to, permalink
):
    answer = getattr(webhooks, send)(recorded(name))
    assert answer.status_code == 200 and answer.json["imported"] == 1
    [ticket] = tickets(app)
    assert ticket.channel == "social" and ticket.subject.startswith(f"{platform} {kind} from")
    seen = conversation(app, ticket.id)
    assert seen.public and seen.kind == kind
    assert (seen.reply_to_id, seen.permalink) == (reply_to, permalink)


@pytest.mark.parametrize(
    ("name", "send", "handle"),
    [("x_direct_message", "x", "@furiouscamper"), ("instagram_message", "meta", "")],
)
def test_direct_messages_on_x_and_instagram_record_platform_and_handle(
    app, webhooks, connected, name, send, handle
):
    assert getattr(webhooks, send)(recorded(name)).json["imported"] == 1
    [ticket] = tickets(app)
    assert not conversation(app, ticket.id).public
    with app.app_context():
        identity = db.session.scalar(select(ChannelIdentity))
        assert identity.handle == handle
        if handle:
            assert handle in ticket.subject


@pytest.mark.parametrize(
    ("name", "send", "ignored"), [("facebook_read", "meta", 2), ("x_favorite", "x", 1)]
)
def test_unknown_events_are_acknowledged_and_ignored(app, webhooks, connected, name, send, ignored):
    answer = getattr(webhooks, send)(recorded(name))
    assert answer.status_code == 200 and answer.json["ignored"] == ignored
    with app.app_context():
        assert count(Ticket) == 0


def test_our_own_echoes_and_posts_are_not_tickets(app, webhooks, connected):
    echo = recorded("facebook_message")
    echo["entry"][0]["messaging"][0]["message"]["is_echo"] = True
    own = recorded("x_mention")
    own["tweet_create_events"][0]["user"]["id_str"] = "2244994945"
    assert webhooks.meta(echo).json["ignored"] == 1
    assert webhooks.x(own).json["ignored"] == 1
    with app.app_context():
        assert count(Ticket) == 0


def test_messages_to_an_account_that_is_not_connected_are_ignored(app, webhooks):
    answer = webhooks.meta(recorded("facebook_message"))
    assert answer.status_code == 200 and answer.json["ignored"] == 1
    with app.app_context():
        assert count(Ticket) == 0 and count(InboundMessage) == 0


def test_a_public_reply_to_our_answer_continues_the_ticket(app, webhooks, connected):
    webhooks.x(recorded("x_mention"))
    answer = recorded("x_mention")
    tweet = answer["tweet_create_events"][0]
    tweet["id_str"] = "1864000000000000002"
    tweet["in_reply_to_status_id_str"] = "1864000000000000001"
    tweet["text"] = "@growgrebuddy also the calendar is empty"
    assert webhooks.x(answer).json["imported"] == 1
    [ticket] = tickets(app)
    assert conversation(app, ticket.id).reply_to_id == "1864000000000000002"
