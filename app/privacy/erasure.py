"""Erasing a person (GDPR Art. 17), Discourse-style anonymisation.

The account row and personal fields go; forum posts and wiki revisions stay, attributed to one
placeholder account ("Former member", which cannot sign in); tickets stay for the retention period
with personal fields removed. Everything runs in the caller's one transaction (the service only
flushes) and a re-run finds nothing left to do.

Ticket events are append-only everywhere else; redacting an existing event's payload in place
is the one allowed exception and lives in this module only (see docs/privacy.md).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.errors import DomainError
from app.extensions import db
from app.privacy.classification import UNASSIGN_ON_ERASURE
from app.privacy.inventory import PERSON_TABLE, TableEntry, inventory
from app.privacy.rows import (
    Deletion,
    chunks,
    delete_files_after_commit,
    delete_rows,
    key_in,
    keys_where,
    table,
)
from app.privacy.scrub import Term, ids_where, phrases_of, scrub_everywhere

log = logging.getLogger(__name__)

PLACEHOLDER_EMAIL = "former-member@placeholder.invalid"
PLACEHOLDER_NAME = "Former member"
#: A password hash no password matches (werkzeug reads it as malformed: never a match).
UNUSABLE_PASSWORD = "!"  # noqa: S105 (not a password)
#: What a removed text reads.
REDACTED = "[removed]"
#: The ticket event erasure adds to each kept ticket of the person.
ERASED_EVENT = "requester_erased"


@dataclass
class ErasureReport:
    #: The erased account's id.
    user_id: int
    #: Rows per table: {"table": {"deleted": n, "anonymised": n, "scrubbed": n, ...}}.
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    #: The placeholder account that now carries the kept posts and revisions.
    placeholder_id: int | None = None
    #: False when there was nothing (left) to erase: a re-run.
    changed: bool = False


@contextmanager
def ticket_events_unlocked(reason: str) -> Iterator[None]:
    """Let this transaction change ticket events: THE one exception to the append-only log.

    Erasure redacts the person's data inside existing event payloads (and names the
    placeholder as their actor); retention deletes the events of a ticket whose retention
    ended. The database triggers refuse any other change. The key row is removed before the
    caller commits, so no other transaction ever sees it; after an error the rollback removes
    it.
    """
    unlock = table("ticket_event_unlock")
    db.session.execute(unlock.insert().values(reason=reason))
    yield
    db.session.execute(unlock.delete().where(unlock.c.reason == reason))


def placeholder_account(now: datetime) -> User:
    """The one "Former member" account, created on first use. It cannot sign in: suspended,
    and its password hash matches no password."""
    user = db.session.scalar(select(User).where(User.email == PLACEHOLDER_EMAIL))
    if user is None:
        user = User(
            email=PLACEHOLDER_EMAIL, display_name=PLACEHOLDER_NAME, password_hash=UNUSABLE_PASSWORD,
            role="member", is_suspended=True, is_contact=False, created_at=now,
        )  # fmt: skip
        db.session.add(user)
        db.session.flush()
    return user


def _owned_ids(entry: TableEntry, user_id: int) -> list:
    """The person's own rows of a table (by its owner columns)."""
    target = table(entry.table)
    owners = [target.c[name] == user_id for name in entry.owner_columns]
    return keys_where(target, sa.or_(*owners)) if owners else []


def _via_ids(entry: TableEntry, parents: dict[str, list]) -> list:
    if entry.via is None or not parents.get(entry.via[1]):
        return []
    return ids_where(table(entry.table), entry.via[0], parents[entry.via[1]])


def _unique_with(column: sa.Column) -> bool:
    target = column.table
    groups = [c.columns for c in target.constraints if isinstance(c, sa.UniqueConstraint)]
    groups += [i.columns for i in target.indexes if i.unique]
    return column.unique or any(column.name in g for g in groups)


