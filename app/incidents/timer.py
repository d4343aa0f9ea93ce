"""The update-due timer (``flask incidents tick``): reminds the owner before an update is due,
records each miss once, and records a data breach's missed authority deadline once.

Safe on several hosts at once: each incident is locked while it is checked (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL; SQLite writes one at a time), and the due time a reminder or miss was
for is stored, so a second run at the same minute does nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.incidents import rules
from app.incidents.models import OPEN, Incident
from app.incidents.services import DRILL, add_entry, when_text
from app.mail import OutgoingMail, site_link
from app.outbox import record_mail


@dataclass
class TimerResult:
    reminders: int = 0
    misses: int = 0
    breach_overdue: int = 0
    incidents: list[int] = field(default_factory=list)


def _mail_owner(incident: Incident, subject: str, text: str, now: datetime) -> None:
    link = site_link("incidents.show", incident_id=incident.id)
    prefix = DRILL if incident.is_drill else ""
    body = f"Hello {incident.owner.display_name},\n\n{text}\n\nPost the update: {link}\n"
    record_mail(OutgoingMail(incident.owner.email, f"{prefix}{subject}", body), now)


def check_incident(incident: Incident, now: datetime) -> TimerResult:
    result = TimerResult()
    due = incident.next_update_due_at
    action = rules.timer_action(
        now, due, current_app.config["INCIDENT_REMIND_MINUTES"],
        incident.reminded_for, incident.missed_for,
    )  # fmt: skip
    if action == "remind":
        incident.reminded_for = due
        add_entry(incident, "reminder", None, now, body=f"Update due at {when_text(due)}.",
                  due_at=due)  # fmt: skip
        _mail_owner(incident, f"Update due at {when_text(due)}: {incident.title}",
                    f"The next public update on \u201c{incident.title}\u201d is due at "
                    f"{when_text(due)}.", now)  # fmt: skip
        result.reminders += 1
    elif action == "miss":
        incident.missed_for = due
        incident.reminded_for = due  # a reminder after the miss would say nothing new
        add_entry(incident, "missed", None, now, body=f"The update due at {when_text(due)} was "
                  "not posted.", due_at=due)  # fmt: skip
        _mail_owner(incident, f"Update overdue: {incident.title}",
                    f"The public update due at {when_text(due)} was not posted. Post one now: "
                    "people are waiting for it.", now)  # fmt: skip
        result.misses += 1
    if incident.aware_at is not None and not incident.authority_overdue_recorded:
        clock = rules.breach_clock(
            incident.aware_at, incident.authority_notified_at, now,
            current_app.config["INCIDENT_BREACH_NOTIFY_HOURS"],
        )  # fmt: skip
        if clock.overdue and not clock.notified:
            incident.authority_overdue_recorded = True
            add_entry(incident, "authority_overdue", None, now,
                      body="The deadline for notifying the supervisory authority passed.",
                      due_at=clock.deadline)  # fmt: skip
            _mail_owner(incident, f"Authority deadline passed: {incident.title}",
                        "The supervisory authority has not been notified and the deadline "
                        "(GDPR Art. 33) has passed. Notify it now and record the reasons for "
                        "the delay.", now)  # fmt: skip
            result.breach_overdue += 1
    return result


def run_timer(now: datetime) -> TimerResult:
    """Check every open incident once (the caller commits)."""
    total = TimerResult()
    query = select(Incident).where(Incident.status == OPEN).order_by(Incident.id)
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    for incident in db.session.scalars(query).all():
        result = check_incident(incident, now)
        if result.reminders or result.misses or result.breach_overdue:
            total.incidents.append(incident.id)
        total.reminders += result.reminders
        total.misses += result.misses
        total.breach_overdue += result.breach_overdue
    db.session.flush()
    return total
