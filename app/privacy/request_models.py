"""Privacy requests: a person's (or, on their behalf, an agent's) request to export or erase
their data, with its approval, cooling-off, progress and result.

One row per request. The status only moves forward (the states and who moves them:
docs/privacy-requests.md); every step on a request made from a ticket is also an event in that
ticket's append-only log. People are referred to by id with ``SET NULL`` on delete: an
erasure removes the account row, and the request then stays as the record that it was done.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

EXPORT, ERASURE = "export", "erasure"
KINDS = (EXPORT, ERASURE)

#: ``requested``: an agent asked, waiting for an admin. ``approved``: may run now (an export the
#: person asked for, or one an admin approved). ``waiting``: an erasure in its cooling-off, runs
#: at ``due_at``. ``running``: the job holds it. Then ``done``, ``failed``, ``cancelled`` (the
#: person signed in during the cooling-off, or an admin withdrew it) or ``rejected`` (by an admin).
REQUESTED, APPROVED, WAITING, RUNNING = "requested", "approved", "waiting", "running"
DONE, FAILED, CANCELLED, REJECTED = "done", "failed", "cancelled", "rejected"
STATUSES = (REQUESTED, APPROVED, WAITING, RUNNING, DONE, FAILED, CANCELLED, REJECTED)
OPEN_STATUSES = (REQUESTED, APPROVED, WAITING, RUNNING)


class PrivacyRequest(db.Model):
    __tablename__ = "privacy_request"
    __table_args__ = (
        Index("ix_privacy_request_status_due", "status", "due_at"),
        Index("ix_privacy_request_subject_kind", "subject_id", "kind", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: :data:`EXPORT` or :data:`ERASURE`.
    kind: Mapped[str] = mapped_column(String(10))
    #: Whose data. Null once the account is erased (the request is then the record of it).
    subject_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    #: The address the result is mailed to, kept only until the completion mail is queued:
    #: an erasure must still tell the person at the address it is about to remove.
    notify_email: Mapped[str | None] = mapped_column(String(254))
    #: Who asked: the person themself, or the agent acting for them (then ``reason`` and
    #: ``ticket_id`` are set).
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    #: True when the person asked on their own account page (no approval needed).
    by_subject: Mapped[bool] = mapped_column(default=False)
    #: The agent's reason (required when an agent asks).
    reason: Mapped[str | None] = mapped_column(Text)
    #: The "Data and Privacy" ticket the request was made from.
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id", ondelete="SET NULL"))
    #: One of :data:`STATUSES`.
    status: Mapped[str] = mapped_column(String(12))
    #: The admin who approved or rejected an agent's request (never the agent: four eyes).
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None]
    #: Why an admin rejected it, or why it was cancelled.
    decision_note: Mapped[str | None] = mapped_column(Text)
    #: When the job may run it (an erasure: the end of the cooling-off).
    due_at: Mapped[datetime | None]
    #: Erasure only: delete the person's posts nobody replied to or quoted (else anonymise all).
    delete_posts: Mapped[bool] = mapped_column(default=False)
    #: Items done and in all, written by the job while it runs (the account page shows them).
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int] = mapped_column(default=0)
    #: Export only: the zip, under ``PRIVACY_EXPORT_DIR``; removed when it expires.
    archive_path: Mapped[str | None] = mapped_column(String(500))
    #: Export only: random part of the download link, so a new export spends the old link.
    link_nonce: Mapped[str | None] = mapped_column(String(32))
    #: Export only: the link and the archive stop working at this time.
    expires_at: Mapped[datetime | None]
    #: What the job did: counts from the erasure report, or the archive's size.
    result: Mapped[dict | None] = mapped_column(JSON)
    #: Why the job failed (for admins; the person gets a plain message).
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
