"""The forum's pure rules, from tables: trust levels, limits, rate limits, spam, flag weights."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.forum import rules
from app.forum.settings import DEFAULTS

LEVELS = DEFAULTS["FORUM_TRUST_LEVELS"]
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def act(days=0, read=0, posts=0, likes=0, flags=0) -> rules.Activity:
    return rules.Activity(days, read, posts, likes, flags)


@pytest.mark.parametrize(
    ("activity", "level"),
    [
        (act(), 0),
        (act(days=0.5, read=100, posts=10, likes=10), 0),  # too young for level 1
        (act(days=1, read=10, posts=1), 1),
        (act(days=1, read=9, posts=1), 0),
        (act(days=1, read=10, posts=0), 0),
        (act(days=1, read=10, posts=1, flags=3), 0),  # too many upheld flags
        (act(days=7, read=50, posts=5, likes=3), 2),
        (act(days=7, read=50, posts=5, likes=2), 1),
        (act(days=7, read=50, posts=5, likes=3, flags=2), 1),  # level 2 allows at most 1
        (act(days=30, read=200, posts=20, likes=10), 3),
        (act(days=30, read=200, posts=20, likes=10, flags=1), 2),
        (act(days=365, read=5, posts=100, likes=100), 0),  # levels are reached in order
    ],
)
def test_trust_level_table(activity, level):
    assert rules.trust_level(activity, LEVELS) == level


def test_next_level_lists_what_is_missing():
    activity = act(days=2, read=12, posts=3, likes=1)
    upcoming = rules.next_level(activity, LEVELS)
    assert upcoming["level"] == 2
    missing = {req.label: (req.have, req.need) for req in rules.requirements(activity, upcoming)
               if not req.met}  # fmt: skip
    assert missing == {
        "days since joining": (2, 7),
        "posts read": (12, 50),
        "posts made": (3, 5),
        "likes received": (1, 3),
    }
    assert rules.next_level(act(days=99, read=999, posts=99, likes=99), LEVELS) is None


@pytest.mark.parametrize(
    ("limits", "level", "expected"),
    [
        ({0: "a", 1: "b", 3: "d"}, 0, "a"),
        ({0: "a", 1: "b", 3: "d"}, 2, "b"),  # nearest lower level
        ({0: "a", 1: "b", 3: "d"}, 7, "d"),
        ({"0": "a", "1": "b"}, 1, "b"),  # keys from JSON configuration are strings
    ],
)
def test_level_limits(limits, level, expected):
    assert rules.level_limits(level, limits) == expected


@pytest.mark.parametrize(
    ("level", "approved", "premoderate", "expected"),
    [(0, 0, 2, True), (0, 1, 2, True), (0, 2, 2, False), (1, 0, 2, False), (0, 0, 0, False)],
)
def test_needs_premoderation(level, approved, premoderate, expected):
    assert rules.needs_premoderation(level, approved, premoderate) is expected


def _ago(*seconds):
    return [NOW - timedelta(seconds=s) for s in seconds]


@pytest.mark.parametrize(
    ("recent", "limit", "window", "wait"),
    [
        ([], 3, 300, 0),
        (_ago(10, 20), 3, 300, 0),
        (_ago(10, 20, 30), 3, 300, 270),  # the oldest of the three leaves in 270 s
        (_ago(10, 20, 290), 3, 300, 10),
        (_ago(10, 20, 300), 3, 300, 0),  # exactly a window ago no longer counts
        (_ago(5, 10, 20, 30, 400), 3, 300, 280),  # four inside: the 2nd oldest must leave
        (_ago(0), 1, 60, 60),
        (_ago(59.5), 1, 60, 1),  # rounded up, never "0 seconds"
    ],
)
def test_rate_limit_wait(recent, limit, window, wait):
    assert rules.rate_limit_wait(recent, NOW, limit, window) == wait


SPAM = {"max_links": 2, "blocked_words": ["casino", "crypto giveaway"],
        "blocked_domains": ["spam.example"]}  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("My tomatoes wilt, help!", []),
        ("See https://a.example and https://b.example", []),
        ("https://a.example https://b.example www.c.example", ["3 links (at most 2"]),
        ("[guide](https://a.example/x) and <https://b.example> and https://c.example", ["3 links"]),
        ("Visit our CASINO tonight", ["blocked words: casino"]),
        ("occasional casinos", []),  # whole words only
        ("a crypto giveaway!", ["blocked words: crypto giveaway"]),
        ("https://spam.example/x", ["blocked domains: spam.example"]),
        ("https://www.spam.example/x", ["blocked domains: spam.example"]),
        ("https://notspam.example/x", []),
    ],
)
def test_spam_reasons(text, expected):
    found = rules.spam_reasons(text, **SPAM)
    assert len(found) == len(expected)
    for reason, start in zip(found, expected, strict=True):
        assert reason.startswith(start)


QUOTED = "Ana wrote:\n> Try https://a.example and https://b.example\n> or www.c.example\n\n"


@pytest.mark.parametrize(
    ("text", "quotable", "expected"),
    [
        # Links quoted from the thread don't count; the reply's own links do.
        (QUOTED + "Thanks!", {"https://a.example", "https://b.example", "www.c.example"}, []),
        (
            QUOTED + "Also https://d.example",
            {"https://a.example", "https://b.example", "www.c.example"},
            [],
        ),
        (
            QUOTED + "https://d.example https://e.example https://f.example",
            {"https://a.example", "https://b.example", "www.c.example"},
            ["3 links (at most 2"],
        ),
        # A made-up quote (links no post of the thread has) counts like any text.
        (QUOTED, set(), ["3 links (at most 2"]),
        (
            "  > https://a.example\n>https://b.example\nhttps://c.example",
            {"https://a.example", "https://b.example"},
            [],
        ),
        # Quoting never hides a blocked domain.
        ("> https://spam.example/x", {"https://spam.example/x"}, ["blocked domains"]),
    ],
)
def test_quoted_links_do_not_count(text, quotable, expected):
    found = rules.spam_reasons(text, **SPAM, quotable_links=quotable)
    assert [r for r in found if not any(r.startswith(e) for e in expected)] == []
    assert len(found) == len(expected)


@pytest.mark.parametrize(
    ("text", "images"),
    [("![leaf](https://x.example/a.png)", True), ('<img src="x">', True), ("[a](b)", False)],
)
def test_has_images(text, images):
    assert rules.has_images(text) is images


WEIGHTS = {0: 1.0, 1: 1.5, 2: 2.0, 3: 3.0}


@pytest.mark.parametrize(
    ("level", "upheld", "dismissed", "moderator", "weight"),
    [
        (0, 0, 0, False, 1.0),
        (1, 0, 0, False, 1.5),
        (3, 0, 0, False, 3.0),
        (0, 8, 0, False, 1.8),  # reliable flagger: 2 * 9/10
        (0, 0, 8, False, 0.2),  # unreliable flagger: 2 * 1/10
        (2, 1, 1, False, 2.0),
        (7, 0, 0, False, 3.0),  # above the table: the highest level's weight
        (0, 0, 50, True, 10.0),  # moderators always weigh the moderator weight
    ],
)
def test_flag_weight(level, upheld, dismissed, moderator, weight):
    assert rules.flag_weight(
        level,
        upheld=upheld,
        dismissed=dismissed,
        is_moderator=moderator,
        weights=WEIGHTS,
        moderator_weight=10.0,
    ) == pytest.approx(weight)


@pytest.mark.parametrize(
    ("level", "days", "full_days", "moderator", "weight"),
    [
        (0, 0.0, 3, False, 0.0),  # registered this second: nothing
        (0, 1 / 24, 3, False, 1 / 72),  # an hour old
        (1, 1.5, 3, False, 0.75),  # half-way
        (1, 3.0, 3, False, 1.5),  # full weight from the configured age on
        (3, 400.0, 3, False, 3.0),
        (0, 0.0, 0, False, 1.0),  # discount turned off
        (0, 0.0, 3, True, 10.0),  # a new moderator account still weighs the moderator weight
    ],
)
def test_flag_weight_grows_with_account_age(level, days, full_days, moderator, weight):
    assert rules.flag_weight(
        level,
        upheld=0,
        dismissed=0,
        is_moderator=moderator,
        weights=WEIGHTS,
        moderator_weight=10.0,
        account_days=days,
        full_weight_days=full_days,
    ) == pytest.approx(weight, abs=0.001)


@pytest.mark.parametrize(
    ("flags", "staff_author", "hidden"),
    [
        # flags as (weight, flagger's trust level)
        ([(1.0, 0)], False, False),
        ([(1.0, 0)] * 4, False, False),
        ([(1.0, 0)] * 5, False, False),  # five new members: level 0 alone never hides
        ([(1.0, 0)] * 50, False, False),
        ([(1.0, 0)] * 4 + [(1.5, 1)], False, True),  # one basic member completes it
        ([(3.0, 3), (1.8, 0)], False, False),  # 4.8 < 5
        ([(3.0, 3), (2.0, 2)], False, True),  # a regular and a member
        ([(10.0, 3)], False, True),  # a moderator
        ([(10.0, 3)], True, False),  # ... but never a staff member's post
        ([(3.0, 3)] * 5, True, False),
        ([(0.2, 1)] * 20, False, False),  # unreliable flaggers barely count
    ],
)
def test_auto_hide(flags, staff_author, hidden):
    assert (
        rules.should_auto_hide(
            sum(weight for weight, _ in flags),
            5.0,
            highest_level=max(level for _, level in flags),
            min_level=1,
            author_is_staff=staff_author,
        )
        is hidden
    )


@pytest.mark.parametrize(
    ("text", "visible"),
    [
        ("", False),
        ("   \t\n", False),
        ("\u200b\u200c\u200d\u2060\ufeff", False),  # zero-width characters and BOM
        ("\x00\x01\x7f", False),  # controls
        ("\u3164\u115f\u1160\uffa0\u2800", False),  # fillers and the braille blank
        ("\u0301\u034f\u00ad", False),  # combining marks, soft hyphen
        ("\u200ba\u200b", True),
        ("é", True),
        ("🌱", True),
        ("日本", True),
    ],
)
def test_has_visible_text(text, visible):
    assert rules.has_visible_text(text) is visible


def test_clean_title_drops_controls_and_folds_white_space():
    assert rules.clean_title(" Aphids\x00 on\t the\n roses ") == "Aphids on the roses"
