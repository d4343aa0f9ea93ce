"""Text analysis and query building for the Whoosh backend (no Flask, no database).

Every text field is indexed ONCE, as typed (lower case, stop words dropped, frequencies without
positions; a phrase is checked on a column of each document's words, for the documents that
hold all its words).
Stemming happens at query time, from the index's own vocabulary: a query word matches

- itself (weight x ``EXACT_FACTOR``: an exact word outranks a stemmed one),
- the indexed words with the same Porter stem ("installing" finds "installation"),
- from ``MIN_PREFIX`` characters, the most frequent indexed words it is a prefix of
  ("installa" and "organi" find "installation" and "organization": stemming never breaks
  prefixes, because prefixes expand on real words, not on stems).

Indexing each field once (instead of stemmed + as typed) halves the postings written by a
rebuild and read by a query, and tokens are made here in one pass instead of a chain of Whoosh
filters (a rebuild hands Whoosh ready-made token lists).
"""

from __future__ import annotations

import time
from functools import lru_cache

from whoosh.analysis import StandardAnalyzer
from whoosh.analysis.filters import STOP_WORDS
from whoosh.collectors import TimeLimit
from whoosh.columns import VarBytesColumn
from whoosh.fields import COLUMN, DATETIME, ID, STORED, TEXT, Schema
from whoosh.lang.porter import stem as porter_stem

from app.search.rules import MIN_PREFIX, SYNONYMS, ParsedQuery, is_code, tokenize
from app.search.whoosh_engine import Plan, Word

#: Query-time weight of each field: title > tags > body; exact above stemmed, prefix below both.
FIELD_WEIGHTS = {"title": 3.0, "tags": 2.0, "body": 1.0}
EXACT_FACTOR = 1.4
PREFIX_FACTOR = 0.5
#: A synonym's matches count a little less than the word's own.
SYNONYM_FACTOR = 0.8
#: At most this many words per prefix and field (the most frequent), so "pla" stays cheap.
MAX_EXPANSIONS = 16
#: Vocabulary words looked at per expansion (a bound on the work for very short prefixes).
MAX_SCAN = 400
#: Stored body text, for snippets (longer bodies are cut there).
STORED_TEXT_CHARS = 200_000


def analyse(text: str) -> tuple[list[str], list[str]]:
    """``(words, terms)`` of ``text``, split by :func:`app.search.rules.tokenize` (the same
    split as the PostgreSQL backend's, so a code is found alike on both).

    ``words``: in order, a code as its parts, 2+ characters, no stop words; what phrases are
    checked against (stop words leave no gap, so "reset the password" matches "reset your
    password"). ``terms``: what is indexed: the words, and each code ("sync-403") whole.
    """
    found = tokenize(text)
    kept = [w for w in found.words if len(w) > 1 and w not in STOP_WORDS]
    return kept, kept + [code for _, code in found.codes]


def phrase_words(text: str) -> list[str]:
    return analyse(text)[0]


def tokens(text: str) -> list[str]:
    return analyse(text)[1]


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return porter_stem(word)


def word_line(*fields: list[str]) -> bytes:
    """Every indexed word of a document in order, field by field (the :func:`tokens` of its
    title, tags and body), for phrase checks.

    ``" tomato plants "`` in ``b" ... | ... tomato plants ... | "`` means the phrase is in one
    field (the ``|`` between fields is never a word, so no phrase spans two fields).
    """
    return " | ".join(f" {' '.join(words)} " for words in fields).encode()


def make_schema() -> Schema:
    # The analyzer is only Whoosh's record of how the fields were made: documents arrive as
    # token lists from :func:`tokens` (Whoosh then bypasses the analyzer).
    analyzer = StandardAnalyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        type=ID(stored=True),
        category=ID(stored=True),
        # Frequencies only, no positions: postings without positions are several times cheaper
        # to write and to read. A phrase is checked on ``words`` (see :func:`word_line`), an
        # uncompressed column read in a microsecond, for the documents holding all its words.
        title=TEXT(analyzer=analyzer, stored=True, phrase=False),
        tags=TEXT(analyzer=analyzer, phrase=False),
        body=TEXT(analyzer=analyzer, phrase=False),
        words=COLUMN(VarBytesColumn()),
        text=STORED(),
        section=STORED(),
        url=STORED(),
        object_id=STORED(),
        fingerprint=STORED(),
        date=DATETIME(stored=True, sortable=True),
    )


def _stem_prefix(stemmed: str) -> str:
    # Words with a given Porter stem start with the stem minus its last letter ("happi" comes
    # from "happy", "hope" from "hoping"), never shorter than three letters.
    return stemmed[: max(3, len(stemmed) - 1)] if len(stemmed) > 3 else stemmed