def _private_texts(entries: list[TableEntry], rows: dict[str, list]) -> list[str]:
    """The person's own private texts (ticket descriptions, their messages, chat, comments):
    wherever a line of them was copied (an event, a quoted reply), it is removed too."""
    texts = []
    for entry in entries:
        target = table(entry.table)
        columns = [
            target.c[c.name]
            for c in entry.columns
            if c.personal and c.rule.value in {"anonymise", "retain", "delete"}
            and isinstance(target.c[c.name].type, sa.String | sa.Text)
            and not target.c[c.name].foreign_keys and c.name not in entry.owner_columns
        ]  # fmt: skip
        if not columns or not rows.get(entry.table):
            continue
        for batch in chunks(rows[entry.table]):
            for row in db.session.execute(select(*columns).where(key_in(target, batch))):
                texts += [value for value in row if isinstance(value, str)]
    return phrases_of(texts)


def _blank(entry: TableEntry, ids: list, deletion: Deletion) -> None:
    """Remove the personal text columns of the person's kept rows (JSON ones are scrubbed)."""
    target = table(entry.table)
    values = {}
    for column in entry.columns:
        real = target.c[column.name]
        if not column.personal or column.rule.value not in {"anonymise", "retain"}:
            continue
        if real.foreign_keys or column.name in entry.person_columns:
            continue
        if isinstance(real.type, sa.String | sa.Text):
            values[column.name] = None if real.nullable else REDACTED
    for batch in chunks(ids) if values else ():
        n = db.session.execute(update(target).where(key_in(target, batch)).values(values)).rowcount
        deletion.add(entry.table, "redacted", n)


def _move_to_placeholder(user_id: int, placeholder_id: int, deletion: Deletion) -> None:
    """Every remaining reference to the person now names the placeholder (or nobody, where a
    column is unique per person, or the row goes, where it is required and unique)."""
    for entry in inventory():
        target = table(entry.table)
        for name in entry.person_columns:
            column = target.c[name]
            if entry.table == PERSON_TABLE:
                continue
            if name in UNASSIGN_ON_ERASURE.get(entry.table, ()) and column.nullable:
                n = db.session.execute(
                    update(target).where(column == user_id).values({name: None})
                ).rowcount
                deletion.add(entry.table, "unassigned", n)
                continue
            if _unique_with(column):
                if column.nullable:
                    n = db.session.execute(
                        update(target).where(column == user_id).values({name: None})
                    ).rowcount
                    deletion.add(entry.table, "unlinked", n)
                else:
                    _move_unique(target, column, user_id, placeholder_id, deletion)
                continue
            n = db.session.execute(
                update(target).where(column == user_id).values({name: placeholder_id})
            ).rowcount
            deletion.add(entry.table, "anonymised", n)


def _move_unique(
    target: sa.Table, column: sa.Column, user_id: int, placeholder_id: int, deletion: Deletion
) -> None:
    """Rows unique per person (a daily figure per agent): moved to the placeholder one by one;
    where the placeholder already has that row (an earlier erasure), this one is deleted."""
    for key in keys_where(target, column == user_id):
        try:
            with db.session.begin_nested():
                db.session.execute(
                    update(target)
                    .where(key_in(target, [key]))
                    .values({column.name: placeholder_id})
                )
            deletion.add(target.name, "anonymised", 1)
        except IntegrityError:
            delete_rows(target, [key], deletion)


def _person_terms(user: User) -> list[Term]:
    identities = table("channel_identity")
    terms = [Term(user.email, "[e-mail removed]")]
    names = {user.display_name}
    for address, handle, display in db.session.execute(
        select(identities.c.address, identities.c.handle, identities.c.display_name).where(
            identities.c.user_id == user.id
        )
    ):
        terms += [Term(value, "[address removed]") for value in (address, handle) if value]
        names.add(display or "")
    terms += [Term(name, "[name removed]", words=True) for name in names if name]
    return terms


