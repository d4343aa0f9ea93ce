"""Read-only look-ups: the banner (on every page), the status page and feed, timelines and
drill reports. Drills are for staff only: everything public filters them out here."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, has_request_context, request
from flask_login import current_user
from sqlalchemy import select

from app.accounts.permissions import can
from app.errors import NotFound
from app.extensions import db
from app.incidents import rules
from app.incidents.models import OPEN, Incident, IncidentEntry
from app.models import is_row_id
from app.pagecache import content_version

#: Resolved incidents stay on the status page this long.
RECENT_DAYS = 14
PUBLIC_KINDS = ("declared", "update", "resolved")


def _open_banners() -> list[tuple[int, bool, str, str]]:
    rows = db.session.execute(
        select(Incident.id, Incident.is_drill, Incident.severity, Incident.banner_text)
        .where(Incident.status == OPEN)
        .order_by(Incident.declared_at.desc())
    ).all()
    return [tuple(row) for row in rows]


def open_banners() -> list[tuple[int, bool, str, str]]:
    """``(id, is_drill, severity, text)`` of the open incidents, newest first.

    With the page cache on, kept per process for one *content version*: every commit that
    declares, updates or resolves an incident bumps that version (on every host with Redis),
    so the banner and the cached pages change together and a page render costs no query.
    """
    app = current_app
    if not app.extensions.get("page_cache_on"):
        return _open_banners()
    version = content_version()
    cached = app.extensions.get("incident_banner_cache")
    if cached is None or cached[0] != version:
        cached = (version, _open_banners())
        app.extensions["incident_banner_cache"] = cached
    return cached[1]


def _viewer_is_staff() -> bool:
    # Never in the API: its answers are publicly cacheable, so a staff member's DRILL banner
    # could reach everyone through a shared cache.
    if not has_request_context() or request.path.startswith("/api/"):
        return False
    return can(current_user, "incidents.view")


def current_incident_banner() -> dict | None:
    """The banner provider (``app.extensions["banner_providers"]``): the newest open public
    incident; staff also see a drill's, marked DRILL. The API (no signed-in user) never does."""
    staff = None
    for incident_id, is_drill, severity, text in open_banners():
        if is_drill:
            staff = _viewer_is_staff() if staff is None else staff
            if not staff:
                continue
            text = f"DRILL: {text}"
        level = "critical" if severity == "critical" else "warning"
        return {"level": level, "text": text, "url": f"/status/{incident_id}",
                "link_text": "Status and updates"}  # fmt: skip
    return None


def page_key_part() -> str:
    """What the anonymous page cache's key varies by: the public banner shown."""
    return "|".join(
        f"{incident_id}:{text}" for incident_id, drill, _, text in open_banners() if not drill
    )


def public_incident(incident_id: int, *, staff: bool) -> Incident:
    """:raises NotFound: no such incident, or a drill for someone who isn't staff."""
    incident = db.session.get(Incident, incident_id) if is_row_id(incident_id) else None
    if incident is None or (incident.is_drill and not staff):
        raise NotFound("No such incident.")
    return incident


def status_incidents(now: datetime, *, staff: bool) -> tuple[list[Incident], list[Incident]]:
    """Open incidents, and those resolved in the last :data:`RECENT_DAYS` days."""
    query = select(Incident).order_by(Incident.declared_at.desc())
    if not staff:
        query = query.where(Incident.is_drill.is_(False))
    opened = db.session.scalars(query.where(Incident.status == OPEN)).all()
    recent = db.session.scalars(
        query.where(
            Incident.status != OPEN, Incident.resolved_at >= now - timedelta(days=RECENT_DAYS)
        ).limit(50)
    ).all()
    return opened, recent


def timeline(incident: Incident, *, public_only: bool) -> list[IncidentEntry]:
    query = select(IncidentEntry).where(IncidentEntry.incident_id == incident.id)
    if public_only:
        query = query.where(IncidentEntry.public.is_(True))
    return db.session.scalars(query.order_by(IncidentEntry.id)).all()


def feed_entries(limit: int = 50) -> list[tuple[IncidentEntry, Incident]]:
    """The latest public messages of public incidents, newest first (the Atom feed)."""
    rows = db.session.execute(
        select(IncidentEntry, Incident)
        .join(Incident, Incident.id == IncidentEntry.incident_id)
        .where(IncidentEntry.public.is_(True), Incident.is_drill.is_(False))
        .order_by(IncidentEntry.id.desc())
        .limit(limit)
    ).all()
    return [tuple(row) for row in rows]


def staff_incidents(*, drills: bool) -> list[Incident]:
    return db.session.scalars(
        select(Incident)
        .where(Incident.is_drill.is_(drills))
        .order_by(Incident.declared_at.desc())
        .limit(200)
    ).all()


def report(incident: Incident) -> rules.DrillReport:
    entries = timeline(incident, public_only=False)
    facts = [
        rules.EntryFacts(
            e.kind, e.created_at, e.due_at, e.author.display_name if e.author else None
        )
        for e in entries
    ]
    return rules.drill_report(incident.detected_at, incident.declared_at, facts)


def breach_clock(incident: Incident, now: datetime) -> rules.BreachClock | None:
    if incident.aware_at is None:
        return None
    return rules.breach_clock(
        incident.aware_at, incident.authority_notified_at, now,
        current_app.config["INCIDENT_BREACH_NOTIFY_HOURS"],
    )  # fmt: skip
