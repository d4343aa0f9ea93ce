"""Fast query evaluation over a Whoosh index: BM25, term at a time, in windows of documents.

Whoosh's own matchers walk a tree of Python objects for every matching document (several method
calls per document and per term); at 100,000 documents a common word costs hundreds of
milliseconds, and counting the matches exactly costs as much again. This module reads the same
postings a block (128 documents) at a time and accumulates BM25 scores in dictionaries, which
is several times faster in pure Python, and it counts every match exactly.

Documents are taken in windows of ``WINDOW`` document numbers, all terms of a query together, so
when the deadline passes between two windows the matches found so far are complete (every word
checked) and are returned as the best results found in time (``partial``). Words are evaluated
rarest first, and the postings blocks of the more common ones that cannot hold a candidate are
skipped without being decoded.

Segments are read through :mod:`app.search.whoosh_segments` (postings blocks, field lengths,
filters and dates straight from Whoosh 2.7's codec, with the slow fallbacks it records).
"""

from __future__ import annotations

import heapq
import time
from dataclasses import dataclass, field
from itertools import repeat
from math import log
from operator import neg

from whoosh.util.numeric import byte_to_length

from app.search.whoosh_segments import Cursor, Leaf

K1 = 1.2
B = 0.75
#: Document numbers evaluated together; the deadline is checked between windows.
WINDOW = 8192


@dataclass
class Word:
    """One query word: the ``(field, indexed term, weight)`` alternatives it matches.

    A required word must match; of the optional ones (the loose words of a question) a document
    must match at least one, and the more it matches the higher it ranks.
    """

    terms: list[tuple[str, str, float]]
    required: bool = True


@dataclass
class Plan:
    """What to evaluate: required words, optional words, phrases (required) and filters."""

    words: list[Word]
    #: Token tuples that must appear together in the title, the tags or the body.
    phrases: list[tuple[str, ...]] = field(default_factory=list)
    #: ``(field, value)`` alternatives per filter; a document must match one of each.
    filters: list[list[tuple[str, str]]] = field(default_factory=list)
    #: The loose words as typed, in order: a document holding them as a phrase ranks on top.
    bonus_phrase: tuple[str, ...] | None = None


@dataclass
class Evaluation:
    #: ``(tier, score, date key, global document number)`` of the requested page's
    #: candidates. The tier ranks before the score: the phrase of the whole query, then the
    #: number of optional words matched (all-words matches first).
    top: list[tuple[int, float, int, int]]
    total: int
    partial: bool


