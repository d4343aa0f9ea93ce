"""Privacy requests: asking for an export or an erasure, approving, cancelling, downloading.

The person asks on their account page (the password is their consent; no approval). An agent
asks from a "Data and Privacy" ticket with a reason; an admin other than that agent approves or
rejects it (four eyes). An erasure then waits out the cooling-off with the person signed out
everywhere; signing in during it cancels it. The job that runs due requests is in
:mod:`app.privacy.jobs`. Services flush only; the caller commits.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.security import check_password_hash

from app.accounts.models import User
from app.accounts.permissions import (
    can,
    can_approve_privacy_request,
    can_download_privacy_export,
)
from app.accounts.services import end_all_sessions
from app.errors import DomainError, NotFound, PermissionDenied
from app.extensions import db
from app.mail import OutgoingMail, site_link
from app.outbox import record_mail
from app.privacy.request_models import (
    APPROVED,
    CANCELLED,
    DONE,
    ERASURE,
    EXPORT,
    FAILED,
    KINDS,
    OPEN_STATUSES,
    REJECTED,
    REQUESTED,
    WAITING,
    PrivacyRequest,
)
from app.tickets.models import Ticket
from app.tickets.sla.clock import log_event

#: The ticket category whose tickets may carry privacy requests.
PRIVACY_CATEGORY = "privacy"
#: Salt of the download link's signature: a token signed for anything else never opens it.
LINK_SALT = "privacy-export-download"
REASON_MAX = 1000


class ExportLinkExpired(DomainError):
    """A download link past its time (the page answers 410 Gone, not 404)."""


# --- asking -------------------------------------------------------------------------------


def latest_export(user_id: int) -> PrivacyRequest | None:
    """The person's most recent own export (what the account page shows)."""
    return db.session.scalar(
        select(PrivacyRequest)
        .where(PrivacyRequest.subject_id == user_id, PrivacyRequest.kind == EXPORT)
        .where(PrivacyRequest.by_subject.is_(True))
        .order_by(PrivacyRequest.created_at.desc(), PrivacyRequest.id.desc())
        .limit(1)
    )


def next_export_allowed_at(user_id: int) -> datetime | None:
    """When the person may ask again, or None if they may now. A failed export never counts."""
    hours = current_app.config["PRIVACY_EXPORT_INTERVAL_HOURS"]
    last = latest_export(user_id)
    if last is None or last.status == FAILED:
        return None
    return last.created_at + timedelta(hours=hours)


def request_own_export(user: User, now: datetime) -> PrivacyRequest:
    """The person asks for their data; the job builds it at once.

    :raises DomainError: an export is still being built, or one was asked for too recently
        (``field`` ``export``: the message goes next to the button).
    """
    last = latest_export(user.id)
    if last is not None and last.status in OPEN_STATUSES:
        raise DomainError(
            "Your archive is being prepared; we'll e-mail you when it's ready.", "export"
        )
    allowed_at = next_export_allowed_at(user.id)
    if allowed_at is not None and allowed_at > now:
        hours = current_app.config["PRIVACY_EXPORT_INTERVAL_HOURS"]
        local = allowed_at.astimezone(ZoneInfo(current_app.config["SUPPORT_TIMEZONE"]))
        raise DomainError(
            f"You can ask for one export every {hours} hours. "
            f"You can ask again from {local:%d %B %Y, %H:%M}.",
            "export",
        )
    return _new_request(EXPORT, user, user, now, status=APPROVED, due_at=now)


def request_own_erasure(
    user: User, password: str, delete_posts: bool, now: datetime
) -> PrivacyRequest:
    """The person deletes their account: it waits out the cooling-off, signed out everywhere.

    :raises DomainError: the password is wrong (``field`` ``password``).
    """
    if not check_password_hash(user.password_hash, password or ""):
        raise DomainError("That is not your password.", "password")
    request = _new_request(ERASURE, user, user, now, status=WAITING, delete_posts=delete_posts)
    _start_cooling_off(request, user, now)
    return request


