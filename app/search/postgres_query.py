"""The SQL of a search on the PostgreSQL backend (strings and parameters; no database here).

Ranking every match of a common word ("tomato" is in half the documents) read each one's
``tsvector``, and a prefix (``'tomato':*``) made the GIN index scan slow. Instead:

- a prefix is first expanded to the words it begins, from the vocabulary (``search_word``,
  btree ``text_pattern_ops``; the 16 most frequent, as Whoosh does), and matched as exact
  lexemes; only codes and numbers, absent from the vocabulary, stay prefixes;
- one statement finds the page: a bounded set of candidates from three sources (documents
  whose title or tags match, through ``head``'s small GIN index; documents holding every word;
  any match), each stopping at ``CANDIDATES``, and only those candidates get a tier and a rank;
- the count stops at ``COUNT_CAP``.

The tsqueries are written inline (constants folded at planning), so the planner sees each
word's real selectivity: a common word is read in table order until the limit, a rare one
through GIN.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.search.backend import SearchRequest
from app.search.postgres_text import expands_in_vocabulary, has_stem, phrase_query, term_query
from app.search.rules import SYNONYMS

#: Candidates taken from each source; a page deeper than this takes more.
CANDIDATES = 100
#: Words a prefix expands to at most (the most frequent; the same bound as Whoosh's).
MAX_EXPANSIONS = 16
#: Counting stops here (``total`` is then this number): counting every match of a common word
#: would read them all.
COUNT_CAP = 1_000
#: ``ts_rank`` weights of body (C) / tags (B) / title (A) matches ({D, C, B, A}).
RANK_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"
COLUMNS = "key, doc_type, object_id, title, url, category, section, date, body"


@dataclass
class SearchSql:
    page: str
    count: str
    fallback: str
    params: dict


def _words(request: SearchRequest, params: dict, expansions: dict[str, list[str]]) -> list[str]:
    """One tsquery expression per loose word: as typed (and the words it begins), and its stem
    and synonyms when it is a word (a code or number matches as typed only)."""
    out = []
    for index, term in enumerate(request.query.words):
        params[f"p{index}"] = term_query(term, expansions.get(term))
        alternatives = [f"CAST(:p{index} AS tsquery)"]
        if has_stem(term):
            params[f"w{index}"] = term
            alternatives.append(f"to_tsquery('english', :w{index})")
            for number, synonym in enumerate(SYNONYMS.get(term, ())):
                params[f"s{index}_{number}"] = synonym
                alternatives.append(f"to_tsquery('english', :s{index}_{number})")
        out.append(f"({' || '.join(alternatives)})")
    return out


def expansions_sql(request: SearchRequest) -> tuple[str, dict] | None:
    """One statement for the prefix expansions of all the query's words: per word, the
    ``MAX_EXPANSIONS`` most frequent vocabulary words it begins (a btree range on
    ``text_pattern_ops``, never a scan), as Whoosh expands a prefix."""
    parts, params = [], {}
    for index, term in enumerate(request.query.words):
        if expands_in_vocabulary(term):
            params[f"like{index}"] = term + "%"  # letters only: nothing to escape
            parts.append(
                f"(SELECT {index} AS term, word FROM search_word WHERE word LIKE :like{index}"  # noqa: S608
                f" ORDER BY frequency DESC LIMIT {MAX_EXPANSIONS})"
            )
    return (" UNION ALL ".join(parts), params) if parts else None


def build(request: SearchRequest, expansions: dict[str, list[str]]) -> SearchSql | None:
    """The statements of a search, or None when the query holds nothing to look for.

    Loose words are optional (at least one must match, unless a quoted phrase does the
    matching) and the tier counts how many a document holds; the loose words as a phrase rank
    above that. Quoted phrases must match.
    """
    params: dict = {
        "limit": request.per_page, "offset": (request.page - 1) * request.per_page,
        "candidates": max(CANDIDATES, request.page * request.per_page),
    }  # fmt: skip
    words = _words(request, params, expansions)
    phrases = []
    for index, phrase in enumerate(request.query.phrases):
        params[f"ph{index}"] = phrase_query(phrase)
        phrases.append(f"CAST(:ph{index} AS tsquery)")
    if not words and not phrases:
        return None
    loose = " || ".join(words)
    required = " && ".join(phrases)
    match = f"({required})" if phrases else f"({loose})"
    every = f"({' && '.join(words + phrases)})"
    ranked = f"({loose}) && ({required})" if words and phrases else match
    filters = ""
    if request.types:
        filters += " AND doc_type IN :types"
        params["types"] = list(request.types)
    if request.category:
        filters += " AND category = :category"
        params["category"] = request.category
    tier = "0"
    if len(words) > 1:
        params["bonus"] = phrase_query(request.query.words)
        counted = " + ".join(f"(tsv @@ {word})::int" for word in words)
        tier = f"(tsv @@ CAST(:bonus AS tsquery))::int * {len(words) + 1} + {counted}"
    # Only our own constants and expressions are interpolated; user input is always bound.
    # Any candidates of each source, unsorted: the planner stops at the limit (sorting every
    # match of a common word by date would read them all). Sorted by date only when asked.
    limit = " LIMIT :candidates"
    if request.sort == "date":
        limit = " ORDER BY date DESC" + limit
    sources = [f"head @@ {match}", f"tsv @@ {match}"]
    if len(words) + len(phrases) > 1:
        sources.insert(1, f"tsv @@ {every}")
    candidates = " UNION ".join(
        f"(SELECT key FROM search_document WHERE {source}{filters}{limit})"  # noqa: S608
        for source in sources
    )
    score = f"ts_rank('{RANK_WEIGHTS}', tsv, {ranked}) * boost"
    order = "date DESC" if request.sort == "date" else "score DESC, date DESC"
    page = (
        f"WITH candidate AS ({candidates})"  # noqa: S608
        f" SELECT {COLUMNS}, {tier} AS tier, {score} AS score"
        " FROM search_document JOIN candidate USING (key)"
        f" ORDER BY tier DESC, {order} LIMIT :limit OFFSET :offset"
    )
    base = f"FROM search_document WHERE tsv @@ {match}{filters}"
    count = f"SELECT count(*) FROM (SELECT 1 {base} LIMIT {COUNT_CAP}) AS found"  # noqa: S608
    # Out of time: the newest matches without ranking are the best that can be done fast.
    fallback = f"SELECT {COLUMNS}, 0 AS score {base} ORDER BY date DESC LIMIT :limit"
    return SearchSql(page, count, fallback, params)
