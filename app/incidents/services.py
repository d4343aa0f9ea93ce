"""Running an incident: declare, post updates, resolve, and the data-breach steps.

Explicit acting user and ``now``, flush only. Every public message goes, in the same
transaction, to the timeline (status page, feed), the banner text, the forum announcement thread
and (opt-in) the requesters of linked tickets through the outbox, each person once per message.
A drill runs the same flow but only staff see it: a hidden forum thread, no public banner or
status entry, and the mail that would reach customers goes to the owner marked DRILL.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from app.accounts.models import User
from app.accounts.permissions import can
from app.errors import DomainError, NotFound
from app.extensions import db
from app.forum import announcements
from app.forum import services as forum
from app.incidents import rules, templates
from app.incidents.models import (
    OPEN,
    RESOLVED,
    SEVERITIES,
    Incident,
    IncidentEntry,
    IncidentLink,
    IncidentNotice,
)
from app.mail import OutgoingMail, site_link
from app.markup import render
from app.models import is_row_id
from app.outbox import record_mail
from app.tickets import workspace
from app.tickets.catalog import CATEGORIES, CLOSED, SOLVED
from app.tickets.hooks import automatic_reply
from app.tickets.models import Ticket
from app.tickets.timeline import zone_label

TITLE_MAX = 200
MESSAGE_MAX = 10_000
TEXT_MAX = 500
DRILL = "[DRILL] "


def require_lead(actor: User) -> None:
    if not can(actor, "incidents.manage"):
        raise NotFound("No such incident.")


def get_incident(actor: User, incident_id: int) -> Incident:
    """An incident for staff (drills included). :raises NotFound: not staff, or no such one."""
    if not can(actor, "incidents.view"):
        raise NotFound("No such incident.")
    incident = db.session.get(Incident, incident_id) if is_row_id(incident_id) else None
    if incident is None:
        raise NotFound("No such incident.")
    return incident


def when_text(moment: datetime) -> str:
    """``14:30 (Berlin time)`` in the support time zone: what the templates' next update says."""
    zone = current_app.config["SUPPORT_TIMEZONE"]
    return f"{moment.astimezone(ZoneInfo(zone)):%H:%M} ({zone_label(zone)})"


def placeholder_values(incident: Incident, next_update: datetime | None) -> dict[str, str]:
    return {
        "title": incident.title,
        "affected_features": incident.affected_features,
        "next_update": when_text(next_update) if next_update else "",
        "workaround_link": incident.workaround_url,
        "screens": ", ".join(incident.screens),
    }


def message_from(template_text: str, typed: str, values: dict[str, str]) -> str:
    """The message to send: the one typed (prefilled from the template), else the template;
    every placeholder filled. :raises DomainError: a placeholder left without a value."""
    text = (typed or "").strip() or template_text
    if len(text) > MESSAGE_MAX:
        raise DomainError(f"Use at most {MESSAGE_MAX} characters.", "message")
    missing = rules.missing_values(text, values)
    if missing:
        labels = ", ".join(name.replace("_", " ") for name in missing)
        raise DomainError(f"Fill in before sending: {labels}.", "message")
    return rules.fill(text, values)


def _text(value: str | None, field: str, maximum: int, required: str | None = None) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(required, field)
    if len(value) > maximum:
        raise DomainError(f"Use at most {maximum} characters.", field)
    return value


def add_entry(incident, kind, actor, now, *, body="", public=False, due_at=None, next_at=None,
           token=None) -> IncidentEntry:  # fmt: skip
    entry = IncidentEntry(
        incident_id=incident.id, kind=kind, public=public, body=body,
        body_html=render(body) if body else "", author_id=actor.id if actor else None,
        created_at=now, due_at=due_at, next_update_at=next_at, request_token=token,
    )  # fmt: skip
    db.session.add(entry)
    db.session.flush()
    return entry


def _retried(token: str | None) -> IncidentEntry | None:
    """The entry a submission with this one-time token already made (a double click, a retry)."""
    if not token:
        return None
    return db.session.scalar(select(IncidentEntry).where(IncidentEntry.request_token == token))


def _update_minutes(severity: str) -> int:
    return current_app.config["INCIDENT_UPDATE_MINUTES"].get(severity, 30)


