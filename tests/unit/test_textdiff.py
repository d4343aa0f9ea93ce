"""Word marks inside changed lines of a revision diff."""

from __future__ import annotations

import pytest

from app.textdiff import MAX_LINE, Part, word_changes


def _marked(parts):
    return [part.text for part in parts if part.changed]


@pytest.mark.parametrize(
    ("old", "new", "old_marked", "new_marked"),
    [
        # A word inserted: nothing on the old side is marked.
        ("Tap Save to keep it.", "Tap Save now to keep it.", [], [" now"]),
        # A word replaced inside Markdown emphasis: only the word, not the asterisks.
        ("Tap **Save**.", "Tap **Keep**.", ["Save"], ["Keep"]),
        ("Water every 3 days", "Water every 5 days", ["3"], ["5"]),
        # Two changes far apart stay two marks.
        (
            "Open Settings, then tap Billing and Update card.",
            "Open Profile, then tap Billing and Replace card.",
            ["Settings", "Update"],
            ["Profile", "Replace"],
        ),
        # A rewrite is marked whole rather than word by word.
        ("Restart the app.", "Contact support by e-mail instead.", ["Restart the app."],
         ["Contact support by e-mail instead."]),
        ("", "New line", [], ["New line"]),
        ("Gone", "", ["Gone"], []),
    ],
)  # fmt: skip
def test_changed_words_are_marked(old, new, old_marked, new_marked):
    old_parts, new_parts = word_changes(old, new)
    assert "".join(part.text for part in old_parts) == old
    assert "".join(part.text for part in new_parts) == new
    assert _marked(old_parts) == old_marked
    assert _marked(new_parts) == new_marked


def test_unchanged_line_has_no_marks():
    assert word_changes("Same", "Same") == ([Part("Same", False)], [Part("Same", False)])


def test_very_long_lines_are_marked_whole():
    old, new = "a " * MAX_LINE, "b " * MAX_LINE
    assert word_changes(old, new) == ([Part(old, True)], [Part(new, True)])


def test_neighbouring_parts_are_joined():
    old_parts, new_parts = word_changes("one two three", "one 2 3")
    # "two", the space and "three" changed together: one mark, not three.
    assert new_parts == [Part("one ", False), Part("2 3", True)]
    assert old_parts == [Part("one ", False), Part("two three", True)]
