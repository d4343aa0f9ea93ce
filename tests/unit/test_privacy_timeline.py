"""The ticket log's sentences for privacy requests (pure: no app, no database)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.tickets import timeline
from app.tickets.timeline import Names

NAMES = Names(users={10: "Alex Agent", 12: "Ada Admin"})


@dataclass
class Event:
    kind: str
    actor_id: int | None
    after: dict
    before: dict | None = None
    rule: str | None = None


def words(event: Event) -> str:
    return "".join(part.text for part in timeline.describe(event, NAMES))


@pytest.mark.parametrize(
    ("actor", "after", "sentence"),
    [
        (10, {"step": "requested", "kind": "export", "reason": "Asked by mail"},
         "Alex Agent asked for an export of the requester's data: Asked by mail"),
        (12, {"step": "approved", "kind": "erasure"},
         "Ada Admin approved the erasure of the requester's account"),
        (12, {"step": "rejected", "kind": "erasure", "reason": "Not verified"},
         "Ada Admin rejected the erasure of the requester's account: Not verified"),
        (None, {"step": "cancelled", "kind": "erasure", "reason": "Signed in."},
         "The person's sign-in cancelled the erasure of the requester's account: Signed in."),
        (None, {"step": "started", "kind": "export"},
         "The privacy job started an export of the requester's data"),
        (None, {"step": "done", "kind": "erasure", "deleted": 9, "anonymised": 3, "redacted": 2},
         "The privacy job finished the erasure of the requester's account (9 rows deleted, "
         "3 anonymised, 2 redacted)"),
        (None, {"step": "failed", "kind": "export"},
         "The privacy job could not finish an export of the requester's data"),
        (None, {"step": "??", "kind": "export"},
         "The privacy job changed an export of the requester's data"),
    ],
)  # fmt: skip
def test_each_step_reads_as_a_sentence(actor, after, sentence):
    assert words(Event("privacy_request", actor, after)) == sentence