class Engine:
    """Evaluates plans against one searcher (one index generation)."""

    def __init__(self, searcher, *, window: int = WINDOW):
        self.searcher = searcher
        self.window = window
        self.leaves = [Leaf(sub.reader(), offset) for sub, offset in searcher.leaf_searchers()]
        self.doc_count = max(1, searcher.doc_count_all())
        self._norms: dict[str, list[float]] = {}

    def _norm(self, fieldname: str) -> list[float]:
        """BM25 length normalisation per encoded length byte, for ``fieldname``."""
        norm = self._norms.get(fieldname)
        if norm is None:
            average = self.searcher.field_length(fieldname) / self.doc_count or 1.0
            norm = [K1 * ((1 - B) + B * byte_to_length(b) / average) for b in range(256)]
            self._norms[fieldname] = norm
        return norm

    def _coefficient(self, frequency: int, weight: float) -> float:
        """BM25's idf times (k1 + 1) and the field weight, for a term in ``frequency`` documents."""
        return (log(self.doc_count / (frequency + 1)) + 1) * (K1 + 1) * weight

    def evaluate(self, plan: Plan, *, limit: int, by_date: bool, deadline: float) -> Evaluation:
        """Score every match of ``plan``; keep the best ``limit``."""
        frequency = self.searcher.doc_frequency
        counted = [
            (word.required, [(f, t, w, frequency(f, t)) for f, t, w in word.terms])
            for word in plan.words
        ]
        # Required words first, rarest first: they bound the candidates, so the common words
        # skip most blocks. Optional words add to (or, without required ones, make) the set.
        counted.sort(key=lambda word: (not word[0], sum(n for *_, n in word[1])))
        words = [
            (required, [(f, t, self._coefficient(n, w), self._norm(f)) for f, t, w, n in terms])
            for required, terms in counted
        ]
        found = Evaluation([], 0, False)
        for leaf in self.leaves:
            try:
                self._evaluate_leaf(leaf, words, plan, limit, by_date, deadline, found)
            except _OutOfTime:
                found.partial = True
                break
        key = _by_date if by_date else _by_relevance
        found.top = heapq.nlargest(limit, found.top, key=key)
        return found

    def _evaluate_leaf(self, leaf, words, plan, limit, by_date, deadline, found):
        reader = leaf.reader
        cursors = []
        for required, terms in words:
            present = [(Cursor(reader, f, t), c, n, f) for f, t, c, n in terms if (f, t) in reader]
            if not present:
                if required:
                    return  # a required word absent from this segment: nothing here matches
                continue
            cursors.append((required, present))
        if not cursors:
            return
        allowed = leaf.allowed(plan.filters)
        if allowed is not None and not allowed.docs:
            return
        clock = time.monotonic
        offset, deleted = leaf.offset, leaf.deleted
        dates = leaf.dates() if by_date else None
        for low in range(0, leaf.doc_count, self.window):
            if clock() > deadline:
                raise _OutOfTime
            high = min(low + self.window, leaf.doc_count)
            window, counts = self._window(leaf, cursors, allowed, low, high)
            if allowed is not None and not allowed.narrow:
                docs = allowed.docs
                window = {d: score for d, score in window.items() if d in docs}
            if deleted:
                for docnum in deleted & window.keys():
                    del window[docnum]
            if plan.phrases:
                window = leaf.with_phrases(window, plan.phrases)
            found.total += len(window)
            tiers = self._tiers(leaf, window, counts, plan)
            found.top.extend(_best(window, tiers, dates, limit, offset))

    @staticmethod
    def _tiers(leaf, window: dict[int, float], counts: dict[int, int], plan) -> dict[int, int]:
        """The rank tier of each document: optional words matched, plus more than all of them
        when the document holds the loose words as a phrase (looked up only for documents
        that match every word, the only ones a phrase can be in)."""
        if not counts:
            return {}
        tiers = {d: counts.get(d, 0) for d in window}
        bonus = plan.bonus_phrase
        if bonus:
            every = sum(1 for word in plan.words if not word.required)
            full = {d: s for d, s in window.items() if tiers[d] == every}
            for docnum in leaf.with_phrases(full, [bonus]):
                tiers[docnum] += every + 1
        return tiers

    @staticmethod
    def _window(leaf, cursors, allowed, low: int, high: int):
        """Scores of the documents in ``[low, high)`` matching every required word and (when
        there are optional words) at least one optional word, with how many of those each
        matched.

        BM25 per posting: ``c * w / (w + norm[length byte])``, in a plain loop (in Python 3.11
        it beats chains of ``map`` over ``operator`` functions).
        """
        candidates: dict[int, float] | None = None
        counts: dict[int, int] = {}
        optional = False
        if allowed is not None and allowed.narrow:
            candidates = dict.fromkeys(allowed.between(low, high), 0.0)
        #: Candidates fixed by required words or a narrow filter: optional words only add.
        fixed = candidates is not None
        has_required = False
        for required, terms in cursors:
            if fixed and not candidates:
                for cursor, *_ in terms:
                    cursor.take(high, [])
                continue
            # Few candidates left: skip the blocks of this word that cannot hold one.
            sparse = fixed and len(candidates) * 8 < high - low
            wanted = sorted(candidates) if sparse else None
            scores: dict[int, float] = {}
            get = scores.get
            for cursor, coefficient, norm, fieldname in terms:
                ids, weights = cursor.take(high, wanted)
                if not ids:
                    continue
                length = leaf.lengths(fieldname)
                # A document matching several forms of the word gets their sum.
                for docnum, weight in zip(ids, weights, strict=True):
                    scores[docnum] = get(docnum, 0.0) + coefficient * weight / (
                        weight + norm[length[docnum]]
                    )
            if required:
                if candidates is None:
                    candidates = scores
                else:
                    candidates = {d: s + scores[d] for d, s in candidates.items() if d in scores}
                fixed = has_required = True
                continue
            optional = True
            if candidates is None:
                candidates = {}
            get_candidate, get_count = candidates.get, counts.get
            for docnum, score in scores.items():
                if fixed and docnum not in candidates:
                    continue
                candidates[docnum] = get_candidate(docnum, 0.0) + score
                counts[docnum] = get_count(docnum, 0) + 1
        if optional and candidates and not has_required:
            # A narrow filter seeded documents that no word matched.
            candidates = {d: s for d, s in candidates.items() if d in counts}
        return candidates or {}, counts


def _by_date(match: tuple[int, float, int, int]) -> tuple:
    return match[0], match[2], match[1], -match[3]


def _by_relevance(match: tuple[int, float, int, int]) -> tuple:
    return match[0], match[1], -match[3]


class _OutOfTime(Exception):
    pass


def _best(window: dict[int, float], tiers: dict[int, int], dates, limit: int, offset: int):
    """The ``limit`` best matches of a window as ``(tier, score, date, global docnum)``.

    Ties go to the lower document number (the older document of a rebuild), as in Whoosh.
    """
    docs = list(window)
    scores = map(window.__getitem__, docs)
    ranks = map(tiers.get, docs, repeat(0))
    if dates is None:
        ranked = zip(ranks, scores, map(neg, docs), strict=True)
        best = heapq.nlargest(limit, ranked) if len(docs) > limit else ranked
        return [(tier, score, 0, offset - negdoc) for tier, score, negdoc in best]
    ranked = zip(ranks, map(dates.__getitem__, docs), scores, map(neg, docs), strict=True)
    best = heapq.nlargest(limit, ranked) if len(docs) > limit else ranked
    return [(tier, score, date, offset - negdoc) for tier, date, score, negdoc in best]