def _forget_mail(email: str, deletion: Deletion) -> None:
    """Queued and sent mail to the person goes from the outbox (nothing is sent to an erased
    person; the copies are theirs)."""
    events = table("outbox_event")
    rows = db.session.execute(
        select(events.c.id, events.c.payload).where(events.c.kind == "mail")
    ).all()
    ids = [row_id for row_id, payload in rows if str((payload or {}).get("to", "")).lower()
           == email.lower()]  # fmt: skip
    delete_rows(events, ids, deletion)


def erase_person(
    user_id: int, *, delete_posts: bool = False, now: datetime | None = None
) -> ErasureReport:
    """Erase the person's personal data everywhere; flush, never commit.

    :param user_id: the account to erase.
    :param delete_posts: delete the person's forum replies instead of anonymising them, except
        those that are quoted (those stay, anonymised); opening posts always stay.
    :param now: the time of the erasure (default: the clock).
    :returns: counts per table; for an account that no longer exists (a re-run after the
        erasure committed) nothing happens and ``changed`` is False.
    :raises DomainError: the account is the placeholder itself.
    """
    now = now or datetime.now(UTC)
    report = ErasureReport(user_id)
    user = db.session.get(User, user_id)
    if user is None:
        return report
    if user.email == PLACEHOLDER_EMAIL:
        raise DomainError("The placeholder account cannot be erased.")
    db.session.flush()
    with ticket_events_unlocked("erasure"):
        deletion = _erase(user, delete_posts, now, report)
    report.counts = deletion.counts
    report.changed = True
    # The id only: the log must not keep what was just erased.
    log.info("erased account %s (%s tables changed)", user_id, len(deletion.counts))
    return report


def _record_events(ticket_ids: list[int], now: datetime) -> None:
    """Each kept ticket says in its history that its requester was erased (append-only)."""
    events = table("ticket_event")
    for ticket_id in ticket_ids:
        db.session.execute(
            events.insert().values(
                ticket_id=ticket_id, actor_id=None, kind=ERASED_EVENT, before=None,
                after={"requester": PLACEHOLDER_NAME}, rule="privacy", created_at=now,
            )
        )  # fmt: skip


def _erase(user: User, delete_posts: bool, now: datetime, report: ErasureReport) -> Deletion:
    from app.privacy import posts

    user_id = user.id
    deletion = Deletion()
    placeholder = placeholder_account(now)
    report.placeholder_id = placeholder.id
    terms = _person_terms(user)
    email = user.email
    entries = inventory()
    owned = {entry.table: _owned_ids(entry, user_id) for entry in entries}
    for entry in entries:  # rows reached through a parent (a survey's answers, mail copies)
        if not entry.owner_columns and entry.via:
            owned[entry.table] = _via_ids(entry, owned)
    phrases = _private_texts(entries, owned)
    searchable = posts.searchable_of(user_id)
    _forget_mail(email, deletion)
    if delete_posts:
        posts.delete_unquoted_replies(user_id, deletion)
    for entry in entries:
        if entry.table == PERSON_TABLE:
            continue
        ids = owned.get(entry.table) or []
        if entry.row_rule == "delete":
            delete_rows(table(entry.table), ids, deletion)
        elif entry.row_rule in {"anonymise", "retain"}:
            _blank(entry, ids, deletion)
    kept_tickets = owned.get("ticket", [])
    _move_to_placeholder(user_id, placeholder.id, deletion)
    registrations = table("pending_registration")
    delete_rows(registrations, ids_where(registrations, "email", [email]), deletion)
    db.session.expunge(user)
    delete_rows(table(PERSON_TABLE), [user_id], deletion)
    scrub_terms = terms + [Term(phrase, REDACTED) for phrase in phrases]
    changed = scrub_everywhere(scrub_terms, deletion)
    _record_events(kept_tickets, now)
    posts.reindex(searchable, changed, now)
    delete_files_after_commit(deletion.files, now)
    db.session.flush()
    db.session.expire_all()
    return deletion
