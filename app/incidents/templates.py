"""Communication templates: one file per crisis type in ``content/incidents/<type>.md``, imported
as revisions, editable in the browser with history. Like the knowledge base, a file import never
silently overwrites a browser edit: the file's change is reported and the edit stays current
until someone accepts the file (``flask incidents templates --accept-file TYPE``)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from app.accounts.models import User
from app.accounts.permissions import can
from app.errors import DomainError, NotFound
from app.extensions import db
from app.incidents import rules
from app.incidents.models import IncidentTemplate, IncidentTemplateRevision

SECTION_MAX = 5000


@dataclass
class TemplateSyncReport:
    actions: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def template_dir() -> Path:
    return Path(current_app.config["CONTENT_DIR"]) / "incidents"


def _template(kind: str) -> IncidentTemplate | None:
    return db.session.scalar(select(IncidentTemplate).where(IncidentTemplate.kind == kind))


def current_revision(kind: str) -> IncidentTemplateRevision | None:
    template = _template(kind)
    if template is None or template.current_revision_id is None:
        return None
    return db.session.get(IncidentTemplateRevision, template.current_revision_id)


def _add_revision(template, sections, source, author, note, now) -> IncidentTemplateRevision:
    number = (
        db.session.scalar(
            select(func.max(IncidentTemplateRevision.number)).where(
                IncidentTemplateRevision.template_id == template.id
            )
        )
        or 0
    ) + 1
    revision = IncidentTemplateRevision(
        template_id=template.id, number=number, sections=sections, source=source,
        author_id=author.id if author is not None else None, note=note[:200], created_at=now,
    )  # fmt: skip
    db.session.add(revision)
    db.session.flush()
    template.current_revision_id = revision.id
    return revision


def sync_templates(now: datetime, *, accept_file: set[str] | frozenset = frozenset()):
    """Import each type's file where it changed (flushes; the caller commits)."""
    report = TemplateSyncReport()
    for kind in current_app.config["INCIDENT_TYPES"]:
        path = template_dir() / f"{kind}.md"
        try:
            data = path.read_bytes()
        except OSError:
            report.errors.append(f"{kind}: no file {path.name}")
            continue
        sections, problems = rules.parse_template_file(data.decode("utf-8", "replace"))
        if problems:
            report.errors.append(f"{kind}: {'; '.join(problems)}")
            continue
        digest = hashlib.sha256(data).hexdigest()
        template = _template(kind)
        if template is None:
            template = IncidentTemplate(kind=kind)
            db.session.add(template)
            db.session.flush()
        elif template.file_hash == digest:
            continue
        current = current_revision(kind)
        if current is not None and current.source == "web" and kind not in accept_file:
            report.actions.append(("kept browser edit (file changed)", kind))
            continue
        if current is None or current.sections != sections:
            _add_revision(template, sections, "file", None, f"imported {path.name}", now)
            report.actions.append(("imported", kind))
        template.file_hash = digest
    db.session.flush()
    return report


def sections_for(kind: str, now: datetime) -> dict[str, str]:
    """The templates in force for ``kind``; a type never imported is imported first."""
    revision = current_revision(kind)
    if revision is None:
        sync_templates(now)
        revision = current_revision(kind)
    if revision is None:
        raise DomainError(f"There is no usable template for {kind!r}; check its file.", "kind")
    return revision.sections


def edit_template(actor: User, kind: str, sections: dict[str, str], note: str, now: datetime):
    """Save a browser edit as a new revision (nothing when identical).

    :raises DomainError: no permission, an empty section or an unknown placeholder (by field).
    """
    if not can(actor, "incidents.manage"):
        raise NotFound("No such template.")
    if kind not in current_app.config["INCIDENT_TYPES"]:
        raise NotFound("No such template.")
    cleaned = {}
    for name in rules.SECTIONS:
        text = (sections.get(name) or "").strip()
        if not text:
            raise DomainError("Write this part of the template.", name)
        if len(text) > SECTION_MAX:
            raise DomainError(f"Use at most {SECTION_MAX} characters.", name)
        unknown = [p for p in rules.PLACEHOLDER.findall(text) if p not in rules.PLACEHOLDERS]
        if unknown:
            known = ", ".join("{" + p + "}" for p in rules.PLACEHOLDERS)
            raise DomainError(f"Unknown placeholder {{{unknown[0]}}}; use {known}.", name)
        cleaned[name] = text
    sections_for(kind, now)
    template = _template(kind)
    current = current_revision(kind)
    if current is not None and current.sections == cleaned:
        return current
    return _add_revision(template, cleaned, "web", actor, note.strip() or "edited", now)


def history(kind: str) -> list[IncidentTemplateRevision]:
    template = _template(kind)
    if template is None:
        return []
    return db.session.scalars(
        select(IncidentTemplateRevision)
        .where(IncidentTemplateRevision.template_id == template.id)
        .order_by(IncidentTemplateRevision.number.desc())
    ).all()
