"""Incident tables: the incident, its append-only timeline, the tickets and threads linked to it,
who was told about which update (each person once), and the versioned communication templates."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.extensions import db

OPEN = "open"
RESOLVED = "resolved"
SEVERITIES = ("critical", "major", "minor")


class Incident(db.Model):
    __tablename__ = "incident"
    __table_args__ = (Index("ix_incident_status_declared_at", "status", "declared_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: One of ``INCIDENT_TYPES`` (outage, data_breach ...): picks the template set.
    kind: Mapped[str] = mapped_column(String(40))
    #: ``critical``, ``major`` or ``minor``: sets the update rhythm.
    severity: Mapped[str] = mapped_column(String(10))
    #: ``open`` or ``resolved``.
    status: Mapped[str] = mapped_column(String(10), default=OPEN)
    #: A drill runs the whole flow, but only staff see it.
    is_drill: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The public title (banner, status page, forum thread).
    title: Mapped[str] = mapped_column(String(200))
    #: Ticket categories whose new requests get the auto-reply and are linked.
    categories: Mapped[list] = mapped_column(JSON, default=list)
    #: App screens affected (free words, shown publicly).
    screens: Mapped[list] = mapped_column(JSON, default=list)
    #: What the placeholders of the templates are filled with.
    affected_features: Mapped[str] = mapped_column(String(500), default="")
    workaround_url: Mapped[str] = mapped_column(String(500), default="")
    #: The banner as of the latest public message (written then, so pages never fill templates).
    banner_text: Mapped[str] = mapped_column(String(500), default="")
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    declared_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    #: When the team first noticed the problem (drill reports: time to declare).
    detected_at: Mapped[datetime]
    declared_at: Mapped[datetime]
    #: The next public update is promised for this time; the timer reminds and records misses.
    next_update_due_at: Mapped[datetime | None]
    #: The due time the owner was last reminded of, so each reminder goes once.
    reminded_for: Mapped[datetime | None]
    #: The due time whose miss was last recorded, so each miss is recorded once.
    missed_for: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    #: The pinned, locked announcement thread (hidden for a drill).
    forum_thread_id: Mapped[int | None] = mapped_column(ForeignKey("forum_thread.id"))
    #: Data breach: when the team became aware (GDPR Art. 33's 72 hours count from here).
    aware_at: Mapped[datetime | None]
    authority_notified_at: Mapped[datetime | None]
    #: Data breach: Art. 34 checklist, step key → ISO time it was done.
    user_notice_steps: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Whether the missed authority deadline was recorded (once).
    authority_overdue_recorded: Mapped[bool] = mapped_column(Boolean, default=False)

    owner: Mapped[User] = relationship(foreign_keys=[owner_id])


class IncidentEntry(db.Model):
    """One line of an incident's timeline; append-only (public messages, reminders, misses,
    links, checklist steps)."""

    __tablename__ = "incident_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    #: ``declared``, ``update``, ``resolved`` (public); ``reminder``, ``missed``, ``linked``,
    #: ``breach_step``, ``authority_notified``, ``authority_overdue`` (staff only).
    kind: Mapped[str] = mapped_column(String(30))
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    #: None for the timer.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime]
    #: For a public message: when it was due (punctuality), and the next promised time.
    due_at: Mapped[datetime | None]
    next_update_at: Mapped[datetime | None]
    #: A form's one-time token: a retried submission finds its entry instead of a second one.
    request_token: Mapped[str | None] = mapped_column(String(64), unique=True)

    author: Mapped[User | None] = relationship()


class IncidentLink(db.Model):
    """A ticket or forum thread that belongs to an incident."""

    __tablename__ = "incident_link"
    __table_args__ = (
        UniqueConstraint("incident_id", "ticket_id", name="uq_incident_link_ticket"),
        UniqueConstraint("incident_id", "thread_id", name="uq_incident_link_thread"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"), index=True)
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("forum_thread.id"), index=True)
    #: ``auto`` (a new request in an affected category) or ``bulk`` (an agent's search).
    how: Mapped[str] = mapped_column(String(10))
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    linked_at: Mapped[datetime]
    #: An agent keeps this ticket out of the resolution (it is not solved with the incident).
    excluded: Mapped[bool] = mapped_column(Boolean, default=False)


class IncidentNotice(db.Model):
    """That one person was told about one public message: each person once per message."""

    __tablename__ = "incident_notice"
    __table_args__ = (UniqueConstraint("entry_id", "user_id", name="uq_incident_notice_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("incident_entry.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime]


class IncidentTemplate(db.Model):
    """The communication templates of one crisis type; the text lives in its revisions."""

    __tablename__ = "incident_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), unique=True)
    current_revision_id: Mapped[int | None]
    #: Hash of the file last imported, so an unchanged file imports nothing.
    file_hash: Mapped[str | None] = mapped_column(String(64))


class IncidentTemplateRevision(db.Model):
    """One version of a type's templates; append-only (a file import or a browser edit)."""

    __tablename__ = "incident_template_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("incident_template.id"), index=True)
    number: Mapped[int]
    #: Section name (declare, update, resolve, autoreply, ...) → text with ``{placeholders}``.
    sections: Mapped[dict] = mapped_column(JSON)
    #: ``file`` or ``web``.
    source: Mapped[str] = mapped_column(String(10))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]

    author: Mapped[User | None] = relationship()
