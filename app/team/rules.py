"""Pure rules of the team's side: quiz text format and scoring, meeting weeks, the weekly
figures from plain ticket rows, and the monthly ranking by affected users. No Flask, no
database, no clock."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.errors import DomainError

QUIZ_MAX_QUESTIONS = 20
QUIZ_MAX_CHOICES = 6


class QuizFormatError(DomainError):
    """The quiz text can't be read; the message says which line and why (field ``quiz``)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "quiz")


def parse_quiz(text: str) -> list[dict]:
    """Read a quiz written as text, one question per block::

        ? Which tier answers a Critical ticket first?
        - Tier 1 after 30 minutes
        * The appropriate tier at once
        - Tier 3 the next business day

    ``?`` starts a question, ``*`` marks the right choice, ``-`` a wrong one.

    :returns: ``[{"question", "choices", "answer"}]``.
    :raises QuizFormatError: a question without two choices or without exactly one right one.
    """
    questions: list[dict] = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        marker, rest = line[0], line[1:].strip()
        if marker == "?" and rest:
            questions.append({"question": rest, "choices": [], "answer": None})
        elif marker in "*-" and rest:
            if not questions:
                raise QuizFormatError(f"Line {number}: a choice before the first '? question'.")
            current = questions[-1]
            if marker == "*":
                if current["answer"] is not None:
                    raise QuizFormatError(f"Line {number}: a second right answer ('*').")
                current["answer"] = len(current["choices"])
            current["choices"].append(rest)
        else:
            raise QuizFormatError(
                f"Line {number}: start with '?' (question), '*' (right) or '-' (wrong)."
            )
    if not questions:
        raise QuizFormatError("Write at least one question ('? ...').")
    if len(questions) > QUIZ_MAX_QUESTIONS:
        raise QuizFormatError(f"At most {QUIZ_MAX_QUESTIONS} questions.")
    for item in questions:
        if not 2 <= len(item["choices"]) <= QUIZ_MAX_CHOICES:
            raise QuizFormatError(f"'{item['question']}' needs 2 to {QUIZ_MAX_CHOICES} choices.")
        if item["answer"] is None:
            raise QuizFormatError(f"'{item['question']}' has no right answer ('*').")
    return questions


def quiz_text(quiz: list[dict]) -> str:
    """The text form of a quiz (:func:`parse_quiz` reads it back to the same quiz)."""
    blocks = []
    for item in quiz:
        lines = [f"? {item['question']}"]
        lines += [
            f"{'*' if index == item['answer'] else '-'} {choice}"
            for index, choice in enumerate(item["choices"])
        ]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def score_quiz(quiz: list[dict], answers: list[int | None], pass_mark: int) -> tuple[int, bool]:
    """Percentage of right answers (rounded down) and whether it reaches ``pass_mark``.
    A missing or out-of-range answer counts as wrong."""
    if not quiz:
        return 100, True
    right = sum(
        1
        for index, item in enumerate(quiz)
        if index < len(answers) and answers[index] == item["answer"]
    )
    score = right * 100 // len(quiz)
    return score, score >= pass_mark


def week_start(day: date) -> date:
    """The Monday of ``day``'s week (meeting pages are per week, Monday to Sunday)."""
    return day - timedelta(days=day.weekday())


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def parse_month(text: str) -> date | None:
    """The first day of ``YYYY-MM``, or None when it isn't one."""
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except (ValueError, TypeError):
        return None


@dataclass(frozen=True)
class TicketRow:
    """What the weekly figures need of a ticket (times in UTC)."""

    created_at: datetime
    first_responded_at: datetime | None
    first_response_due_at: datetime | None
    solved_at: datetime | None
    sla_breached_at: datetime | None
    status: str


def week_figures(rows: list[TicketRow], start: datetime, end: datetime) -> dict:
    """The weekly meeting's figures for ``[start, end)``.

    - ``volume``: tickets created in the week.
    - ``first_response_median_minutes``: median time to the first agent reply of those
      answered in the week's tickets (None without any).
    - ``first_response_attainment``: share (percent) of the week's answered tickets answered
      by their due time.
    - ``sla_attainment``: share of tickets solved in the week that were never breached.
    - ``backlog``: tickets created before ``end`` still not solved or closed at ``end``.
    """
    created = [row for row in rows if start <= row.created_at < end]
    answered = [row for row in created if row.first_responded_at and row.first_responded_at < end]
    minutes = [(row.first_responded_at - row.created_at).total_seconds() / 60 for row in answered]
    on_time = [
        row
        for row in answered
        if row.first_response_due_at is None or row.first_responded_at <= row.first_response_due_at
    ]
    solved = [row for row in rows if row.solved_at and start <= row.solved_at < end]
    kept = [row for row in solved if row.sla_breached_at is None or row.sla_breached_at >= end]
    # Closed without a solve time (e.g. spam) never counted as work waiting.
    backlog = [
        row
        for row in rows
        if row.created_at < end
        and (row.solved_at is None or row.solved_at >= end)
        and not (row.status == "closed" and row.solved_at is None)
    ]
    return {
        "volume": len(created),
        "answered": len(answered),
        "first_response_median_minutes": round(statistics.median(minutes)) if minutes else None,
        "first_response_attainment": _percent(len(on_time), len(answered)),
        "solved": len(solved),
        "sla_attainment": _percent(len(kept), len(solved)),
        "backlog": len(backlog),
    }


def _percent(part: int, whole: int) -> int | None:
    return round(part * 100 / whole) if whole else None


def rank_by_affected(groups: dict[str, set[int]]) -> list[tuple[str, int]]:
    """Subjects ranked by distinct affected requesters, most first, then by name."""
    return sorted(((key, len(users)) for key, users in groups.items()), key=lambda x: (-x[1], x[0]))
