"""The fast Whoosh evaluator gives exactly what Whoosh's own matchers give.

The engine reads postings blocks directly (several times faster than Whoosh's matcher trees);
these tests hold it to Whoosh's own answers: the same documents, the same count and the same
BM25F scores, across several segments, deleted documents, postings of many blocks and windows
smaller than a segment.
"""

from __future__ import annotations

import logging
import math
import time
from datetime import UTC, datetime, timedelta

import pytest
from whoosh.query import And, Or, Term

from app.search import whoosh_segments
from app.search.backend import Document
from app.search.whoosh_backend import WhooshBackend
from app.search.whoosh_engine import Engine, Plan, Word
from app.search.whoosh_query import tokens
from app.search.whoosh_segments import Cursor

EPOCH = datetime(2025, 1, 1, tzinfo=UTC)


def _doc(i: int, *, extra: str = "") -> Document:
    words = ["common"] * (1 + i % 4)
    if i % 3 == 0:
        words.append("mid")
    if i % 37 == 0:
        words.append("rare")
    words += ["filler"] * (i % 11)
    return Document(
        type="forum_thread" if i % 2 else "article", object_id=i,
        title="rare title" if i % 50 == 0 else f"thread {i}", body=" ".join(words) + extra,
        url=f"/t/{i}", date=EPOCH + timedelta(hours=(i * 7919) % 1000),
        category="few" if i % 41 == 0 else "odd" if i % 2 else "even",
        boost=1.15 if i % 5 == 0 else 1.0,
    )  # fmt: skip


@pytest.fixture(scope="module")
def backend(tmp_path_factory):
    backend = WhooshBackend(tmp_path_factory.mktemp("engine"), procs=1)
    backend.rebuild(iter([_doc(i) for i in range(1, 901)]))
    # A second segment, deletions in the first one, an updated document.
    backend.apply([_doc(i, extra=" mid rare") for i in range(901, 960)] + [_doc(7)], [])
    backend.apply([], [f"article:{i}" for i in range(2, 300, 10)])
    return backend


CASES = [["common"], ["mid"], ["rare"], ["rare", "common"], ["mid", "rare"], ["title"]]


def _plan(words: list[str]) -> Plan:
    return Plan([Word([("body", w, 1.0), ("title", w, 3.0)]) for w in words])


def _whoosh_query(words: list[str]):
    return And([Or([Term("body", w, boost=1.0), Term("title", w, boost=3.0)]) for w in words])


@pytest.mark.parametrize("words", CASES)
@pytest.mark.parametrize("window", [64, 8192])
def test_same_documents_count_and_scores_as_whoosh(backend, words, window):
    with backend.store.searcher() as searcher:
        assert len(searcher.leaf_searchers()) == 2 and searcher.reader().has_deletions()
        found = Engine(searcher, window=window).evaluate(
            _plan(words), limit=5000, by_date=False, deadline=math.inf
        )
        expected = searcher.search(_whoosh_query(words), limit=None)
        assert not found.partial
        assert found.total == len(expected) > 0
        ours = {docnum: score for _tier, score, _, docnum in found.top}
        theirs = {hit.docnum: hit.score for hit in expected}
        assert ours.keys() == theirs.keys()
        for docnum, score in theirs.items():
            assert ours[docnum] == pytest.approx(score, rel=1e-4)


def test_limit_keeps_the_best_and_breaks_ties_by_document(backend):
    with backend.store.searcher() as searcher:
        engine = Engine(searcher, window=64)
        every = engine.evaluate(_plan(["common"]), limit=5000, by_date=False, deadline=math.inf)
        best = engine.evaluate(_plan(["common"]), limit=7, by_date=False, deadline=math.inf)
        ranked = sorted(every.top, key=lambda m: (-m[1], m[3]))[:7]
        assert best.top == ranked and best.total == every.total


