"""The PostgreSQL backend's literals, from tables (pure; the database side is in test_codes)."""

from __future__ import annotations

import pytest

from app.search import postgres_text as pt


@pytest.mark.parametrize(
    ("text", "literal"),
    [
        ("Sync stopped: SYNC-403", "'sync':1,3 'stopped':2 '403':4 'sync-403':3"),
        ("v2.3.1", "'v2':1 '3':2 '1':3 'v2.3.1':1"),
        ("it's", "'it':1 's':2"),
        ("", ""),
    ],
)
def test_tsvector_literal(text, literal):
    assert pt.tsvector_literal(text) == literal


def test_tsvector_literal_keeps_to_postgresql_limits():
    literal = pt.tsvector_literal("word " * 20_000 + "x" * 3000)
    positions = literal.split(":", 1)[1].split(",")
    assert len(positions) == pt.MAX_POSITIONS
    assert "xxx" not in literal
    late = pt.tsvector_literal("a " * 17_000 + "late")
    assert late.endswith(f"'late':{pt.MAX_POSITION}")


@pytest.mark.parametrize(
    ("term", "query", "stem"),
    [
        ("installa", "'installa':*", True),
        ("in", "'in'", True),
        ("sync-403", "'sync-403':*", False),
        ("403", "'403':*", False),
        ("v2", "'v2'", False),
    ],
)
def test_term_query(term, query, stem):
    assert pt.term_query(term) == query
    assert pt.has_stem(term) is stem


def test_term_query_with_its_vocabulary_expansions():
    assert pt.term_query("instal", ["install", "installation", "instal"]) == (
        "'instal' | 'install' | 'installation'"
    )
    assert pt.term_query("zzz", []) == "'zzz'"
    assert pt.expands_in_vocabulary("instal")
    assert not pt.expands_in_vocabulary("sync-40")
    assert not pt.expands_in_vocabulary("in")


def test_phrase_query_splits_codes_into_words():
    assert pt.phrase_query(("error", "sync-403")) == "'error' <-> 'sync' <-> '403'"
    assert pt.plain_words("Error SYNC-403 in v2.3") == "error sync in"
