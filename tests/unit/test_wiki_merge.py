"""The pure wiki rules: three-way merge, slugs, the review rule, wiki links and diff rows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.wiki import rules
from app.wiki.merge import merge

BASE = """# Watering

Water basil every morning.

Tomatoes need deep watering twice a week.

# Light

Basil wants six hours of sun.
"""


@pytest.mark.parametrize(
    ("theirs", "yours", "expected"),
    [
        # different paragraphs of one section
        (
            BASE.replace("every morning", "every evening"),
            BASE.replace("twice a week", "three times a week"),
            BASE.replace("every morning", "every evening").replace(
                "twice a week", "three times a week"
            ),
        ),
        # different sections
        (
            BASE.replace("every morning", "every evening"),
            BASE.replace("six hours", "eight hours"),
            BASE.replace("every morning", "every evening").replace("six hours", "eight hours"),
        ),
        # only one side changed
        (BASE, BASE.replace("six hours", "8 hours"), BASE.replace("six hours", "8 hours")),
        (BASE.replace("six hours", "8 hours"), BASE, BASE.replace("six hours", "8 hours")),
        # both made the same change
        (
            BASE.replace("Basil", "Sweet basil"),
            BASE.replace("Basil", "Sweet basil"),
            BASE.replace("Basil", "Sweet basil"),
        ),
        # an insertion at the top and an append at the end
        ("Intro.\n\n" + BASE, BASE + "\nEnd.\n", "Intro.\n\n" + BASE + "\nEnd.\n"),
        # a deleted paragraph and an edit elsewhere
        (
            BASE.replace("Tomatoes need deep watering twice a week.\n\n", ""),
            BASE.replace("six hours", "eight hours"),
            BASE.replace("Tomatoes need deep watering twice a week.\n\n", "").replace(
                "six hours", "eight hours"
            ),
        ),
    ],
)
def test_clean_merges(theirs, yours, expected):
    result = merge(BASE, theirs, yours)
    assert result.clean
    assert result.text == expected


def test_same_paragraph_is_a_conflict_with_both_sides():
    result = merge(
        BASE,
        BASE.replace("every morning", "every evening"),
        BASE.replace("every morning", "at noon"),
    )
    assert result.text is None
    [conflict] = result.conflicts
    assert conflict.start_line == 3
    assert conflict.base == "Water basil every morning.\n"
    assert conflict.theirs == "Water basil every evening.\n"
    assert conflict.yours == "Water basil at noon.\n"


def test_adjacent_lines_conflict_rather_than_merge_silently():
    base = "one\ntwo\nthree\n"
    result = merge(base, "ONE\ntwo\nthree\n", "one\nTWO\nthree\n")
    assert not result.clean


def test_both_appending_different_text_conflicts():
    result = merge(BASE, BASE + "\nTheirs.\n", BASE + "\nYours.\n")
    assert not result.clean
    assert "Yours." in result.conflicts[0].yours


def test_edit_against_deletion_conflicts():
    result = merge(
        BASE,
        BASE.replace("Water basil every morning.\n\n", ""),
        BASE.replace("every morning", "daily"),
    )
    assert not result.clean
    assert result.conflicts[0].theirs == ""


def test_missing_final_newline_and_crlf_are_normalised():
    result = merge("a\r\nb", "a\nb\nc", "A\nb")
    assert result.text == "A\nb\nc\n"


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Watering basil", "watering-basil"),
        ("  Pests:   aphids & mites! ", "pests-aphids-mites"),
        ("Größe der Töpfe", "größe-der-töpfe"),
        ("snake_case title", "snake-case-title"),
        ("!!!", ""),
    ],
)
def test_slugify(title, slug):
    assert rules.slugify(title) == slug


@pytest.mark.parametrize(
    ("title", "problem"),
    [("", "Enter a title"), ("new", "reserved"), ("Watchlist", "reserved"),
     ("???", "letter or digit"), ("x" * 201, "at most"), ("Fine title", None)],
)  # fmt: skip
def test_title_problems(title, problem):
    found = rules.title_problem(title)
    assert (found is None) if problem is None else (problem in found)


@pytest.mark.parametrize(
    ("trusted", "age_days", "accepted", "first", "days", "held"),
    [
        (False, 1, 0, 0, 7, False),  # rule off
        (False, 1, 0, 2, 7, True),
        (False, 1, 1, 2, 7, True),
        (False, 1, 2, 2, 7, False),  # enough approved edits
        (False, 8, 0, 2, 7, False),  # old enough
        (True, 1, 0, 2, 7, False),  # contributors and up are trusted
    ],
)
def test_needs_review(trusted, age_days, accepted, first, days, held):
    assert (
        rules.needs_review(
            trusted=trusted,
            account_age=timedelta(days=age_days),
            accepted_edits=accepted,
            review_first_edits=first,
            new_account_days=days,
        )
        is held
    )


def test_wikilinks_skip_code_and_take_labels():
    body = "See [[Basil care|basil]] and `[[Not a link]]`.\n```\n[[Nor this]]\n```\n[[Tomatoes]]\n"
    assert rules.wikilink_targets(body) == ["Basil care", "Tomatoes"]
    out = rules.replace_wikilinks(body, lambda title, label: f"<{title}|{label}>")
    assert "<Basil care|basil>" in out and "`[[Not a link]]`" in out and "[[Nor this]]" in out


def test_link_html_escapes():
    html = rules.link_html('/wiki/new?title=a"b', "<b>x</b>", missing=True)
    assert "&lt;b&gt;" in html and "&quot;" in html and 'class="wikilink-missing"' in html


def test_diff_rows_mark_changes_and_skip_context():
    old = "".join(f"line {n}\n" for n in range(1, 21))
    new = old.replace("line 10\n", "line ten\n") + "line 21\n"
    rows = rules.diff_rows(old, new, context=1)
    kinds = [row.kind for row in rows]
    assert kinds == ["skip", "equal", "change", "equal", "skip", "equal", "insert"]
    change = rows[2]
    assert (change.old_number, change.old_text, change.new_text) == (10, "line 10", "line ten")
    assert rules.diff_rows("same\n", "same\n") == []