def request_for_ticket(
    agent: User, ticket: Ticket, kind: str, reason: str, delete_posts: bool, now: datetime
) -> PrivacyRequest:
    """An agent asks, for the ticket's requester, on a "Data and Privacy" ticket.

    :raises PermissionDenied: not an agent, or not a privacy ticket.
    :raises DomainError: no reason, an unknown kind, or one already open.
    """
    if not can(agent, "privacy.request") or ticket.category != PRIVACY_CATEGORY:
        raise PermissionDenied("Only agents can ask, and only on a Data and Privacy ticket.")
    if kind not in KINDS:
        raise DomainError("Choose export or erasure.", "kind")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Say why (the admin who approves reads it).", "reason")
    if len(reason) > REASON_MAX:
        raise DomainError(f"Keep the reason under {REASON_MAX} characters.", "reason")
    subject = db.session.get(User, ticket.requester_id)
    if subject is None:
        raise DomainError("The requester's account no longer exists.", "kind")
    if _open_request(subject.id, kind) is not None:
        raise DomainError(f"An {kind} for this person is already open.", "kind")
    request = _new_request(
        kind, subject, agent, now, status=REQUESTED, delete_posts=delete_posts, by_subject=False
    )
    request.reason, request.ticket_id = reason, ticket.id
    db.session.flush()
    log_step(request, agent, "requested", now, reason=reason)
    return request


def _new_request(kind, subject, asker, now, *, status, due_at=None, delete_posts=False,
                 by_subject=True) -> PrivacyRequest:  # fmt: skip
    request = PrivacyRequest(
        kind=kind, subject_id=subject.id, notify_email=subject.email,
        requested_by_id=asker.id, by_subject=by_subject, status=status, due_at=due_at,
        delete_posts=bool(delete_posts) if kind == ERASURE else False,
        progress_done=0, progress_total=0, created_at=now,
    )  # fmt: skip
    db.session.add(request)
    db.session.flush()
    return request


def _open_request(subject_id: int, kind: str) -> PrivacyRequest | None:
    return db.session.scalar(
        select(PrivacyRequest).where(
            PrivacyRequest.subject_id == subject_id,
            PrivacyRequest.kind == kind,
            PrivacyRequest.status.in_(OPEN_STATUSES),
        )
    )


def _start_cooling_off(request: PrivacyRequest, subject: User, now: datetime) -> None:
    request.status = WAITING
    request.due_at = now + timedelta(days=current_app.config["PRIVACY_ERASURE_COOLING_OFF_DAYS"])
    end_all_sessions(subject, now)
    mail_person(
        request, now, "Your GrowgrEbuddy Help Center account will be deleted",
        f"We received a request to delete your account. It will be deleted on "
        f"{request.due_at:%d %B %Y at %H:%M} UTC, and you have been signed out everywhere.\n\n"
        f"Changed your mind? Sign in before then and the deletion is cancelled:\n"
        f"{site_link('accounts.login')}\n",
    )  # fmt: skip


# --- deciding (admins) and cancelling -----------------------------------------------------


def get_request(request_id: int) -> PrivacyRequest:
    request = db.session.get(PrivacyRequest, request_id)
    if request is None:
        raise NotFound("No such privacy request.")
    return request


def approve(admin: User, request: PrivacyRequest, now: datetime) -> None:
    """An admin approves an agent's request: an export runs now, an erasure cools off first.

    :raises PermissionDenied: not an admin, or the admin is the agent who asked (four eyes).
    :raises DomainError: it was decided already.
    """
    _decide(admin, request, now)
    log_step(request, admin, "approved", now)
    if request.kind == EXPORT:
        request.status, request.due_at = APPROVED, now
        return
    subject = db.session.get(User, request.subject_id) if request.subject_id else None
    if subject is None:
        raise DomainError("The person's account no longer exists.")
    _start_cooling_off(request, subject, now)


