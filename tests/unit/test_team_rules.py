"""The team's pure rules from tables: the quiz text format, scoring, weeks and the figures."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.team import rules
from app.team.rules import QuizFormatError, TicketRow

QUIZ = """
? Which tier answers first?
- Tier 3
* Tier 1

? Critical tickets go...
* at once to the tier that can act
- after 30 minutes
- next business day
"""


def test_parse_quiz_and_back():
    quiz = rules.parse_quiz(QUIZ)
    assert quiz == [
        {"question": "Which tier answers first?", "choices": ["Tier 3", "Tier 1"], "answer": 1},
        {
            "question": "Critical tickets go...",
            "choices": ["at once to the tier that can act", "after 30 minutes",
                        "next business day"],
            "answer": 0,
        },
    ]  # fmt: skip
    assert rules.parse_quiz(rules.quiz_text(quiz)) == quiz


@pytest.mark.parametrize("text, message", [
    ("", "at least one question"),
    ("* right", "Line 1: a choice before"),
    ("? Q\n* a\n* b", "Line 3: a second right answer"),
    ("? Q\n- a\n- b", "has no right answer"),
    ("? Q\n* a", "needs 2 to 6 choices"),
    ("? Q\n* a\nb", "Line 3: start with"),
])  # fmt: skip
def test_parse_quiz_refuses(text, message):
    with pytest.raises(QuizFormatError, match=message):
        rules.parse_quiz(text)


@pytest.mark.parametrize("answers, pass_mark, expected", [
    ([1, 0], 100, (100, True)),
    ([1, 1], 100, (50, False)),
    ([1, 1], 50, (50, True)),
    ([0], 50, (0, False)),
    ([1, None], 50, (50, True)),
    ([9, 9], 1, (0, False)),
])  # fmt: skip
def test_score_quiz(answers, pass_mark, expected):
    assert rules.score_quiz(rules.parse_quiz(QUIZ), answers, pass_mark) == expected


@pytest.mark.parametrize("day, monday", [
    (date(2026, 12, 7), date(2026, 12, 7)),
    (date(2026, 12, 13), date(2026, 12, 7)),
    (date(2026, 12, 14), date(2026, 12, 14)),
    (date(2027, 1, 1), date(2026, 12, 28)),
])  # fmt: skip
def test_week_start(day, monday):
    assert rules.week_start(day) == monday


@pytest.mark.parametrize("text, expected", [
    ("2026-12", date(2026, 12, 1)), ("2026-13", None), ("26", None), ("x-y", None), ("", None),
])  # fmt: skip
def test_parse_month(text, expected):
    assert rules.parse_month(text) == expected


START = datetime(2026, 11, 30, tzinfo=UTC)
END = START + timedelta(days=7)


def _row(created_h, first_h=None, due_h=None, solved_h=None, breached_h=None, status="open"):
    def at(hours):
        return None if hours is None else START + timedelta(hours=hours)

    return TicketRow(at(created_h), at(first_h), at(due_h), at(solved_h), at(breached_h), status)


def test_week_figures():
    rows = [
        _row(1, first_h=2, due_h=5, solved_h=10, status="solved"),  # 60 min, on time, kept SLA
        _row(3, first_h=9, due_h=4, solved_h=20, breached_h=15, status="solved"),  # late, breached
        _row(5),  # unanswered, open: backlog
        _row(-48, first_h=-47, due_h=-40),  # last week's, still open: backlog, not volume
        _row(-48, solved_h=-24, status="closed"),  # solved before the week: nothing
        _row(200),  # after the week: nothing
        _row(-10, status="closed"),  # closed without a solve (spam): not backlog
        _row(6, first_h=6.5, due_h=7, solved_h=200, status="solved"),  # solved after: backlog
    ]
    assert rules.week_figures(rows, START, END) == {
        "volume": 4,
        "answered": 3,
        "first_response_median_minutes": 60,
        "first_response_attainment": 67,
        "solved": 2,
        "sla_attainment": 50,
        "backlog": 3,
    }


def test_week_figures_of_an_empty_week():
    figures = rules.week_figures([], START, END)
    assert figures["volume"] == 0 and figures["first_response_median_minutes"] is None
    assert figures["sla_attainment"] is None and figures["backlog"] == 0


def test_rank_by_affected():
    groups = {"dark mode": {1, 2, 3}, "export csv": {4}, "calendar": {5, 6, 7}}
    assert rules.rank_by_affected(groups) == [("calendar", 3), ("dark mode", 3), ("export csv", 1)]
