"""Erasing a person (GDPR Art. 17), Discourse-style anonymisation.

The account row and personal fields go; forum posts and wiki revisions stay, attributed to one
placeholder account ("Former member", which cannot sign in); tickets stay for the retention period
with personal fields removed. Everything runs in the caller's one transaction (the service only
flushes) and a re-run finds nothing left to do.

Ticket events are append-only everywhere else; redacting an existing event's payload in place
is the one allowed exception and lives in this module only (see docs/privacy.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ErasureReport:
    #: The erased account's id.
    user_id: int
    #: Rows per table: {"table": {"deleted": n, "anonymised": n, "redacted": n}}.
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    #: The placeholder account that now carries the kept posts and revisions.
    placeholder_id: int | None = None
    #: False when there was nothing (left) to erase: a re-run.
    changed: bool = False

    def add(self, table: str, action: str, n: int = 1) -> None:
        if n:
            per_table = self.counts.setdefault(table, {})
            per_table[action] = per_table.get(action, 0) + n
            self.changed = True


def erase_person(user_id: int, *, delete_posts: bool = False) -> ErasureReport:
    """Erase the person's personal data everywhere; flush, never commit.

    :param user_id: the account to erase.
    :param delete_posts: delete the person's forum posts instead of anonymising them, except
        those that are quoted or replied to (those stay, anonymised).
    :returns: counts per table; a second call reports ``changed=False``.
    :raises app.errors.NotFound: no account with that id (and never had one).
    """
    raise NotImplementedError