def reject(admin: User, request: PrivacyRequest, note: str, now: datetime) -> None:
    """:raises DomainError: no reason given (``field`` ``note``), or decided already."""
    note = (note or "").strip()
    if not note:
        raise DomainError("Say why, for the agent and the ticket's log.", "note")
    _decide(admin, request, now)
    request.status, request.decision_note = REJECTED, note[:REASON_MAX]
    log_step(request, admin, "rejected", now, reason=request.decision_note)


def _decide(admin: User, request: PrivacyRequest, now: datetime) -> None:
    if not can_approve_privacy_request(admin, request):
        raise PermissionDenied(
            "Another admin must decide: nobody approves a request they asked for themself."
        )
    if request.status != REQUESTED:
        raise DomainError("This request was decided already.")
    request.decided_by_id, request.decided_at = admin.id, now


def cancel_erasure_on_sign_in(user: User, now: datetime) -> PrivacyRequest | None:
    """Signing in during the cooling-off cancels the erasure (returned), or None."""
    request = db.session.scalar(
        select(PrivacyRequest).where(
            PrivacyRequest.subject_id == user.id,
            PrivacyRequest.kind == ERASURE,
            PrivacyRequest.status == WAITING,
        )
    )
    if request is None:
        return None
    request.status, request.decision_note = (
        CANCELLED,
        "The person signed in during the cooling-off.",
    )
    request.finished_at = now
    log_step(request, None, "cancelled", now, reason=request.decision_note)
    mail_person(
        request, now, "Your account will not be deleted",
        "You signed in, so the deletion of your GrowgrEbuddy Help Center account is cancelled. "
        "Nothing was deleted.\n",
    )  # fmt: skip
    request.notify_email = None
    return request


# --- downloading --------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=LINK_SALT)


def download_token(request: PrivacyRequest) -> str:
    """The signed part of the download link: the request and its random nonce."""
    return _serializer().dumps([request.id, request.link_nonce])


def new_link_nonce() -> str:
    return secrets.token_hex(16)


def export_for_download(token: str, viewer: User, now: datetime) -> PrivacyRequest:
    """The export a download link opens, for the signed-in person it belongs to.

    :raises NotFound: a tampered or unknown link, or one a newer export replaced.
    :raises ExportLinkExpired: past its time (the archive is gone).
    :raises PermissionDenied: someone else is signed in.
    """
    max_age = current_app.config["PRIVACY_EXPORT_LINK_DAYS"] * 86400
    try:
        request_id, nonce = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise ExportLinkExpired("This download link has expired. Ask for a new export.") from None
    except (BadSignature, ValueError, TypeError):
        raise NotFound("This download link is not valid. Check that it was copied whole.") from None
    request = db.session.get(PrivacyRequest, request_id) if isinstance(request_id, int) else None
    if request is None or request.kind != EXPORT or not nonce or request.link_nonce != nonce:
        raise NotFound("This download link is not valid. Check that it was copied whole.")
    if request.status != DONE or request.expires_at is None or request.expires_at <= now:
        raise ExportLinkExpired("This download link has expired. Ask for a new export.")
    if not can_download_privacy_export(viewer, request):
        raise PermissionDenied("This archive belongs to another account. Sign in as its owner.")
    return request


# --- the ticket's log and mail ------------------------------------------------------------


def log_step(request: PrivacyRequest, actor: User | None, step: str, now: datetime, **facts):
    """Append the step to the ticket's event log, when the request came from a ticket."""
    if request.ticket_id is None:
        return
    ticket = db.session.get(Ticket, request.ticket_id)
    if ticket is None:
        return
    after = {"step": step, "request": request.id, "kind": request.kind}
    after.update({key: value for key, value in facts.items() if value is not None})
    log_event(ticket, actor, "privacy_request", now, after=after)


def mail_person(request: PrivacyRequest, now: datetime, subject: str, body: str) -> None:
    """Mail the person at the address kept on the request (also once the account is gone)."""
    if request.notify_email:
        record_mail(OutgoingMail(request.notify_email, subject, body), now)
