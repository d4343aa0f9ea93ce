"""The social channel's pure rules, from tables: signatures (with independently computed
vectors), the Meta window, X's length count, answer classification, payload parsing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.channels.social import payloads, rules

T0 = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def test_meta_signature_matches_a_vector_computed_with_openssl():
    # printf '{"object":"page"}' | openssl dgst -sha256 -hmac secret
    body = b'{"object":"page"}'
    good = "sha256=c1456f83e15385a03562cbe2eaaa918ec5e06b4f170f909283a2781c7924e4d1"
    assert rules.meta_signature_valid("secret", body, good)
    assert not rules.meta_signature_valid(None, body, good)
    assert not rules.meta_signature_valid("other", body, good)
    assert not rules.meta_signature_valid("secret", body + b" ", good)
    assert not rules.meta_signature_valid("secret", body, good.upper())
    assert not rules.meta_signature_valid("secret", body, good.removeprefix("sha256="))


def test_x_signature_matches_a_vector_computed_with_openssl():
    # printf token | openssl dgst -sha256 -hmac consumer -binary | base64
    expected = "sha256=qSIz79GpaiNQHPha5G+pvQ/FX+osL5pBRv2p8HzUG+g="
    assert rules.x_signature("consumer", b"token") == expected
    assert rules.x_signature_valid("c", b"body", rules.x_signature("c", b"body"))
    assert not rules.x_signature_valid("c", b"body", rules.x_signature("d", b"body"))
    assert not rules.x_signature_valid("", b"body", rules.x_signature("", b"body"))


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"hub.mode": "subscribe", "hub.verify_token": "v", "hub.challenge": "42"}, "42"),
        ({"hub.mode": "subscribe", "hub.verify_token": "w", "hub.challenge": "42"}, None),
        ({"hub.mode": "subscribe", "hub.verify_token": "v", "hub.challenge": "4x"}, None),
        ({"hub.mode": "other", "hub.verify_token": "v", "hub.challenge": "42"}, None),
        ({}, None),
    ],
)
def test_meta_verification(params, expected):
    assert rules.meta_verification(params, "v") == expected


@pytest.mark.parametrize(
    ("platform", "kind", "after", "refused"),
    [
        ("facebook", "dm", timedelta(hours=23, minutes=59), False),
        ("facebook", "dm", timedelta(hours=24), False),
        ("facebook", "dm", timedelta(hours=24, seconds=1), True),
        ("instagram", "dm", timedelta(days=3), True),
        ("instagram", "comment", timedelta(days=3), False),
        ("x", "dm", timedelta(days=30), False),
    ],
)
def test_meta_window(platform, kind, after, refused):
    problem = rules.window_problem(platform, kind, T0, T0 + after, 24)
    assert (problem is not None) == refused
    if refused:
        assert "2026-11-28 10:00" in problem


@pytest.mark.parametrize(
    ("text", "length"),
    [("hello", 5), ("see https://example.org/" + "a" * 100, 4 + 23), ("é" * 280, 280)],
)
def test_x_length_counts_links_as_23(text, length):
    assert rules.x_length(text) == length


def test_length_problem_names_the_excess():
    assert rules.length_problem("x", True, "a" * 280) is None
    assert "Shorten it by 1" in rules.length_problem("x", True, "a" * 281)
    assert rules.length_problem("facebook", True, "a" * 281) is None
    assert rules.length_problem("facebook", False, "a" * 2001) is not None


@pytest.mark.parametrize(
    ("platform", "status", "answer", "result", "message_id"),
    [
        ("facebook", 200, {"recipient_id": "1", "message_id": "m_1"}, "sent", "m_1"),
        ("facebook", 200, {"id": "c_1"}, "sent", "c_1"),
        ("facebook", 200, {}, "refused", ""),
        ("facebook", 429, None, "retry", ""),
        ("facebook", 503, "not json", "retry", ""),
        ("facebook", 400, {"error": {"message": "limit", "code": 613}}, "retry", ""),
        ("facebook", 400, {"error": {"message": "window", "code": 10, "error_subcode": 2018278}}, "refused", ""),  # noqa: E501
        ("facebook", 400, {"error": {"message": "token", "code": 190}}, "refused", ""),
        ("x", 201, {"data": {"dm_conversation_id": "1-2", "dm_event_id": "99"}}, "sent", "99"),
        ("x", 201, {"data": {"id": "77", "text": "hi"}}, "sent", "77"),
        ("x", 429, {"title": "Too Many Requests"}, "retry", ""),
        ("x", 403, {"detail": "You cannot send messages to this user."}, "refused", ""),
    ],
)  # fmt: skip
def test_classify(platform, status, answer, result, message_id):
    outcome = rules.classify(platform, status, answer)
    assert (outcome.result, outcome.platform_message_id) == (result, message_id)


def test_compose_adds_the_invitation_after_a_blank_line():
    assert rules.compose(" Hi ", "DM us.") == "Hi\n\nDM us."
    assert rules.compose("Hi", None) == rules.compose("Hi", "  ") == "Hi"


def test_send_requests_quote_the_ids():
    path, _ = rules.send_request("facebook", "reply", "1", "a/b", "t")
    assert path == "/a%2Fb/comments"


@pytest.mark.parametrize(
    "payload",
    [None, [], "page", {"object": "page"}, {"object": "whatsapp_business_account", "entry": []}],
)
def test_meta_payloads_that_are_not_payloads_raise(payload):
    with pytest.raises(ValueError):
        payloads.parse_meta(payload)


def test_parsing_skips_bad_items_and_keeps_good_ones():
    payload = {
        "object": "page",
        "entry": [
            {"id": "1", "messaging": [
                {"sender": {"id": "2"}, "message": {"mid": "m1", "text": "ok"}},
                {"sender": {"id": "2"}, "message": {"mid": "m2", "text": 5}},
                {"sender": {"id": "2"}, "read": {"watermark": 1}},
            ]},
            {"id": None},
        ],
    }  # fmt: skip
    items = payloads.parse_meta(payload)
    assert [type(i).__name__ for i in items] == ["SocialEvent", "Ignored", "Ignored", "Ignored"]
    assert items[0].text == "ok" and items[0].kind == "dm"


def test_text_loses_nul_and_lone_surrogates():
    payload = {"object": "page", "entry": [{"id": "1", "messaging": [
        {"sender": {"id": "2"}, "message": {"mid": "m1", "text": "a\x00b\ud800c"}}]}]}  # fmt: skip
    [item] = payloads.parse_meta(payload)
    assert item.text == "ab?c"
