"""The background side of privacy requests, run by the timer (``flask tickets tick``).

:func:`run_due` takes each due request (an approved export, an erasure past its cooling-off),
claims it with one compare-and-swap UPDATE (so two timer hosts never run the same request),
commits, runs it, and records the result. An export's progress is committed as it grows, so the
account page can show it. :func:`remove_expired_exports` deletes archives past their link's time.
"""

from __future__ import annotations

import logging
import shutil
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update

from app.extensions import db
from app.mail import OutgoingMail, site_link
from app.models import utcnow
from app.outbox import commit, record, seconds_left
from app.privacy.erasure import erase_person
from app.privacy.export import build_export
from app.privacy.request_models import (
    APPROVED,
    DONE,
    EXPORT,
    FAILED,
    RUNNING,
    WAITING,
    PrivacyRequest,
)
from app.privacy.requests import download_token, log_step, mail_person, new_link_nonce

log = logging.getLogger(__name__)

#: The outbox kind of the mail that tells an erased person it is done.
FAREWELL = "privacy_farewell"
#: A request "running" this long was left by a timer that died (a crash rolls its work back):
#: another run takes it over. Erasure is idempotent and an export is rebuilt from scratch.
STALE_AFTER = timedelta(hours=2)
#: At most this many requests per timer run: an erasure or export is heavy, the timer is shared.
BATCH = 5


def export_dir() -> Path:
    folder = current_app.config["PRIVACY_EXPORT_DIR"] or str(
        Path(current_app.instance_path, "privacy_exports")
    )
    return Path(folder)


def run_due(now: datetime) -> dict[str, int]:
    """Run the requests that are due; the tick job. Returns counts per outcome."""
    outcomes: dict[str, int] = {}
    due = db.session.scalars(
        select(PrivacyRequest.id)
        .where(_runnable(now))
        .order_by(PrivacyRequest.due_at, PrivacyRequest.id)
        .limit(BATCH)
    ).all()
    for request_id in due:
        if not _claim(request_id, now):
            continue
        outcome = run_one(db.session.get(PrivacyRequest, request_id), now)
        commit()
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    removed = remove_expired_exports(now)
    if removed:
        outcomes["archives removed"] = removed
    return outcomes


def _runnable(now: datetime):
    due = PrivacyRequest.status.in_((APPROVED, WAITING)) & (PrivacyRequest.due_at <= now)
    abandoned = (PrivacyRequest.status == RUNNING) & (PrivacyRequest.started_at < now - STALE_AFTER)
    return due | abandoned


def _claim(request_id: int, now: datetime) -> bool:
    claimed = db.session.execute(
        update(PrivacyRequest)
        .where(PrivacyRequest.id == request_id, _runnable(now))
        .values(status=RUNNING, started_at=now)
        .execution_options(synchronize_session=False)
    )
    commit()
    return claimed.rowcount == 1


def run_one(request: PrivacyRequest, now: datetime) -> str:
    """Run one claimed request; a failure is recorded on it (and logged), never raised."""
    db.session.refresh(request)
    log_step(request, None, "started", now)
    try:
        if request.kind == EXPORT:
            _export(request, now)
        else:
            _erase(request, now)
    except Exception as exc:  # the request shows "failed"; the admin reads the error
        log.exception("privacy request %s (%s) failed", request.id, request.kind)
        db.session.rollback()
        request = db.session.get(PrivacyRequest, request.id)
        request.status, request.finished_at = FAILED, now
        request.error = f"{type(exc).__name__}: {exc}"[:2000]
        log_step(request, None, "failed", now)
        return "failed"
    return "done"


