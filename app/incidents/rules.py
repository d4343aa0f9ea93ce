"""Pure rules of the crisis feature: template placeholders, the update rhythm, the breach clock
and drill reports. No Flask, no database, no clock: tested from tables in tests/unit/."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

#: Sections every type's template file has, in this order.
SECTIONS = ("banner", "declare", "update", "resolve", "autoreply")
#: Placeholders a template may use; the incident or the form fills them before sending.
PLACEHOLDERS = ("title", "affected_features", "next_update", "workaround_link", "screens")
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
SECTION_HEADING = re.compile(r"^## +([a-z_]+) *$", re.MULTILINE)
#: GDPR Art. 34: what is done before affected users are told, in order.
BREACH_USER_STEPS = (
    ("assess_risk", "Assess the risk to people's rights and freedoms"),
    ("identify_users", "Identify the affected users and their contact details"),
    ("approve_notice", "Approve the notice (what data, what we do, what users should do)"),
    ("send_notice", "Send the notice to the affected users"),
    ("record_register", "Record the breach in the breach register"),
)


def parse_template_file(text: str) -> tuple[dict[str, str], list[str]]:
    """Split a template file into its ``## section`` parts.

    :returns: the sections, and the problems that make the file unusable (a required section
        missing or empty, an unknown placeholder); empty when it can be imported.
    """
    parts = SECTION_HEADING.split(text)
    sections: dict[str, str] = {}
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        sections[name] = body.strip()
    problems = []
    missing = [name for name in SECTIONS if not sections.get(name)]
    if missing:
        problems.append(f"missing section(s): {', '.join(missing)}")
    for name, body in sections.items():
        unknown = sorted(set(PLACEHOLDER.findall(body)) - set(PLACEHOLDERS))
        if unknown:
            problems.append(f"section {name}: unknown placeholder(s) {', '.join(unknown)}")
    return sections, problems


def missing_values(text: str, values: dict[str, str]) -> list[str]:
    """The placeholders of ``text`` that have no value yet (checked before anything is sent)."""
    wanted = dict.fromkeys(PLACEHOLDER.findall(text))
    return [name for name in wanted if not (values.get(name) or "").strip()]


def fill(text: str, values: dict[str, str]) -> str:
    """Put the values in the placeholders (:func:`missing_values` must be empty first)."""
    return PLACEHOLDER.sub(lambda match: values[match.group(1)].strip(), text)


def unfilled(text: str) -> list[str]:
    """Placeholders left in a message someone edited by hand."""
    return list(dict.fromkeys(PLACEHOLDER.findall(text)))


def next_update_due(published_at: datetime, severity: str, minutes: dict[str, int]) -> datetime:
    """When the next public update is due after one published at ``published_at``."""
    return published_at + timedelta(minutes=minutes[severity])


def timer_action(
    now: datetime,
    due: datetime | None,
    remind_minutes: int,
    reminded_for: datetime | None,
    missed_for: datetime | None,
) -> str | None:
    """What the update timer does now: ``remind`` (once per due time, from ``remind_minutes``
    before it), ``miss`` (once, at the due time), or nothing."""
    if due is None:
        return None
    if now >= due and missed_for != due:
        return "miss"
    if due - timedelta(minutes=remind_minutes) <= now < due and reminded_for != due:
        return "remind"
    return None


@dataclass(frozen=True)
class BreachClock:
    deadline: datetime
    remaining: timedelta
    overdue: bool
    notified: bool


def breach_clock(
    aware_at: datetime, notified_at: datetime | None, now: datetime, hours: int
) -> BreachClock:
    """The Art. 33 clock: ``hours`` from awareness to notifying the supervisory authority."""
    deadline = aware_at + timedelta(hours=hours)
    reference = notified_at or now
    return BreachClock(
        deadline=deadline,
        remaining=deadline - reference,
        overdue=reference > deadline,
        notified=notified_at is not None,
    )


def duration_text(delta: timedelta) -> str:
    """``2 h 05 min`` (negative: ``-0 h 10 min``), for clocks and reports."""
    minutes = int(delta.total_seconds() // 60)
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours} h {rest:02d} min"


@dataclass(frozen=True)
class EntryFacts:
    kind: str
    created_at: datetime
    due_at: datetime | None
    author: str | None


@dataclass(frozen=True)
class DrillReport:
    time_to_declare: timedelta
    time_to_first_update: timedelta | None
    updates_on_time: int
    updates_late: int
    misses: int
    worst_lateness: timedelta
    people: tuple[str, ...]


def drill_report(detected_at: datetime, declared_at: datetime, entries: list[EntryFacts]):
    """Time to declare, time to the first update after the declaration, punctuality of the
    updates against their due times, recorded misses, and who acted."""
    updates = [e for e in entries if e.kind in ("update", "resolved")]
    first = min((e.created_at for e in updates if e.kind == "update"), default=None)
    on_time = late = 0
    worst = timedelta(0)
    for entry in updates:
        if entry.due_at is None:
            continue
        if entry.created_at <= entry.due_at:
            on_time += 1
        else:
            late += 1
            worst = max(worst, entry.created_at - entry.due_at)
    people = tuple(sorted({e.author for e in entries if e.author}))
    return DrillReport(
        time_to_declare=declared_at - detected_at,
        time_to_first_update=(first - declared_at) if first else None,
        updates_on_time=on_time,
        updates_late=late,
        misses=sum(1 for e in entries if e.kind == "missed"),
        worst_lateness=worst,
        people=people,
    )
