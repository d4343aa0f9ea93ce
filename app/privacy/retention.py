"""Retention: what is deleted after how long (``flask privacy retention``, nightly).

The periods are settings (``PRIVACY_*``, see the README's configuration reference).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RetentionItem:
    #: What kind of thing goes: "closed ticket", "attachment", "quarantined mail",
    #: "search query log", "unconfirmed account".
    kind: str
    #: Its table and id.
    table: str
    row_id: int
    #: A short description for the CLI listing (never personal data).
    label: str
    #: When it became due for deletion.
    due_at: datetime


def run_retention(now: datetime, *, dry_run: bool) -> list[RetentionItem]:
    """Find (and unless ``dry_run``, delete) everything past its retention period.

    Flushes, never commits: the CLI and the nightly job commit once.

    :param now: the current time (UTC, aware).
    :param dry_run: only list what would go.
    :returns: the items that went (or would go), oldest first.
    """
    raise NotImplementedError