def declare(
    actor: User, *, kind: str, severity: str, title: str, categories: list[str],
    screens: list[str], affected_features: str, workaround_url: str, message: str,
    detected_at: datetime | None, aware_at: datetime | None, is_drill: bool, now: datetime,
    token: str | None = None,
) -> Incident:  # fmt: skip
    """Declare an incident: banner, status page, forum thread and auto-replies start at once.

    :raises DomainError: a bad or missing field, or a template placeholder left unfilled.
    """
    require_lead(actor)
    retried = _retried(token)
    if retried is not None:
        return db.session.get(Incident, retried.incident_id)
    if kind not in current_app.config["INCIDENT_TYPES"]:
        raise DomainError("Choose the type of crisis.", "kind")
    if severity not in SEVERITIES:
        raise DomainError("Choose a severity.", "severity")
    title = _text(title, "title", TITLE_MAX, "Give the incident a public title.")
    unknown = [c for c in categories if c not in CATEGORIES]
    if unknown:
        raise DomainError("Choose categories from the list.", "categories")
    affected = _text(affected_features, "affected_features", TEXT_MAX)
    workaround = _text(workaround_url, "workaround_url", TEXT_MAX)
    detected_at = detected_at or now
    if detected_at > now:
        raise DomainError("The problem can't be noticed in the future.", "detected_at")
    if kind == "data_breach":
        if aware_at is None:
            raise DomainError("Say when the team became aware of the breach.", "aware_at")
        if aware_at > now:
            raise DomainError("Awareness can't be in the future.", "aware_at")
    incident = Incident(
        kind=kind, severity=severity, status=OPEN, is_drill=is_drill, title=title,
        categories=sorted(set(categories)), screens=[s.strip() for s in screens if s.strip()],
        affected_features=affected, workaround_url=workaround, owner_id=actor.id,
        declared_by_id=actor.id, detected_at=detected_at, declared_at=now,
        aware_at=aware_at if kind == "data_breach" else None, user_notice_steps={},
        authority_overdue_recorded=False,
    )  # fmt: skip
    sections = templates.sections_for(kind, now)
    next_at = rules.next_update_due(now, severity, current_app.config["INCIDENT_UPDATE_MINUTES"])
    values = placeholder_values(incident, next_at)
    body = message_from(sections["declare"], message, values)
    incident.banner_text = _banner(sections["banner"], values)
    incident.next_update_due_at = next_at
    db.session.add(incident)
    db.session.flush()
    add_entry(
        incident, "declared", actor, now, body=body, public=True, next_at=next_at, token=token
    )
    category = forum.category_by_slug(current_app.config["INCIDENT_FORUM_CATEGORY"])
    if category is None:
        raise DomainError("The forum category for announcements does not exist.", "kind")
    thread = announcements.create_announcement(
        actor,
        category,
        ((DRILL if is_drill else "") + title)[:TITLE_MAX],
        body,
        now,
        staff_only=is_drill,
    )
    incident.forum_thread_id = thread.id
    db.session.flush()
    return incident


def _banner(template_text: str, values: dict[str, str]) -> str:
    # The banner's placeholders are the incident's own: a missing one is left out, not refused.
    filled = {name: values.get(name) or "—" for name in rules.PLACEHOLDERS}
    return rules.fill(template_text, filled)[:TEXT_MAX]


def _require_open(incident: Incident) -> None:
    if incident.status != OPEN:
        raise DomainError("This incident is resolved.", "message")


def post_update(
    actor: User, incident: Incident, message: str, now: datetime, *,
    notify_requesters: bool = False, token: str | None = None,
) -> IncidentEntry:  # fmt: skip
    """A public update: timeline, banner, forum thread, and (opt-in) linked requesters.

    :raises DomainError: resolved incident, empty or unfilled message.
    """
    require_lead(actor)
    retried = _retried(token)
    if retried is not None:
        return retried
    _require_open(incident)
    sections = templates.sections_for(incident.kind, now)
    next_at = rules.next_update_due(
        now, incident.severity, current_app.config["INCIDENT_UPDATE_MINUTES"]
    )
    values = placeholder_values(incident, next_at)
    body = message_from(sections["update"], message, values)
    entry = add_entry(
        incident, "update", actor, now, body=body, public=True,
        due_at=incident.next_update_due_at, next_at=next_at, token=token,
    )  # fmt: skip
    incident.next_update_due_at = next_at
    incident.banner_text = _banner(sections["banner"], values)
    _announce(incident, actor, body, now)
    if notify_requesters:
        tell_requesters(incident, entry, f"Update: {incident.title}", body, now)
    db.session.flush()
    return entry


def _announce(incident: Incident, actor: User, body: str, now: datetime) -> None:
    thread = forum.get_thread(incident.forum_thread_id) if incident.forum_thread_id else None
    if thread is not None:
        announcements.add_announcement(thread, actor, body, now)


def linked_tickets(incident: Incident, *, included_only: bool = True) -> list[Ticket]:
    query = select(Ticket).join(IncidentLink, IncidentLink.ticket_id == Ticket.id)
    query = query.where(IncidentLink.incident_id == incident.id)
    if included_only:
        query = query.where(IncidentLink.excluded.is_(False))
    return db.session.scalars(query.order_by(Ticket.id)).all()


