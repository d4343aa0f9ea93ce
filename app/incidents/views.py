"""Public pages: the status page, one incident's timeline and the Atom feed. Staff pages are in
:mod:`app.incidents.staff_views` (same blueprint)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user

from app.accounts.permissions import can
from app.errors import NotFound
from app.incidents import queries
from app.mail import site_link
from app.models import utcnow
from app.pagecache import cacheable

bp = Blueprint("incidents", __name__)


def _staff() -> bool:
    return can(current_user, "incidents.view")


@bp.get("/status")
@cacheable
def status():
    opened, recent = queries.status_incidents(utcnow(), staff=_staff())
    timelines = {i.id: queries.timeline(i, public_only=True) for i in (*opened, *recent)}
    return render_template(
        "incidents/status.html", opened=opened, recent=recent, timelines=timelines
    )


@bp.get("/status/<int:incident_id>")
@cacheable
def status_incident(incident_id: int):
    try:
        incident = queries.public_incident(incident_id, staff=_staff())
    except NotFound:
        abort(404)
    entries = queries.timeline(incident, public_only=True)
    return render_template("incidents/status_incident.html", incident=incident, entries=entries)


@bp.get("/status/feed.atom")
def feed():
    entries = queries.feed_entries()
    body = render_template(
        "incidents/feed.xml", entries=entries, self_url=site_link("incidents.feed"),
        status_url=site_link("incidents.status"), updated=entries[0][0].created_at if entries
        else utcnow(), link=lambda i: site_link("incidents.status_incident", incident_id=i),
    )  # fmt: skip
    return body, 200, {"Content-Type": "application/atom+xml; charset=utf-8",
                       "Cache-Control": "public, max-age=60"}  # fmt: skip
