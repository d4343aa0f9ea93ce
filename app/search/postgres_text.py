"""How the PostgreSQL backend turns text and queries into ``tsvector`` / ``tsquery`` values.

PostgreSQL's own parser reads "fr-12-3-580e817bcb" as a word, two negative numbers and a float,
"E_SYNC_TIMEOUT" as three words, and splits them differently inside ``to_tsquery``, so codes
pasted from the app were not found. Here the as-typed lexemes come from
:func:`app.search.rules.tokenize` (the split the Whoosh backend uses too) and are handed to
PostgreSQL as literals, which it takes as they are; only stemming is left to the ``english``
configuration, fed plain words. Pure functions: no database, no Flask.
"""

from __future__ import annotations

from app.search.rules import MIN_PREFIX, is_code, tokenize, words_of

#: PostgreSQL's limits: positions 1..16383, at most 256 positions kept per lexeme, a lexeme
#: under 2 KB (longer "words" are not searchable text anyway).
MAX_POSITION = 16_383
MAX_POSITIONS = 256
MAX_LEXEME_BYTES = 2_000


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(text: str) -> str:
    """The as-typed lexemes of ``text`` with their positions, as ``tsvector`` input.

    Words take positions 1, 2, ...; a code shares the position of its first part, so phrases of
    words still match across it.
    """
    tokens = tokenize(text)
    positions: dict[str, list[int]] = {}
    for index, word in enumerate(tokens.words):
        positions.setdefault(word, []).append(index + 1)
    for index, code in tokens.codes:
        positions.setdefault(code, []).append(index + 1)
    out = []
    for lexeme, found in positions.items():
        if len(lexeme.encode()) > MAX_LEXEME_BYTES:
            continue
        kept = sorted({min(position, MAX_POSITION) for position in found})[:MAX_POSITIONS]
        out.append(_quote(lexeme) + ":" + ",".join(map(str, kept)))
    return " ".join(out)


def plain_words(text: str) -> str:
    """The words of ``text`` that have a stem (letters only), for the ``english`` configuration:
    numbers and codes are matched as typed, never through its parser."""
    return " ".join(word for word in words_of(text) if word.isalpha())


def term_query(term: str, expansions: list[str] | None = None) -> str:
    """``tsquery`` input matching a query term as typed and, from ``MIN_PREFIX`` characters,
    the lexemes it begins ("installa" → installation, "sync-40" → sync-403).

    :param expansions: for a word, the indexed words it begins, looked up in the vocabulary
        beforehand: exact lexemes are several times cheaper for the GIN index than a prefix
        (``'tomato':*`` read 3.6 times longer than ``'tomato' | 'tomatoes'``). None: a code or
        number, matched as a prefix (the vocabulary holds words only).
    """
    if len(term) < MIN_PREFIX:
        return _quote(term)
    if expansions is None:
        return _quote(term) + ":*"
    return " | ".join(_quote(word) for word in dict.fromkeys([term, *expansions]))


def expands_in_vocabulary(term: str) -> bool:
    """Whether a query term's prefix matches are looked up in ``search_word`` (words of
    letters; the vocabulary keeps those of 4 to 60)."""
    return len(term) >= MIN_PREFIX and has_stem(term)


def phrase_query(words: list[str] | tuple[str, ...]) -> str:
    """``tsquery`` input for words that must follow each other (a code counts as its parts)."""
    return " <-> ".join(_quote(word) for word in words_of(" ".join(words)))


def has_stem(term: str) -> bool:
    """Whether a query term also matches through its ``english`` stem (words, not codes or
    numbers)."""
    return not is_code(term) and term.isalpha()