def tell_requesters(incident: Incident, entry: IncidentEntry, subject: str, body: str, now):
    """Mail each requester of a linked ticket once for ``entry`` (a retry finds them told).

    :returns: how many people were told now.
    """
    told = set(
        db.session.scalars(
            select(IncidentNotice.user_id).where(IncidentNotice.entry_id == entry.id)
        )
    )
    people = {}
    for ticket in linked_tickets(incident):
        if ticket.requester_id not in told:
            people.setdefault(ticket.requester_id, ticket.requester)
    link = site_link("incidents.status_incident", incident_id=incident.id)
    for user_id, person in people.items():
        db.session.add(IncidentNotice(entry_id=entry.id, user_id=user_id, created_at=now))
        text = f"Hello {person.display_name},\n\n{body}\n\nFollow the incident: {link}\n"
        if incident.is_drill:
            record_mail(_drill_mail(incident, person.email, subject, text), now)
        else:
            record_mail(OutgoingMail(person.email, subject, text), now)
    db.session.flush()
    return len(people)


def _drill_mail(incident: Incident, customer: str, subject: str, text: str) -> OutgoingMail:
    """In a drill, what a customer would get goes to the owner, marked, naming the customer."""
    return OutgoingMail(
        incident.owner.email, f"{DRILL}{subject}", f"DRILL: this would go to {customer}.\n\n{text}"
    )


def resolve(
    actor: User, incident: Incident, message: str, now: datetime, *, token: str | None = None
) -> IncidentEntry:
    """Resolve: the final message everywhere, the banner goes, every linked ticket that an agent
    did not exclude gets the resolution reply and is solved, linked threads' followers are told.
    """

    require_lead(actor)
    retried = _retried(token)
    if retried is not None:
        return retried
    _require_open(incident)
    sections = templates.sections_for(incident.kind, now)
    values = placeholder_values(incident, None)
    values["next_update"] = "no further updates"
    body = message_from(sections["resolve"], message, values)
    entry = add_entry(
        incident, "resolved", actor, now, body=body, public=True,
        due_at=incident.next_update_due_at, token=token,
    )  # fmt: skip
    incident.status = RESOLVED
    incident.resolved_at = now
    incident.next_update_due_at = None
    incident.banner_text = ""
    _announce(incident, actor, body, now)
    told = set()
    for ticket in linked_tickets(incident):
        if ticket.status in (SOLVED, CLOSED):
            continue
        if incident.is_drill:
            automatic_reply(actor, ticket, f"{DRILL}would solve with: {body}", now, internal=True)
            continue
        workspace.agent_reply(actor, ticket, body, now, status_after=SOLVED)
        if ticket.requester_id not in told:
            told.add(ticket.requester_id)
            db.session.add(IncidentNotice(entry_id=entry.id, user_id=ticket.requester_id,
                                          created_at=now))  # fmt: skip
    if not incident.is_drill:
        for thread_id in linked_thread_ids(incident):
            thread = forum.get_thread(thread_id)
            if thread is not None and thread.id != incident.forum_thread_id:
                announcements.staff_reply_to_thread(thread, actor, body, now)
    db.session.flush()
    return entry


def linked_thread_ids(incident: Incident) -> list[int]:
    return db.session.scalars(
        select(IncidentLink.thread_id).where(
            IncidentLink.incident_id == incident.id, IncidentLink.thread_id.is_not(None)
        )
    ).all()


# --- data breach (GDPR Art. 33 and 34) -------------------------------------------------------


def record_authority_notified(actor: User, incident: Incident, now: datetime) -> None:
    """The supervisory authority was notified (stops the 72-hour clock)."""
    require_lead(actor)
    if incident.kind != "data_breach":
        raise DomainError("Only a data breach has an authority notification.")
    if incident.authority_notified_at is None:
        incident.authority_notified_at = now
        add_entry(
            incident, "authority_notified", actor, now, body="Supervisory authority notified."
        )
    db.session.flush()


def complete_breach_step(actor: User, incident: Incident, step: str, now: datetime) -> None:
    """Tick one step of the Art. 34 checklist (once; the time is kept)."""
    require_lead(actor)
    labels = dict(rules.BREACH_USER_STEPS)
    if incident.kind != "data_breach" or step not in labels:
        raise DomainError("Choose a step of the checklist.", "step")
    if step not in incident.user_notice_steps:
        incident.user_notice_steps = {**incident.user_notice_steps, step: now.isoformat()}
        add_entry(incident, "breach_step", actor, now, body=f"Done: {labels[step]}.")
    db.session.flush()
