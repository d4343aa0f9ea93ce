"""The pure rules, from tables."""

from __future__ import annotations

import pytest

from app.search import rules


@pytest.mark.parametrize(
    ("text", "words", "phrases"),
    [
        ("Reset Password", ("reset", "password"), ()),
        ('"reset link" email', ("email",), (("reset", "link"),)),
        ('"single"', ("single",), ()),
        ('unclosed "quote here', ("unclosed", "quote"), ()),
        ("why don't my reminders show up", ("reminders", "show"), ()),
        ("how do I", ("how", "do", "i"), ()),  # nothing but question words: kept
        ("water water", ("water",), ()),
        ("", (), ()),
        ("<script>alert(1)</script>", ("script", "alert", "1"), ()),
    ],
)
def test_parse_query(text, words, phrases):
    parsed = rules.parse_query(text)
    assert parsed.words == words
    assert parsed.phrases == phrases


def test_parse_query_bounds_work():
    parsed = rules.parse_query(" ".join(f"w{i}" for i in range(50)))
    assert len(parsed.words) == rules.MAX_TERMS


@pytest.mark.parametrize(
    ("raw", "logged"),
    [
        ("  Reset   PASSWORD ", "reset password"),
        ("my email is ana@example.com help", "my email is [email] help"),
        ("order 1234 5678 9012 refund", "order [number] refund"),
        ("version 2.1", "version 2.1"),
    ],
)
def test_normalise_for_log_masks_personal_data(raw, logged):
    assert rules.normalise_for_log(raw) == logged


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("pasword", "password", 1), ("password", "password", 0), ("pasword", "passwrod", 2),
     ("teh", "the", 1), ("abc", "xyzxyz", 3), ("garden", "gardne", 1)],
)  # fmt: skip
def test_edit_distance(a, b, distance):
    assert rules.edit_distance(a, b) == distance


@pytest.mark.parametrize(
    ("word", "candidates", "expected"),
    [
        ("pasword", [("password", 5), ("passport", 9)], "password"),
        ("password", [("password", 5)], None),
        ("tomatoe", [("tomato", 3), ("tomatoes", 8)], "tomatoes"),
        ("cat", [("car", 9)], None),  # too short to correct
        ("gardening", [("hardening", 1), ("garden", 3)], "hardening"),
        ("xyzzy", [("water", 5)], None),
    ],
)
def test_best_correction(word, candidates, expected):
    assert rules.best_correction(word, candidates) == expected


def test_snippet_escapes_everything_but_marks():
    html = rules.highlight('Use <script>alert("x")</script> to install & water', ["install"])
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<mark>install</mark>" in html
    assert "&amp;" in html


def test_snippet_prefix_and_window():
    text = "filler " * 200 + "the organization of beds " + "filler " * 200
    html = rules.highlight(text, ["organi"], width=100)
    assert "<mark>organization</mark>" in html
    assert html.startswith("…") and html.endswith("…")


def test_snippet_without_match_is_the_start():
    assert rules.highlight("Plain text here", ["zzz"]) == "Plain text here"


@pytest.mark.parametrize(
    ("text", "words", "codes"),
    [
        ("Reset your password", ["reset", "your", "password"], []),
        ("fr-12-3-580e817bcb", ["fr", "12", "3", "580e817bcb"], [(0, "fr-12-3-580e817bcb")]),
        ("Error SYNC-403.", ["error", "sync", "403"], [(1, "sync-403")]),
        ("update to v2.3.1, then", ["update", "to", "v2", "3", "1", "then"], [(2, "v2.3.1")]),
        ("E_SYNC_TIMEOUT", ["e", "sync", "timeout"], [(0, "e_sync_timeout")]),
        ("e-mail -- and _x_", ["e", "mail", "and", "x"], [(0, "e-mail")]),
        ("a--b", ["a", "b"], []),  # a double connector separates words
    ],
)
def test_tokenize_words_and_codes(text, words, codes):
    tokens = rules.tokenize(text)
    assert tokens.words == words
    assert tokens.codes == codes


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("SYNC-403 why", ("sync-403",)),
        ("fr-12-3-58", ("fr-12-3-58",)),
        ('"error SYNC-403" v2.3', ("v2.3",)),
    ],
)
def test_parse_query_keeps_codes_whole(text, words):
    assert rules.parse_query(text).words == words


def test_parse_query_phrase_words_are_split_like_the_index():
    assert rules.parse_query('"error SYNC-403" now').phrases == (("error", "sync", "403"),)