@pytest.mark.parametrize(
    "filters",
    [
        [[("type", "forum_thread")], [("category", "odd")]],  # half the documents: checked after
        [[("type", "forum_thread"), ("type", "wiki_page")], [("category", "odd")]],
        [[("type", "forum_thread"), ("type", "article")], [("category", "few")]],  # narrow
    ],
)
def test_sort_by_date_and_filters(backend, filters):
    with backend.store.searcher() as searcher:
        plan = _plan(["mid"])
        plan.filters = filters
        found = Engine(searcher, window=64).evaluate(
            plan, limit=10, by_date=True, deadline=math.inf
        )
        expected = searcher.search(
            And([_whoosh_query(["mid"])] + [Or([Term(f, v) for f, v in alt]) for alt in filters]),
            limit=None, sortedby="date", reverse=True,
        )  # fmt: skip
        assert found.total == len(expected)
        dates = [searcher.stored_fields(docnum)["date"] for *_, docnum in found.top]
        assert dates == sorted(dates, reverse=True)
        assert dates[0] == max(hit["date"] for hit in expected)
        kept = {v for alternatives in filters for f, v in alternatives if f == "type"}
        assert all(searcher.stored_fields(d)["type"] in kept for *_, d in found.top)


def test_phrases_and_deadline(backend):
    with backend.store.searcher() as searcher:
        engine = Engine(searcher, window=64)
        plan = _plan(["common", "mid"])
        plan.phrases = [("common", "mid")]
        found = engine.evaluate(plan, limit=5000, by_date=False, deadline=math.inf)
        both = searcher.search(_whoosh_query(["common", "mid"]), limit=None)
        expected = {
            hit.docnum for hit in both if " common mid " in f" {' '.join(tokens(hit['text']))} "
        }
        assert 0 < found.total == len(expected) < len(both)
        assert {d for *_, d in found.top} == expected
        plan.phrases = [("mid", "common")]  # none the other way round,
        assert engine.evaluate(plan, limit=10, by_date=False, deadline=math.inf).total == 0
        plan = _plan(["rare", "title"])
        plan.phrases = [("rare", "title")]  # and a phrase is within one field.
        titles = engine.evaluate(plan, limit=5000, by_date=False, deadline=math.inf)
        assert titles.total > 0
        assert all(searcher.stored_fields(d)["title"] == "rare title" for *_, d in titles.top)
        plan = _plan(["14", "common"])  # title "thread 14", body "common ...": not a phrase
        assert engine.evaluate(plan, limit=10, by_date=False, deadline=math.inf).total == 1
        plan.phrases = [("14", "common")]
        assert engine.evaluate(plan, limit=10, by_date=False, deadline=math.inf).total == 0
        late = engine.evaluate(
            _plan(["common"]), limit=10, by_date=False, deadline=time.monotonic() - 1
        )
        assert late.partial and late.top == [] and late.total == 0


def test_the_fast_paths_are_the_ones_in_use(backend, caplog):
    """The engine reads Whoosh 2.7.4's codec internals and falls back to Whoosh's public (slow)
    interface when they are missing: an upgrade of Whoosh must fail here, not lose the speed."""
    whoosh_segments.slow_paths_taken.clear()
    logs = caplog.at_level(logging.WARNING, logger="app.search.whoosh_segments")
    with logs, backend.store.searcher() as searcher:
        engine = Engine(searcher, window=64)
        plan = _plan(["common", "mid"])
        plan.filters = [[("type", "article")]]
        for by_date in (False, True):  # postings, field lengths, filters and dates
            engine.evaluate(plan, limit=10, by_date=by_date, deadline=math.inf)
        assert Cursor(engine.leaves[0].reader, "body", "common").fast
    assert whoosh_segments.slow_paths_taken == set()
    assert not [record for record in caplog.records if "slow" in record.getMessage()]


def test_a_slow_path_is_recorded_and_logged(caplog):
    whoosh_segments.slow_paths_taken.clear()
    with caplog.at_level(logging.WARNING, logger="app.search.whoosh_segments"):
        whoosh_segments.took_slow_path("postings")
        whoosh_segments.took_slow_path("postings")
    assert whoosh_segments.slow_paths_taken == {"postings"}
    assert len([r for r in caplog.records if "slow" in r.getMessage()]) == 1
    whoosh_segments.slow_paths_taken.clear()