def _export(request: PrivacyRequest, now: datetime) -> None:
    folder = export_dir() / str(request.id)
    folder.mkdir(parents=True, exist_ok=True)
    request_id = request.id

    def progress(done: int, total: int) -> None:
        # Committed at once, on its own: the account page polls it while the archive grows.
        db.session.execute(
            update(PrivacyRequest)
            .where(PrivacyRequest.id == request_id)
            .values(progress_done=done, progress_total=total)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()

    archive = build_export(request.subject_id, folder, progress)
    db.session.refresh(request)
    days = current_app.config["PRIVACY_EXPORT_LINK_DAYS"]
    request.archive_path = str(archive)
    request.link_nonce = new_link_nonce()
    request.expires_at = now + timedelta(days=days)
    request.status, request.finished_at = DONE, now
    request.result = {"bytes": archive.stat().st_size}
    link = download_link(request)
    log_step(request, None, "done", now)
    if request.by_subject:
        mail_person(
            request, now, "Your GrowgrEbuddy Help Center data is ready",
            f"The archive of your data is ready. Download it here (you will be asked to sign "
            f"in) until {request.expires_at:%d %B %Y}:\n{link}\n\n"
            f"It holds a JSON file per kind of data, your attachments and your own Markdown.\n",
        )  # fmt: skip
    request.notify_email = None


def download_link(request: PrivacyRequest) -> str:
    return site_link("privacy_requests.download_export", token=download_token(request))


def _erase(request: PrivacyRequest, now: datetime) -> None:
    subject_id, address = request.subject_id, request.notify_email
    if subject_id is None:
        raise LookupError("the account is gone already")
    report = erase_person(subject_id, delete_posts=request.delete_posts)
    # erase_person blanks and expires every row of the person, this one's address too.
    request = db.session.get(PrivacyRequest, request.id)
    # The person's earlier exports hold their data too: they go with the account.
    for export in db.session.scalars(
        select(PrivacyRequest).where(
            PrivacyRequest.subject_id.in_((subject_id, report.placeholder_id)),
            PrivacyRequest.kind == EXPORT,
        )
    ):
        _remove_archive(export)
    request.subject_id = None
    request.result = {"counts": report.counts, "placeholder_id": report.placeholder_id}
    request.status, request.finished_at = DONE, now
    log_step(request, None, "done", now, **erasure_totals(request.result))
    # The farewell goes to the address before erasure, kept on this row only until it is sent
    # (not as an outbox mail, which would keep the address in its payload for good).
    request.notify_email = address
    record(FAREWELL, {"request": request.id}, now)


def send_farewell(payload: dict) -> None:
    """Outbox handler: the "your account is deleted" mail, then the address is forgotten."""
    request = db.session.get(PrivacyRequest, payload["request"])
    if request is None or not request.notify_email:
        return
    mail = OutgoingMail(
        request.notify_email, "Your GrowgrEbuddy Help Center account is deleted",
        "Your account and your personal data are deleted, as you asked. Posts and wiki edits "
        "that stay for the community show as written by a former member.\n",
    )  # fmt: skip
    message = mail.to_message(current_app.config["MAIL_DEFAULT_SENDER"], utcnow())
    timeout = seconds_left(current_app.config["MAIL_TIMEOUT"])
    current_app.extensions["mailer"].send(message, timeout=timeout)
    request.notify_email = None  # committed by the drain with the event's "processed"


def erasure_totals(result: dict | None) -> dict[str, int]:
    """Rows deleted, anonymised and redacted in all, from an erasure's per-table counts."""
    totals = {"deleted": 0, "anonymised": 0, "redacted": 0}
    for actions in ((result or {}).get("counts") or {}).values():
        for action, count in actions.items():
            totals[action] = totals.get(action, 0) + count
    return totals


def remove_expired_exports(now: datetime) -> int:
    """Delete archives whose link has expired; the request row stays as the record."""
    expired = db.session.scalars(
        select(PrivacyRequest).where(
            PrivacyRequest.kind == EXPORT,
            PrivacyRequest.archive_path.is_not(None),
            PrivacyRequest.expires_at <= now,
        )
    ).all()
    for request in expired:
        _remove_archive(request)
    return len(expired)


def _remove_archive(request: PrivacyRequest) -> None:
    if request.archive_path:
        shutil.rmtree(Path(request.archive_path).parent, ignore_errors=True)
    request.archive_path = None
