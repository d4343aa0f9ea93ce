"""Read-only look-ups of privacy requests for pages: the account page, the admins' list and the
ticket's panel."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from app.privacy.request_models import DONE, ERASURE, EXPORT, REQUESTED, PrivacyRequest
from app.privacy.requests import latest_export

#: Status words for people (the stored ones are for machines).
STATUS_WORDS = {
    "requested": "waiting for an admin's approval",
    "approved": "about to start",
    "waiting": "in its cooling-off period",
    "running": "being prepared",
    "done": "done",
    "failed": "failed",
    "cancelled": "cancelled",
    "rejected": "rejected",
}


def export_progress(user_id: int) -> dict:
    """The latest own export as the account page's script reads it."""
    export = latest_export(user_id)
    if export is None:
        return {"status": None}
    return {
        "status": export.status,
        "words": STATUS_WORDS[export.status],
        "done": export.progress_done,
        "total": export.progress_total,
    }


def awaiting_decision() -> list[PrivacyRequest]:
    """Agents' requests no admin has decided yet, oldest first."""
    return db.session.scalars(
        select(PrivacyRequest)
        .where(PrivacyRequest.status == REQUESTED)
        .order_by(PrivacyRequest.created_at, PrivacyRequest.id)
    ).all()


def recent_requests(limit: int = 50) -> list[PrivacyRequest]:
    """Every other request, newest first (the person's own ones too: admins see all)."""
    return db.session.scalars(
        select(PrivacyRequest)
        .where(PrivacyRequest.status != REQUESTED)
        .order_by(PrivacyRequest.created_at.desc(), PrivacyRequest.id.desc())
        .limit(limit)
    ).all()


def requests_for_ticket(ticket_id: int) -> list[PrivacyRequest]:
    return db.session.scalars(
        select(PrivacyRequest)
        .where(PrivacyRequest.ticket_id == ticket_id)
        .order_by(PrivacyRequest.created_at.desc(), PrivacyRequest.id.desc())
    ).all()


def person_name(user_id: int | None) -> str:
    user = db.session.get(User, user_id) if user_id else None
    return user.display_name if user is not None else "a former member"


def request_facts(request: PrivacyRequest) -> dict:
    """Names and words the decision page and the lists show for one request."""
    return {
        "kind": "Export" if request.kind == EXPORT else "Erasure",
        "subject": person_name(request.subject_id),
        "asked_by": "the person" if request.by_subject else person_name(request.requested_by_id),
        "decided_by": person_name(request.decided_by_id) if request.decided_by_id else "",
        "status": STATUS_WORDS[request.status],
        "posts": (
            ("delete unanswered posts" if request.delete_posts else "anonymise all posts")
            if request.kind == ERASURE
            else ""
        ),
        "finished": request.status == DONE,
    }
