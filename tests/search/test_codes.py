"""Codes, versions and error codes are found the same way on both backends.

A help center's users paste what the app shows them: an error code (``SYNC-403``,
``E_SYNC_TIMEOUT``), a version (``v2.3.1``) or a generated reference (``fr-12-3-580e817bcb``).
Each must be found by the code as typed and by its beginning, and rank above documents that only
share a part of it (the distractors are newer, so a tie would put them first).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.outbox import commit
from app.search import services
from app.search.backend import Document, get_backend

#: (code in the document, a prefix of it, a similar code in a newer document)
CODES = [
    ("fr-12-3-580e817bcb", "fr-12-3-58", "fr-12-4-11aa22bb33"),
    ("SYNC-403", "SYNC-40", "SYNC-500"),
    ("v2.3.1", "v2.3", "v2.4.0"),
    ("E_SYNC_TIMEOUT", "E_SYNC_TIM", "E_SYNC_RETRY"),
    ("ERR-0x7f3a", "ERR-0x7", "ERR-0x11"),
    ("build 4.12.0-rc2", "4.12.0-r", "4.11.0-rc1"),
    ("order_ref_88a1", "order_ref_8", "order_ref_12"),
]


@pytest.fixture
def coded(ctx, now):
    documents = []
    for number, (code, _prefix, similar) in enumerate(CODES):
        documents.append(
            Document(
                type="forum_thread", object_id=number, title=f"Problem number {number}",
                body=f"After the update the app showed {code} and stopped syncing.",
                url=f"/community/t/{number}", date=now,
            )
        )  # fmt: skip
        documents.append(
            Document(
                type="forum_thread", object_id=100 + number, title=f"Other problem {number}",
                body=f"After the update the app showed {similar} and stopped syncing.",
                url=f"/community/t/{100 + number}", date=now + timedelta(hours=1),
            )
        )  # fmt: skip
    backend = get_backend()
    with backend.writer_lock(blocking=True):
        backend.apply(documents, [])
    commit()


def _first(query: str) -> str | None:
    hits = services.search(query, user=None).hits
    return hits[0].key if hits else None


@pytest.mark.parametrize(("number", "code"), [(n, c[0]) for n, c in enumerate(CODES)])
def test_code_found_by_exact_query(coded, number, code):
    assert _first(code) == f"forum_thread:{number}"
    assert _first(code.lower()) == f"forum_thread:{number}"


@pytest.mark.parametrize(("number", "prefix"), [(n, c[1]) for n, c in enumerate(CODES)])
def test_code_found_by_its_prefix(coded, number, prefix):
    assert _first(prefix) == f"forum_thread:{number}"


def test_code_found_inside_a_question_and_highlighted(coded):
    results = services.search("why does SYNC-403 appear", user=None)
    assert results.hits[0].key == "forum_thread:1"
    assert "<mark>SYNC-403</mark>" in results.hits[0].snippet


def test_parts_of_a_code_still_find_it(coded):
    # "580e817bcb" alone (say, read aloud by an agent) finds the reference it belongs to.
    assert _first("580e817bcb") == "forum_thread:0"
    assert _first('"stopped syncing"') is not None
