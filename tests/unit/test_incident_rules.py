"""The crisis feature's pure rules from tables: placeholders, the update timer, the breach
clock and drill reports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.incidents import rules

T = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
M = timedelta(minutes=1)


@pytest.mark.parametrize(
    ("text", "values", "missing"),
    [
        ("Next update by {next_update}.", {"next_update": "11:30"}, []),
        ("Next update by {next_update}.", {"next_update": "  "}, ["next_update"]),
        ("{title}: {workaround_link} {title}", {"title": "Down"}, ["workaround_link"]),
        ("No placeholders at all.", {}, []),
        ("{unknown} stays unfilled", {"title": "x"}, ["unknown"]),
    ],
)
def test_missing_values(text, values, missing):
    assert rules.missing_values(text, values) == missing


def test_fill_puts_trimmed_values_in():
    assert rules.fill(
        "{title} until {next_update}", {"title": " Down ", "next_update": "11:30"}
    ) == ("Down until 11:30")


@pytest.mark.parametrize(
    ("now", "reminded", "missed", "action"),
    [
        (T + 19 * M, None, None, None),
        (T + 20 * M, None, None, "remind"),
        (T + 25 * M, T + 30 * M, None, None),
        (T + 29 * M, T + 30 * M, None, None),
        (T + 30 * M, T + 30 * M, None, "miss"),
        (T + 30 * M, None, None, "miss"),
        (T + 45 * M, T + 30 * M, T + 30 * M, None),
        (T + 21 * M, T, T, "remind"),  # an earlier due time's marks don't count
    ],
)
def test_timer_action(now, reminded, missed, action):
    assert rules.timer_action(now, T + 30 * M, 10, reminded, missed) == action


def test_no_due_time_no_timer():
    assert rules.timer_action(T, None, 10, None, None) is None


@pytest.mark.parametrize(
    ("notified_after", "now_after", "overdue", "remaining"),
    [
        (None, timedelta(hours=71, minutes=59), False, M),
        (None, timedelta(hours=72), False, timedelta(0)),
        (None, timedelta(hours=72, minutes=1), True, -M),
        (timedelta(hours=10), timedelta(hours=100), False, timedelta(hours=62)),
        (timedelta(hours=73), timedelta(hours=100), True, -timedelta(hours=1)),
    ],
)
def test_breach_clock(notified_after, now_after, overdue, remaining):
    notified = T + notified_after if notified_after is not None else None
    clock = rules.breach_clock(T, notified, T + now_after, 72)
    assert clock.deadline == T + timedelta(hours=72)
    assert (clock.overdue, clock.remaining) == (overdue, remaining)


def test_drill_report_counts_punctuality_misses_and_people():
    E = rules.EntryFacts
    entries = [
        E("declared", T, None, "Ana"),
        E("reminder", T + 20 * M, T + 30 * M, None),
        E("update", T + 28 * M, T + 30 * M, "Ana"),
        E("missed", T + 58 * M, T + 58 * M, None),
        E("update", T + 63 * M, T + 58 * M, "Ben"),
        E("resolved", T + 80 * M, T + 93 * M, "Ana"),
    ]
    report = rules.drill_report(T - 12 * M, T, entries)
    assert report.time_to_declare == 12 * M
    assert report.time_to_first_update == 28 * M
    assert (report.updates_on_time, report.updates_late, report.misses) == (2, 1, 1)
    assert report.worst_lateness == 5 * M
    assert report.people == ("Ana", "Ben")


def test_template_files_parse_into_their_sections():
    sections, problems = rules.parse_template_file(
        "## banner\nB {title}\n## declare\nD\n## update\nU\n## resolve\nR\n## autoreply\nA\n"
    )
    assert problems == [] and sections["banner"] == "B {title}" and sections["autoreply"] == "A"


@pytest.mark.parametrize("name", ["outage", "degraded", "data_breach", "security", "billing"])
def test_the_shipped_template_files_are_usable(name):
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "content" / "incidents" / f"{name}.md"
    _, problems = rules.parse_template_file(path.read_text())
    assert problems == []


@pytest.mark.parametrize(
    ("delta", "text"),
    [(timedelta(minutes=125), "2 h 05 min"), (-timedelta(minutes=10), "-0 h 10 min"),
     (timedelta(0), "0 h 00 min")],
)  # fmt: skip
def test_duration_text(delta, text):
    assert rules.duration_text(delta) == text
