"""One Whoosh index segment read the fast way: postings a block at a time, field lengths, filter
sets and dates, straight from Whoosh 2.7's codec.

Reading postings blocks relies on Whoosh 2.7's ``W3LeafMatcher`` layout (the version is pinned);
any other matcher is read through Whoosh's public matcher interface instead. Each such fallback
is several times slower, so taking one is recorded in :data:`slow_paths_taken` and logged once as
a warning; ``tests/search/test_whoosh_engine.py`` fails when any is taken. The evaluator that
scores queries over these segments is :mod:`app.search.whoosh_engine`.
"""

from __future__ import annotations

import logging
import sys
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import accumulate

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.matching.wrappers import FilterMatcher

logger = logging.getLogger(__name__)

#: The fallbacks to Whoosh's public interface taken in this process ("postings", "lengths",
#: "dates"): empty as long as the codec is the one this module was written against.
slow_paths_taken: set[str] = set()


def took_slow_path(name: str) -> None:
    """Record that ``name`` was read the slow, public way (warned about once per process)."""
    if name not in slow_paths_taken:
        slow_paths_taken.add(name)
        logger.warning(
            "Search reads %s through Whoosh's slow public interface: the index codec is not "
            "Whoosh 2.7.4's, so searches are several times slower.",
            name,
        )


@dataclass(frozen=True)
class Allowed:
    """The documents of a segment that pass the filters."""

    docs: frozenset[int]
    ordered: list[int]
    #: Few enough to start from (else they are checked after the words).
    narrow: bool

    def between(self, low: int, high: int) -> list[int]:
        return self.ordered[bisect_left(self.ordered, low) : bisect_left(self.ordered, high)]


class Cursor:
    """The postings of one term in one segment, read in document order, block by block."""

    __slots__ = ("done", "fast", "floor", "ids", "matcher", "pos", "weights")

    def __init__(self, reader, fieldname: str, text: str):
        matcher = reader.postings(fieldname, text)
        if isinstance(matcher, FilterMatcher) and matcher._exclude:
            # A segment with deletions wraps its postings to hide the deleted documents; the
            # engine drops those itself (Leaf.deleted), so it reads the codec's matcher beneath.
            matcher = matcher.child
        self.matcher = matcher
        self.fast = isinstance(matcher, W3LeafMatcher) and hasattr(matcher, "_goto")
        self.ids: list[int] | None = None
        self.weights = ()
        self.pos = 0
        #: Highest document number known to be consumed.
        self.floor = -1
        self.done = not matcher.is_active()
        if not self.fast and not self.done:
            took_slow_path("postings")
            ids, weights = [], []
            while matcher.is_active():
                ids.append(matcher.id())
                weights.append(matcher.weight())
                matcher.next()
            self.ids, self.weights = ids, weights

    def _block_max(self) -> int:
        return self.ids[-1] if self.ids is not None else self.matcher._maxid

    def _decode(self) -> None:
        matcher = self.matcher
        if matcher._data is None:
            matcher._read_data()
        deltas, weights, _ = matcher._data
        ids = list(accumulate(deltas))
        if weights is None:
            weights = (1.0,) * len(ids)
        elif isinstance(weights, float):
            weights = (weights,) * len(ids)
        self.ids, self.weights, self.pos = ids, weights, 0

    def _next_block(self) -> None:
        self.floor = self._block_max()
        matcher = self.matcher
        if not self.fast or matcher._lastblock:
            self.done = True
            return
        matcher._goto(matcher._nextoffset)
        self.ids = None

    def take(self, hi: int, wanted: list[int] | None = None) -> tuple[list, list]:
        """Postings with document numbers below ``hi`` (``wanted``: only blocks holding one)."""
        out_ids: list[int] = []
        out_weights: list[float] = []
        while not self.done:
            if self.ids is None:
                if wanted is not None:
                    top = self.matcher._maxid
                    if bisect_right(wanted, self.floor) == bisect_right(wanted, min(top, hi - 1)):
                        # No candidate in this block (up to hi): skip it undecoded.
                        if top < hi:
                            self._next_block()
                            continue
                        self.floor = hi - 1
                        break
                self._decode()
            ids = self.ids
            if ids[-1] < hi:
                out_ids += ids[self.pos :]
                out_weights += self.weights[self.pos :]
                self._next_block()
            else:
                end = bisect_left(ids, hi, self.pos)
                out_ids += ids[self.pos : end]
                out_weights += self.weights[self.pos : end]
                self.pos, self.floor = end, hi - 1
                break
        return out_ids, out_weights


