"""Retention: what is deleted after how long (``flask privacy retention``, nightly).

The periods are settings (``PRIVACY_*``, see the README's configuration reference):

- closed tickets (solved or closed), with their messages, events, attachments (and files),
  surveys and chat, ``PRIVACY_CLOSED_TICKET_MONTHS`` after they were solved;
- quarantined inbound mail and its original ``.eml`` after ``PRIVACY_MAIL_QUARANTINE_DAYS``;
- search query log entries after ``PRIVACY_SEARCH_LOG_DAYS``;
- unconfirmed accounts after ``PRIVACY_UNCONFIRMED_ACCOUNT_DAYS``: registrations never
  confirmed (counted from their expiry), and contacts (people who only wrote by mail, chat or
  social media, who never claimed an account) once no ticket of theirs is left, counted from
  when they were created; a contact is erased like any person (:func:`erase_person`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select

from app.extensions import db
from app.privacy.rows import Deletion, delete_files_after_commit, delete_rows, table


@dataclass(frozen=True)
class RetentionItem:
    #: What kind of thing goes: "closed ticket", "attachment", "quarantined mail",
    #: "search query log", "unconfirmed registration", "unclaimed contact".
    kind: str
    #: Its table and id.
    table: str
    row_id: int
    #: A short description for the CLI listing (never personal data).
    label: str
    #: When it became due for deletion.
    due_at: datetime


def _months_before(now: datetime, months: int) -> datetime:
    """``now`` moved back by calendar months (forward for a negative number); the day is
    clamped to 28 so every month has it."""
    year, month = divmod(now.year * 12 + now.month - 1 - months, 12)
    return now.replace(year=year, month=month + 1, day=min(now.day, 28))


def _closed_tickets(now: datetime) -> list[RetentionItem]:
    months = current_app.config["PRIVACY_CLOSED_TICKET_MONTHS"]
    tickets, attachments = table("ticket"), table("ticket_attachment")
    cutoff = _months_before(now, months)
    rows = db.session.execute(
        select(tickets.c.id, tickets.c.solved_at)
        .where(tickets.c.status.in_(("solved", "closed")), tickets.c.solved_at < cutoff)
        .order_by(tickets.c.solved_at)
    ).all()
    items = []
    for ticket_id, solved_at in rows:
        due = _months_before(solved_at, -months) if solved_at else now
        items.append(RetentionItem("closed ticket", "ticket", ticket_id, f"#{ticket_id}", due))
        for attachment_id in db.session.scalars(
            select(attachments.c.id).where(attachments.c.ticket_id == ticket_id)
        ):
            label = f"attachment {attachment_id} of #{ticket_id}"
            items.append(
                RetentionItem("attachment", "ticket_attachment", attachment_id, label, due)
            )
    return items


def _older(kind: str, name: str, column: str, days: int, now: datetime, *where) -> list:
    target = table(name)
    (key,) = target.primary_key.columns
    stamp = target.c[column]
    rows = db.session.execute(
        select(key, stamp).where(stamp < now - timedelta(days=days), *where).order_by(stamp)
    ).all()
    return [
        RetentionItem(kind, name, row_id, f"{name} {row_id}", at + timedelta(days=days))
        for row_id, at in rows
    ]


def _contacts(now: datetime, days: int) -> list[RetentionItem]:
    users, tickets = table("user_account"), table("ticket")
    has_ticket = select(tickets.c.id).where(
        or_(tickets.c.requester_id == users.c.id, tickets.c.assignee_id == users.c.id)
    )
    rows = db.session.execute(
        select(users.c.id, users.c.created_at).where(
            users.c.is_contact.is_(True),
            users.c.last_login_at.is_(None),
            users.c.created_at < now - timedelta(days=days),
            ~has_ticket.exists(),
        )
    ).all()
    return [
        RetentionItem("unclaimed contact", "user_account", user_id, f"contact {user_id}",
                      created + timedelta(days=days))
        for user_id, created in rows
    ]  # fmt: skip


def due_items(now: datetime) -> list[RetentionItem]:
    """Everything past its retention period now, without changing anything."""
    config = current_app.config
    items = _closed_tickets(now)
    inbound = table("channel_inbound")
    items += _older(
        "quarantined mail", "channel_inbound", "received_at",
        config["PRIVACY_MAIL_QUARANTINE_DAYS"], now, inbound.c.outcome == "quarantined",
    )  # fmt: skip
    items += _older(
        "search query log", "search_query_log", "created_at", config["PRIVACY_SEARCH_LOG_DAYS"],
        now,
    )  # fmt: skip
    days = config["PRIVACY_UNCONFIRMED_ACCOUNT_DAYS"]
    items += _older("unconfirmed registration", "pending_registration", "expires_at", days, now)
    items += _contacts(now, days)
    return items


def run_retention(now: datetime, *, dry_run: bool) -> list[RetentionItem]:
    """Find (and unless ``dry_run``, delete) everything past its retention period.

    Flushes, never commits: the CLI and the nightly job commit once. A closed ticket goes
    first, so a contact whose last ticket went in this run is deleted by the next one.

    :param now: the current time (UTC, aware).
    :param dry_run: only list what would go.
    :returns: the items that went (or would go).
    """
    from app.privacy.erasure import erase_person, ticket_events_unlocked

    items = due_items(now)
    if dry_run:
        return items
    deletion = Deletion()
    by_table: dict[str, list[int]] = {}
    for item in items:
        if item.kind in {"attachment"}:
            continue  # goes with its ticket
        by_table.setdefault(item.table, []).append(item.row_id)
    with ticket_events_unlocked("retention"):  # a ticket's history ends with the ticket
        delete_rows(table("ticket"), by_table.get("ticket", []), deletion)
    for name in ("channel_inbound", "search_query_log", "pending_registration"):
        delete_rows(table(name), by_table.get(name, []), deletion)
    for user_id in by_table.get("user_account", []):
        erase_person(user_id, now=now)
    delete_files_after_commit(deletion.files, now)
    db.session.flush()
    return items


def nightly(now: datetime) -> dict[str, int]:
    """The ticket timer's job: retention once in the ``PRIVACY_RETENTION_HOUR`` hour (UTC).

    The timer runs every half minute; within that hour the first run deletes what is due and
    the others find nothing left, so no state is needed to run "once a night"."""
    if now.hour != current_app.config["PRIVACY_RETENTION_HOUR"]:
        return {}
    counts: dict[str, int] = {}
    for item in run_retention(now, dry_run=False):
        counts[item.kind] = counts.get(item.kind, 0) + 1
    return counts
