"""100 malformed or hostile deliveries (wrong types, huge bodies, invalid UTF-8, missing
fields, forged signatures): no server error, no ticket from an unsigned request, and the
text of the signed ones stored safely."""

# ruff: noqa: E501  (a table of hostile bodies reads best one per line)
from __future__ import annotations

import json

from sqlalchemy import func, select

from app.extensions import db
from app.tickets.models import Ticket, TicketMessage
from tests.channels.social.conftest import meta_signature, recorded, x_signature

BIG = 2 * 1024 * 1024


def _meta_message(**message) -> dict:
    payload = recorded("facebook_message")
    payload["entry"][0]["messaging"][0]["message"] = message
    return payload


def _x_dm(**fields) -> dict:
    payload = recorded("x_direct_message")
    payload["direct_message_events"][0].update(fields)
    return payload


def bodies() -> list[bytes]:
    """Bodies that are broken or hostile in every way we could think of (50 of them)."""
    deep = b"[" * 100_000 + b"]" * 100_000
    values = [
        b"", b"null", b"[]", b"{}", b'"page"', b"12", b"{", b"\xff\xfe\x00{", b"\xc3\x28",
        b'{"object": "page", "entry": "\xe9"}', deep, b'{"a": ' + b"1" * 5000 + b"}",
        b"\x00" * 64, b"<xml/>", b"{" * 1000,
    ]  # fmt: skip
    payloads = [
        {"object": "page"}, {"object": "page", "entry": "x"}, {"object": "page", "entry": [1, None, "s"]},
        {"object": "user", "entry": []}, {"object": "page", "entry": [{"id": ["1100220033"]}]},
        {"object": "page", "entry": [{"id": "1100220033", "messaging": {"a": 1}}]},
        {"object": "page", "entry": [{"id": "1100220033", "messaging": [None, 5, []]}]},
        {"object": "page", "entry": [{"id": "1100220033", "changes": [{"field": "feed", "value": []}]}]},
        {"object": "instagram", "entry": [{"id": "17841400000000001", "changes": [{"field": "comments", "value": {"id": {}, "text": 5}}]}]},
        _meta_message(mid="m_1", text=12345), _meta_message(mid=None, text="hi"),
        _meta_message(mid="m_" + "9" * 5000, text="hi"), _meta_message(mid="m/../../etc", text="hi"),
        _meta_message(mid="m_2"), _meta_message(mid=True, text="hi"),
        {"for_user_id": None}, {"for_user_id": {"$gt": ""}}, {"for_user_id": "2244994945", "direct_message_events": "x"},
        _x_dm(type="message_create", message_create=[]), _x_dm(id=12.5), _x_dm(type=None),
        {"for_user_id": "2244994945", "tweet_create_events": [{"id_str": "1", "user": "me", "text": "x"}]},
        {"for_user_id": "2244994945", "tweet_create_events": [{"id_str": "' OR 1=1 --", "user": {"id_str": "5"}, "text": "x"}]},
        {"for_user_id": "2244994945", "users": [], "direct_message_events": [None]},
        {"for_user_id": "2244994945", "direct_message_events": [{"type": "message_create", "id": "77", "message_create": {"sender_id": "5", "message_data": {"text": None}}}]},
    ]  # fmt: skip
    values += [json.dumps(p).encode() for p in payloads]
    # Signed and well formed, but hostile text: stored as text, rendered through the sanitiser.
    values += [
        json.dumps(_meta_message(mid="m_xss", text="<script>alert(1)</script><img src=x onerror=alert(2)>")).encode(),
        json.dumps(_meta_message(mid="m_nul", text="nul\u0000byte")).encode(),
        b'{"object": "page", "entry": [{"id": "1100220033", "messaging": [{"sender": {"id": "7001"}, "message": {"mid": "m_sur", "text": "\\ud800 lone"}}]}]}',
        json.dumps(_meta_message(mid="m_long", text="x" * 100_000)).encode(),
        json.dumps(_x_dm(id="9550", message_create={"sender_id": "5", "message_data": {"text": "[link](javascript:alert(1))"}})).encode(),
        b"x" * BIG,
        json.dumps({"object": "page", "entry": [{"id": "1100220033", "messaging": [{"sender": {"id": "7001"}, "message": {"mid": f"m_many{i}", "text": "hi"}} for i in range(300)]}]}).encode(),
        json.dumps({"for_user_id": "2244994945", "tweet_create_events": [{"id_str": "66", "user": {"id_str": "5", "screen_name": "<b>x</b>"}, "text": "hi"}]}).encode(),
        json.dumps({"for_user_id": "2244994945", "direct_message_events": [{"type": "message_create", "id": "67", "message_create": {"sender_id": "2244994945", "message_data": {"text": "self"}}}]}).encode(),
        json.dumps({"object": "page", "entry": [{"id": "1100220033", "changes": [{"field": "feed", "value": {"item": "comment", "verb": "add", "from": {"id": "8"}, "message": "m", "comment_id": "1_2"}}]}]}).encode(),
    ]  # fmt: skip
    return values


def count_tickets(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Ticket))


def post(client, endpoint: str, body: bytes, signed: bool, forged: str = ""):
    if endpoint == "meta":
        header = {"X-Hub-Signature-256": meta_signature(body) if signed else forged}
    else:
        header = {"x-twitter-webhooks-signature": x_signature(body) if signed else forged}
    if not signed and not forged:
        header = {}
    return client.post(f"/channels/social/webhooks/{endpoint}", data=body, headers=header)


def test_one_hundred_hostile_deliveries_never_fail_and_unsigned_ones_change_nothing(
    app, client, connected
):
    sent = bodies()
    assert len(sent) == 50
    # Each body to both endpoints: 100 deliveries, unsigned or with every kind of bad signature.
    forged = ["", "sha256=", "sha256=" + "a" * 64, "md5=abc", meta_signature(b"other"), "\x00"]
    unsigned = [
        post(client, endpoint, body, False, forged[number % len(forged)]).status_code
        for number, body in enumerate(sent)
        for endpoint in ("meta", "x")
    ]
    assert len(unsigned) == 100 and set(unsigned) <= {403, 413}
    assert count_tickets(app) == 0
    # The same 100, correctly signed: every parser sees every shape.
    signed = [
        post(client, endpoint, body, True).status_code
        for body in sent
        for endpoint in ("meta", "x")
    ]
    assert len(signed) == 100 and set(signed) <= {200, 400, 413}
    assert signed.count(400) >= 40  # the broken ones are told so, not silently accepted
    # The well-formed hostile texts arrived (one Facebook sender; an X sender's DM and post).
    assert count_tickets(app) == 3
    with app.app_context():
        html = [t.description_html for t in db.session.scalars(select(Ticket))]
        html += [m.body_html for m in db.session.scalars(select(TicketMessage))]
        assert len(html) > 300
        for fragment in html:
            assert "<script" not in fragment and "onerror" not in fragment
            assert 'href="javascript:' not in fragment and "\x00" not in fragment