class Leaf:
    """One segment of the index with what queries keep needing from it (cached per searcher)."""

    def __init__(self, reader, offset: int):
        self.reader = reader
        self.offset = offset
        self.doc_count = reader.doc_count_all()
        deleted = reader.segment().deleted_docs() if reader.has_deletions() else ()
        self.deleted = frozenset(deleted)
        self._lengths: dict[str, bytes] = {}
        self._sets: dict[tuple[str, str], frozenset[int]] = {}
        self._allowed: dict[tuple, Allowed] = {}
        self._dates = None
        self._words = None

    def lengths(self, fieldname: str) -> bytes:
        """The encoded length (one byte per document) of ``fieldname`` in every document."""
        found = self._lengths.get(fieldname)
        if found is None:
            found = self._read_lengths(fieldname)
            self._lengths[fieldname] = found
        return found

    def _read_lengths(self, fieldname: str) -> bytes:
        try:
            column = self.reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            raw = column._dbfile.get(column._basepos, column._count)
            return bytes(raw) + bytes(self.doc_count - len(raw))
        except (AttributeError, TypeError):  # another codec: the slow, public way
            from whoosh.util.numeric import length_to_byte

            took_slow_path("lengths")
            length = self.reader.doc_field_length
            return bytes(
                length_to_byte(length(d, fieldname, 0)) for d in range(self.doc_count)
            )  # fmt: skip

    def docs_with(self, fieldname: str, text: str) -> frozenset[int]:
        key = (fieldname, text)
        found = self._sets.get(key)
        if found is None:
            found = frozenset()
            if key in self.reader:
                cursor = Cursor(self.reader, fieldname, text)
                found = frozenset(cursor.take(self.doc_count)[0])
            self._sets[key] = found
        return found

    def allowed(self, filters: list[list[tuple[str, str]]]) -> Allowed | None:
        """The documents passing every filter (one of its alternatives each), or None."""
        if not filters:
            return None
        key = tuple(tuple(alternatives) for alternatives in filters)
        found = self._allowed.get(key)
        if found is None:
            docs = None
            for alternatives in filters:
                some = frozenset().union(*(self.docs_with(f, v) for f, v in alternatives))
                docs = some if docs is None else docs & some
            found = Allowed(docs, sorted(docs), len(docs) * 4 < self.doc_count)
            if len(self._allowed) > 64:
                self._allowed.clear()
            self._allowed[key] = found
        return found

    def with_phrases(self, window: dict[int, float], phrases) -> dict[int, float]:
        """The documents of ``window`` holding every phrase (in one field each)."""
        if self._words is None:
            self._words = self.reader.column_reader("words", translate=False)
        words = self._words
        needles = [f" {' '.join(phrase)} ".encode() for phrase in phrases]
        return {
            d: score for d, score in window.items() if all(needle in words[d] for needle in needles)
        }

    def dates(self):
        """The sortable date value of every document (read once, in one piece)."""
        if self._dates is None:
            column = self.reader.column_reader("date", translate=False)
            try:
                raw = column._dbfile.get(column._basepos, column._count * column._fixedlen)
                values = array(column._typecode, bytes(raw))
                if sys.byteorder == "little":
                    values.byteswap()  # stored big-endian
                values.extend([column._default] * (self.doc_count - len(values)))
            except (AttributeError, TypeError, ValueError):  # another codec: the public way
                took_slow_path("dates")
                values = list(column)
            self._dates = values
        return self._dates