def _decode(word) -> str:
    return word.decode() if isinstance(word, bytes) else word


class QueryBuilder:
    """Builds the evaluation plan of a parsed query against one reader (one index generation).

    Expansions are cached per builder, so keep one builder per searcher: the vocabulary only
    changes with a new generation, which gets a new searcher and a new builder.
    """

    def __init__(self, reader):
        self.reader = reader
        self._cache: dict[tuple[str, str], list[tuple[str, float]]] = {}

    def _scan(self, field: str, prefix: str) -> list[str]:
        words = []
        for word in self.reader.expand_prefix(field, prefix):
            words.append(_decode(word))
            if len(words) >= MAX_SCAN:
                break
        return words

    def expand(self, field: str, word: str) -> list[tuple[str, float]]:
        """``(indexed word, weight factor)`` pairs a query word matches in ``field``."""
        key = (field, word)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        reader = self.reader
        found: dict[str, float] = {}
        if (field, word) in reader:
            found[word] = EXACT_FACTOR
        if not is_code(word):  # a code has no stem
            stemmed = stem(word)
            for candidate in self._scan(field, _stem_prefix(stemmed)):
                if candidate not in found and stem(candidate) == stemmed:
                    found[candidate] = 1.0
        if len(word) >= MIN_PREFIX:
            prefixed = [w for w in self._scan(field, word) if w not in found]
            if len(prefixed) > MAX_EXPANSIONS:
                prefixed.sort(key=lambda w: reader.doc_frequency(field, w), reverse=True)
                prefixed = prefixed[:MAX_EXPANSIONS]
            found.update((w, PREFIX_FACTOR) for w in prefixed)
        result = list(found.items())
        if len(self._cache) > 5000:
            self._cache.clear()
        self._cache[key] = result
        return result

    def word(self, word: str) -> Word | None:
        """Everything one query word matches, or None for a stop word (ignored, as indexed)."""
        if not tokens(word):
            return None
        best: dict[tuple[str, str], float] = {}
        for alternative, factor in (
            (word, 1.0),
            *((s, SYNONYM_FACTOR) for s in SYNONYMS.get(word, ())),
        ):
            for field, weight in FIELD_WEIGHTS.items():
                for term, expansion in self.expand(field, alternative):
                    key = (field, term)
                    best[key] = max(best.get(key, 0.0), weight * expansion * factor)
        terms = [(field, term, weight) for (field, term), weight in best.items()]
        # A word found nowhere still takes part: "password zucchini" must find nothing.
        return Word(terms or [("body", word, 1.0)])

    def build(self, parsed: ParsedQuery, deadline: float | None = None) -> Plan | None:
        """The evaluation plan of a query (filters are added by the caller).

        :raises TimeLimit: the deadline passed while expanding the words.
        """
        words: list[Word] = []
        phrases: list[tuple[str, ...]] = []
        for word in parsed.words:
            if deadline is not None and words and time.monotonic() > deadline:
                raise TimeLimit
            found = self.word(word)
            if found is not None:
                # Loose words are optional: people type questions, and a document matching
                # most of their words is an answer (the engine ranks by how many match).
                found.required = False
                words.append(found)
        for phrase in parsed.phrases:
            # Phrase words match as typed (no stems, no prefixes), then the text is checked.
            exact = phrase_words(" ".join(phrase))
            for token in exact:
                words.append(Word([(f, token, w * EXACT_FACTOR) for f, w in FIELD_WEIGHTS.items()]))
            if len(exact) > 1:
                phrases.append(tuple(exact))
        loose = phrase_words(" ".join(parsed.words))
        bonus = tuple(loose) if len(loose) > 1 else None
        return Plan(words, phrases, bonus_phrase=bonus) if words else None

    def needles(self, parsed: ParsedQuery) -> list[str]:
        """Words to highlight: those typed, and what they expanded to in the body."""
        out = [w for phrase in parsed.phrases for w in phrase]
        for word in parsed.words:
            out.append(word)
            out.extend(term for term, _ in self._cache.get(("body", word), ()))
            out.extend(term for term, _ in self._cache.get(("title", word), ()))
        return out


def filters(types: tuple[str, ...] | None, category: str | None) -> list[list[tuple[str, str]]]:
    """The filters of a request for :class:`~app.search.whoosh_engine.Plan`."""
    out: list[list[tuple[str, str]]] = []
    if types:
        out.append([("type", doc_type) for doc_type in types])
    if category:
        out.append([("category", category)])
    return out
