"""Common-issues report rules (pure functions: no Flask, no database, no clock): report
periods, rising terms, changes against the previous period, and the CSV and Markdown forms.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

WEEKLY, MONTHLY = "weekly", "monthly"
KINDS = (WEEKLY, MONTHLY)

#: Words too common to be a topic (English; ticket subjects and thread titles are short).
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "after",
        "again",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "app",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "but",
        "by",
        "can",
        "cannot",
        "could",
        "did",
        "do",
        "does",
        "doesn't",
        "don't",
        "for",
        "from",
        "get",
        "gets",
        "getting",
        "got",
        "had",
        "has",
        "have",
        "how",
        "i",
        "i'm",
        "if",
        "in",
        "into",
        "is",
        "isn't",
        "it",
        "it's",
        "its",
        "just",
        "me",
        "my",
        "no",
        "not",
        "now",
        "of",
        "on",
        "or",
        "our",
        "out",
        "please",
        "so",
        "some",
        "still",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "this",
        "to",
        "too",
        "up",
        "us",
        "was",
        "wasn't",
        "we",
        "what",
        "when",
        "where",
        "which",
        "while",
        "why",
        "will",
        "with",
        "won't",
        "work",
        "working",
        "would",
        "you",
        "your",
    ]
)
_WORD = re.compile(r"[a-z][a-z0-9'-]{2,}")


@dataclass(frozen=True)
class Period:
    """A report period ``[start, end)`` (UTC) and the one before it, of the same kind."""

    kind: str
    start: datetime
    end: datetime
    previous_start: datetime

    @property
    def label(self) -> str:
        if self.kind == MONTHLY:
            return self.start.strftime("%B %Y")
        last = self.end - timedelta(days=1)
        return f"Week {self.start:%G-W%V} ({self.start:%d %b} – {last:%d %b %Y})"  # noqa: RUF001

    @property
    def key(self) -> str:
        """What makes a sent report unique: ``weekly-2026-11-16``."""
        return f"{self.kind}-{self.start:%Y-%m-%d}"


def last_complete_period(kind: str, now: datetime) -> Period:
    """The last full ISO week (Monday to Monday) or calendar month before ``now`` (UTC)."""
    now = now.astimezone(UTC)
    if kind == WEEKLY:
        this_monday = datetime(now.year, now.month, now.day, tzinfo=UTC) - timedelta(
            days=now.weekday()
        )
        start = this_monday - timedelta(days=7)
        return Period(WEEKLY, start, this_monday, start - timedelta(days=7))
    if kind == MONTHLY:
        end = datetime(now.year, now.month, 1, tzinfo=UTC)
        start = _month_before(end)
        return Period(MONTHLY, start, end, _month_before(start))
    raise ValueError(f"unknown report kind {kind!r}")


def period_starting(kind: str, start: datetime) -> Period:
    """The period of ``kind`` that starts at ``start`` (a Monday or a month's first day)."""
    after = start + (timedelta(days=7) if kind == WEEKLY else timedelta(days=32))
    return last_complete_period(kind, after)


def _month_before(first: datetime) -> datetime:
    previous = first - timedelta(days=1)
    return datetime(previous.year, previous.month, 1, tzinfo=UTC)


def terms(texts: Iterable[str]) -> Counter:
    """Topic words of short texts, each counted once per text (a subject repeating a word is
    still one request about it)."""
    counts: Counter = Counter()
    for text in texts:
        words = {w.strip("'-") for w in _WORD.findall(text.lower())}
        counts.update(w for w in words if w and w not in STOPWORDS)
    return counts


@dataclass(frozen=True)
class Change:
    """One row of a comparison: this period, the one before, and the difference."""

    label: str
    current: int
    previous: int

    @property
    def change(self) -> int:
        return self.current - self.previous

    @property
    def change_percent(self) -> float | None:
        return 100.0 * self.change / self.previous if self.previous else None


def compare(current: dict[str, int], previous: dict[str, int], labels: dict[str, str]) -> list:
    """Every key of either period (and every labelled one), largest current count first."""
    keys = dict.fromkeys([*labels, *current, *previous])
    rows = [Change(labels.get(k, k), current.get(k, 0), previous.get(k, 0)) for k in keys]
    return sorted(rows, key=lambda row: (-row.current, -row.previous, row.label))


def rising(current: Counter, previous: Counter, limit: int = 10, minimum: int = 2) -> list:
    """The terms that grew most (at least ``minimum`` uses now), largest rise first."""
    rows = [
        Change(term, count, previous.get(term, 0))
        for term, count in current.items()
        if count >= minimum and count > previous.get(term, 0)
    ]
    return sorted(rows, key=lambda row: (-row.change, -row.current, row.label))[:limit]


@dataclass
class Report:
    """Everything one common-issues report says; each section is a list of rows."""

    period: Period
    volume: dict[str, list[Change]] = field(default_factory=dict)
    rising_topics: list[Change] = field(default_factory=list)
    searches_without_results: list[tuple[str, int]] | None = None
    guide_give_ups: list[tuple[str, int, int, int]] = field(default_factory=list)
    worst_articles: list[tuple[str, int, int]] = field(default_factory=list)
    feature_requests: list[tuple[str, str, int]] = field(default_factory=list)
    bad_reasons: list[tuple[str, int]] = field(default_factory=list)
    csat: tuple[int, int, int] = (0, 0, 0)


def _signed(value: int) -> str:
    return f"+{value}" if value > 0 else str(value)


def _md_cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(headers: list[str], rows: list[list[object]]) -> list[str]:
    if not rows:
        return ["None in this period.", ""]
    lines = ["| " + " | ".join(headers) + " |", "|" + " --- |" * len(headers)]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return [*lines, ""]


def sections(report: Report) -> list[tuple[str, list[str], list[list[object]]]]:
    """``(title, headers, rows)`` of every section, in order (shared by Markdown and CSV)."""
    out = []
    for dimension, rows in report.volume.items():
        out.append(
            (
                f"Ticket volume by {dimension}",
                [dimension.capitalize(), "Tickets", "Previous", "Change"],
                [[r.label, r.current, r.previous, _signed(r.change)] for r in rows],
            )
        )
    out.append(
        (
            "Fastest-rising topics (new tickets and forum threads)",
            ["Term", "Uses", "Previous", "Rise"],
            [[r.label, r.current, r.previous, _signed(r.change)] for r in report.rising_topics],
        )
    )
    if report.searches_without_results is not None:
        out.append(("Top searches with no result", ["Search", "Times"],
                    [list(row) for row in report.searches_without_results]))  # fmt: skip
    out.append(
        (
            "Troubleshooting-guide steps where people give up",
            ["Guide", "Step", "Of", "People"],
            [list(row) for row in report.guide_give_ups],
        )
    )
    out.append(
        (
            "Articles with the worst helpful ratio",
            ["Article", "Helpful", "Votes"],
            [list(row) for row in report.worst_articles],
        )
    )
    out.append(
        (
            "Feature requests by how many people asked",
            ["Request", "Where", "People"],
            [list(row) for row in report.feature_requests],
        )
    )
    out.append(("Reasons given with bad satisfaction ratings", ["Reason", "Ratings"],
                [list(row) for row in report.bad_reasons]))  # fmt: skip
    return out


def to_markdown(report: Report) -> str:
    asked, good, bad = report.csat
    rated = good + bad
    lines = [
        f"# Common issues: {report.period.label}", "",
        f"Period {report.period.start:%Y-%m-%d} to {report.period.end:%Y-%m-%d} (UTC, end "
        "excluded), compared with the period before.", "",
        f"Satisfaction: {asked} asked, {rated} rated, {good} good, {bad} bad"
        + (f" (CSAT {100 * good / rated:.1f} %)." if rated else "."), "",
    ]  # fmt: skip
    for title, headers, rows in sections(report):
        lines += [f"## {title}", "", *_table(headers, rows)]
    return "\n".join(lines).rstrip() + "\n"


def to_csv(report: Report) -> str:
    """One tidy CSV (every section has other columns): a line per figure, as ``period``,
    ``section``, ``item`` (the row's first cell), ``measure`` (the column) and ``value``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["period", "section", "item", "measure", "value"])
    for title, headers, rows in sections(report):
        for row in rows:
            for header, cell in zip(headers[1:], row[1:], strict=True):
                writer.writerow(
                    [report.period.key, title, _csv_safe(row[0]), header, _csv_safe(cell)]
                )
    return buffer.getvalue()


def _csv_safe(value: object) -> object:
    # A cell starting with = + - @ is a formula in spreadsheets: user text must never run.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and not _is_number(value):
        return "'" + value
    return value


def _is_number(value: str) -> bool:
    return bool(re.fullmatch(r"[+-]?\d+(\.\d+)?", value))
