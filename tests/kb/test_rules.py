"""Pure knowledge-base rules, from tables."""

from __future__ import annotations

import pytest

from app.kb import rules


@pytest.mark.parametrize(
    ("agent", "bot"),
    [
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0)", False),
        ("Mozilla/5.0 HeadlessChrome/120", False),
        ("Googlebot/2.1 (+http://www.google.com/bot.html)", True),
        ("Mozilla/5.0 (compatible; bingbot/2.0)", True),
        ("Baiduspider", True),
        ("", True),
        (None, True),
    ],
)
def test_is_bot(agent, bot):
    assert rules.is_bot(agent) is bot


@pytest.mark.parametrize(
    ("raw", "tags"),
    [("A, b ,a,,c", ["a", "b", "c"]), (["X", "y"], ["x", "y"]), (None, []), ("", [])],
)
def test_parse_tags(raw, tags):
    assert rules.parse_tags(raw) == tags


def test_split_steps():
    split = rules.split_steps(
        "Intro.\n\n## Step 1: Restart\n\nDo it.\n\n## Step 2: Update\n\nNow.\n"
    )
    assert split.intro == "Intro."
    assert [(step.number, step.title, step.markdown) for step in split.steps] == [
        (1, "Restart", "Do it."),
        (2, "Update", "Now."),
    ]


@pytest.mark.parametrize(
    "body", ["No steps.", "## Step 2: Wrong start\n\nx", "## Step 1: A\n\n## Step 3: C\n"]
)
def test_split_steps_refuses(body):
    with pytest.raises(rules.ContentError):
        rules.split_steps(body)


def test_split_faq():
    split = rules.split_faq("## Why?\n\nBecause.\n\n## How?\n\nLike this.\n")
    assert [(item.question, item.markdown) for item in split.faq] == [
        ("Why?", "Because."),
        ("How?", "Like this."),
    ]
    with pytest.raises(rules.ContentError):
        rules.split_faq("Just text.")


def test_parse_transcript():
    cues = rules.parse_transcript("[00:00] Hi.\n[01:05] Later\n  and more.\n")
    assert [(cue.seconds, cue.label, cue.text) for cue in cues] == [
        (0, "00:00", "Hi."),
        (65, "01:05", "Later and more."),
    ]
    with pytest.raises(rules.ContentError):
        rules.parse_transcript("[01:00] b\n[00:30] a\n")


@pytest.mark.parametrize(
    "video",
    [
        None,
        {"duration": 10},
        {"src": "/v.mp4", "duration": "x"},
        {"src": "/v.mp4", "duration": 10, "chapters": [{"start": 20, "title": "Late"}]},
        {
            "src": "/v.mp4",
            "duration": 60,
            "chapters": [{"start": 9, "title": "B"}, {"start": 1, "title": "A"}],
        },
    ],
)
def test_validate_video_refuses(video):
    with pytest.raises(rules.ContentError):
        rules.validate_video(video)


def test_diff_rows():
    old = "\n".join(f"line {n}" for n in range(1, 11))
    new = old.replace("line 5", "line five")
    rows = rules.diff_rows(old, new, context=1)
    kinds = [row.kind if row else None for row in rows]
    assert kinds == [None, "same", "del", "ins", "same", None]
    assert rows[2].old_number == 5 and rows[3].new_number == 5
    assert rules.diff_rows("same\n", "same\n") == []
