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
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

WEEKLY, MONTHLY = "weekly", "monthly"
KINDS = (WEEKLY, MONTHLY)

#: Words too common to be a topic (English; ticket subjects and thread titles are short).
_STOPWORD_TEXT = """
    a about after again all also am an and any app are as at be because been before but by
    can cannot could did do does doesn't don't for from get gets getting got had has have
    how i i'm if in into is isn't it it's its just me my no not now of on or our out
    please so some still than that the their them then there this to too up us was wasn't
    we what when where which while why will with won't work working would you your
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_WORD = re.compile(r"[a-z][a-z0-9'-]{2,}")


@dataclass(frozen=True)
class Period:
    """A report period ``[start, end)`` and the one before it, of the same kind.

    Weeks and months are those of the support time zone (``zone``): a week starts on Monday at
    local midnight, a month on its first day at local midnight, so a Monday-morning team meeting
    sees the week its agents lived. The bounds are kept in UTC (how dates are stored), which
    makes a week across a DST change 167 or 169 hours long.
    """

    kind: str
    start: datetime
    end: datetime
    previous_start: datetime
    zone: str = "UTC"

    @property
    def first_day(self) -> date:
        """The period's first day in the support time zone."""
        return self.start.astimezone(ZoneInfo(self.zone)).date()

    @property
    def last_day(self) -> date:
        return (self.end.astimezone(ZoneInfo(self.zone)) - timedelta(days=1)).date()

    @property
    def label(self) -> str:
        first = self.first_day
        if self.kind == MONTHLY:
            return first.strftime("%B %Y")
        return f"Week {first:%G-W%V} ({first:%d %b} – {self.last_day:%d %b %Y})"  # noqa: RUF001

    @property
    def key(self) -> str:
        """What makes a sent report unique: ``weekly-2026-11-16`` (the local first day)."""
        return f"{self.kind}-{self.first_day:%Y-%m-%d}"


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    # Midnight exists on every day in the zones we support (DST moves at 01:00-03:00 local);
    # fold=0 picks the first of two, the calendar module's convention.
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


def last_complete_period(kind: str, now: datetime, zone: str = "UTC") -> Period:
    """The last full week (Monday to Monday) or calendar month before ``now``, both counted in
    the time zone ``zone`` (an IANA name: the support policy's)."""
    tz = ZoneInfo(zone)
    today = now.astimezone(tz).date()
    if kind == WEEKLY:
        this_monday = today - timedelta(days=today.weekday())
        start = this_monday - timedelta(days=7)
        return Period(
            WEEKLY, _local_midnight(start, tz), _local_midnight(this_monday, tz),
            _local_midnight(start - timedelta(days=7), tz), zone,
        )  # fmt: skip
    if kind == MONTHLY:
        end = today.replace(day=1)
        start = _month_before(end)
        return Period(
            MONTHLY, _local_midnight(start, tz), _local_midnight(end, tz),
            _local_midnight(_month_before(start), tz), zone,
        )  # fmt: skip
    raise ValueError(f"unknown report kind {kind!r}")


def period_starting(kind: str, first_day: date, zone: str = "UTC") -> Period:
    """The period of ``kind`` whose first local day is ``first_day`` (a Monday or a month's
    first day; for another day, the period that ends in the week or month after it)."""
    after = first_day + (timedelta(days=7) if kind == WEEKLY else timedelta(days=32))
    return last_complete_period(kind, _local_midnight(after, ZoneInfo(zone)), zone)


def _month_before(first: date) -> date:
    return (first - timedelta(days=1)).replace(day=1)


def words(text: str) -> set[str]:
    """Topic words of one short text (a subject repeating a word is still one request)."""
    found = {w.strip("'-") for w in _WORD.findall(text.lower())}
    return {w for w in found if w and w not in STOPWORDS}


def terms(texts: Iterable[str]) -> Counter:
    """Topic words of short texts, each counted once per text."""
    return count_topics((None, words(text)) for text in texts)


def ticket_topics(subject: str, category: str | None = None, guide: str | None = None) -> set:
    """The topics one new ticket (or, without category and guide, forum thread) raises: its
    words, plus its category and the troubleshooting guide followed before asking, labelled
    so they can't be mistaken for a word (``category: Billing and Payments``)."""
    found = words(subject)
    if category:
        found.add(f"category: {category}")
    if guide:
        found.add(f"guide: {guide}")
    return found


def count_topics(items: Iterable[tuple[int | None, set[str]]]) -> Counter:
    """How many tickets and threads raised each topic."""
    counts: Counter = Counter()
    for _source, topics in items:
        counts.update(topics)
    return counts


def tickets_by_topic(items: Iterable[tuple[int | None, set[str]]]) -> dict[str, list[int]]:
    """The ticket ids behind each topic (threads have none), in order: examples to read."""
    tickets: dict[str, list[int]] = {}
    for ticket_id, topics in items:
        for topic in topics:
            if ticket_id is not None:
                tickets.setdefault(topic, []).append(ticket_id)
    return {topic: sorted(ids) for topic, ids in tickets.items()}


def worst_articles(
    current: dict[int, tuple[str, int, int]],
    previous: dict[int, tuple[str, int, int]],
    minimum: int,
    limit: int,
) -> list[tuple]:
    """Rows ``(title, helpful, votes, previous helpful, previous votes)`` of articles with at
    least ``minimum`` votes this period, lowest helpful share first; the previous cells are
    empty strings when the article had no votes the period before.

    :param current: ``article id -> (title, helpful, votes)`` of this period's votes.
    :param previous: the same for the period before.
    """
    rows = []
    for article_id, (title, helpful, votes) in current.items():
        if votes < minimum:
            continue
        _title, before_helpful, before_votes = previous.get(article_id, (title, "", ""))
        rows.append((title, helpful, votes, before_helpful, before_votes))
    rows.sort(key=lambda row: (row[1] / row[2], -row[2], row[0]))
    return rows[:limit]


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
    worst_articles: list[tuple] = field(default_factory=list)
    #: Topic -> ids of this period's new tickets that raised it (for the training form).
    topic_tickets: dict[str, list[int]] = field(default_factory=dict)
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
            ["Topic", "Uses", "Previous", "Rise"],
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
            "Articles with the worst helpful ratio (votes of the period)",
            ["Article", "Helpful", "Votes", "Previous helpful", "Previous votes"],
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
        f"Period {report.period.first_day:%Y-%m-%d} to {report.period.last_day:%Y-%m-%d} "
        f"(both included, days in {report.period.zone}), compared with the period before.", "",
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
