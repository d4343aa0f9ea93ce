"""The PostgreSQL full-text backend: for several app hosts sharing one database.

Documents live in ``search_document`` with one ``tsvector`` holding both the english-stemmed
lexemes and the as-typed ones, weighted title A, tags B, body C, and ``head``, the title's and
tags' part alone. The as-typed lexemes come from our own tokenizer (``postgres_text``; the same
split as Whoosh's), so codes like "SYNC-403" or "v2.3.1" are one lexeme plus their parts. A word
of the query matches its stem or any word it is a prefix of (``'installa':*``), so prefixes never
break on stems, and an exact word matches both lexemes and so ranks above a stemmed-only match.
How a search is written in SQL is in ``postgres_query``.
"Did you mean" looks words up in ``search_word`` through a ``pg_trgm`` index; that vocabulary
counts the indexed documents holding each word, so a word leaves it with its last document.

Writes happen in the caller's transaction (the drain commits them together with the outbox
events they handle); the single-writer lock is a transaction-level advisory lock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import bindparam, text
from sqlalchemy.exc import OperationalError

from app.extensions import db
from app.search import postgres_query
from app.search.backend import Document, Hit, SearchBackend, SearchRequest, SearchResults
from app.search.postgres_text import (
    expands_in_vocabulary,
    has_stem,
    plain_words,
    tsvector_literal,
)
from app.search.rules import best_correction, highlight, words_of

#: Arbitrary constant naming our advisory lock.
LOCK_KEY = 7_301_958_114
_WEIGHTS = (("title", "A"), ("tags", "B"), ("body", "C"))


# Stems from the english configuration over plain words, then the as-typed lexemes as literals
# (see ``postgres_text``), weighted title A, tags B, body C. ``head`` is the title's and tags'
# part alone: its small GIN index finds the documents a query names in their title cheaply.
def _tsv(fields) -> str:
    return " || ".join(
        [
            *(f"setweight(to_tsvector('english', :{f}_plain), '{w}')" for f, w in fields),
            *(f"setweight(CAST(:{f}_typed AS tsvector), '{w}')" for f, w in fields),
        ]
    )


_HEAD, _TSV = _tsv(_WEIGHTS[:2]), _tsv(_WEIGHTS)
_UPSERT = text(
    "INSERT INTO search_document (key, doc_type, object_id, title, tags, body, category, section,"  # noqa: S608
    " url, date, boost, fingerprint, head, tsv) VALUES (:key, :doc_type, :object_id, :title,"
    f" :tags, :body, :category, :section, :url, :date, :boost, :fingerprint, {_HEAD}, {_TSV})"
    " ON CONFLICT (key) DO UPDATE SET doc_type = excluded.doc_type, object_id = excluded.object_id,"
    " title = excluded.title, tags = excluded.tags, body = excluded.body,"
    " category = excluded.category, section = excluded.section, url = excluded.url,"
    " date = excluded.date, boost = excluded.boost, fingerprint = excluded.fingerprint,"
    " head = excluded.head, tsv = excluded.tsv"
)
_WORDS = text(
    "INSERT INTO search_word (word, frequency) VALUES (:word, :frequency)"
    " ON CONFLICT (word) DO UPDATE SET frequency = search_word.frequency + excluded.frequency"
)


def _row(document: Document) -> dict:
    row = {
        "key": document.key, "doc_type": document.type, "object_id": document.object_id,
        "title": document.title, "tags": " ".join(document.tags), "body": document.body,
        "category": document.category or "", "section": document.section, "url": document.url,
        "date": document.date, "boost": document.boost, "fingerprint": document.fingerprint,
    }  # fmt: skip
    for field, _weight in _WEIGHTS:
        row[f"{field}_plain"] = plain_words(row[field])
        row[f"{field}_typed"] = tsvector_literal(row[field])
    return row


_UNCOUNT = text("UPDATE search_word SET frequency = frequency - :frequency WHERE word = :word")
_PRUNE = text("DELETE FROM search_word WHERE frequency <= 0 AND word IN :words").bindparams(
    bindparam("words", expanding=True)
)
_OLD_TEXTS = text("SELECT title, tags, body FROM search_document WHERE key IN :keys").bindparams(
    bindparam("keys", expanding=True)
)


def _vocabulary(texts: Iterable[tuple[str, str, str]]) -> list[dict]:
    """Per word, how many of the ``(title, tags, body)`` texts hold it."""
    counts: Counter[str] = Counter()
    for text_ in texts:
        counts.update({w for w in words_of(" ".join(text_)) if 3 < len(w) <= 60 and w.isalpha()})
    return [{"word": word, "frequency": count} for word, count in counts.items()]


class PostgresBackend(SearchBackend):
    """See the module docstring."""

    name = "postgres"

    @contextmanager
    def writer_lock(self, *, blocking: bool):
        if blocking:
            db.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
            yield True
        else:
            got = db.session.scalar(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
            yield bool(got)
        # Released by the caller's commit or rollback, together with the writes it guards.

    def apply(
        self, upserts: Iterable[Document], deletes: Iterable[str], *, purge: bool = False
    ) -> None:
        upserts, deletes = list(upserts), list(deletes)
        self._uncount([*deletes, *(document.key for document in upserts)])
        if deletes:
            db.session.execute(
                text("DELETE FROM search_document WHERE key IN :keys").bindparams(
                    bindparam("keys", expanding=True)
                ),
                {"keys": deletes},
            )
        if upserts:
            db.session.execute(_UPSERT, [_row(document) for document in upserts])
            words = _vocabulary((d.title, " ".join(d.tags), d.body) for d in upserts)
            if words:
                db.session.execute(_WORDS, words)

    @staticmethod
    def _uncount(keys: list[str]) -> None:
        """Take the words of the documents about to be replaced or removed out of the
        vocabulary, so "Did you mean" never offers a word only hidden or deleted content had."""
        if not keys:
            return
        old = db.session.execute(_OLD_TEXTS, {"keys": keys}).all()
        words = _vocabulary(old)
        if words:
            db.session.execute(_UNCOUNT, words)
            db.session.execute(_PRUNE, {"words": [w["word"] for w in words]})

    def rebuild(self, documents: Iterator[Document]) -> int:
        # One transaction: readers see the old rows until the commit, then all the new ones.
        db.session.execute(text("DELETE FROM search_document"))
        db.session.execute(text("DELETE FROM search_word"))
        count, batch = 0, []
        for document in documents:
            batch.append(document)
            if len(batch) >= 1000:
                self.apply(batch, [])
                count += len(batch)
                batch = []
        if batch:
            self.apply(batch, [])
            count += len(batch)
        return count

    # -- reading --------------------------------------------------------------------------
    def search(self, request: SearchRequest) -> SearchResults:
        results = SearchResults(
            request.query.text(), page=request.page, per_page=request.per_page, sort=request.sort
        )
        timeout = max(1, int(request.remaining() * 1000))
        with db.engine.connect() as connection:
            connection.execute(text(f"SET LOCAL statement_timeout = {timeout}"))
            sql = postgres_query.build(request, {})
            if sql is None:
                connection.rollback()
                return results
            rows = None
            # Already out of time (the timeout's floor of 1 ms is beaten by a small table, so
            # it would not say so): straight to the cheap answer.
            if request.deadline is None or request.remaining() > 0:
                try:
                    sql = postgres_query.build(request, self._expansions(connection, request))
                    params = sql.params
                    rows = connection.execute(self._bind(sql.page, params), params).all()
                    results.total = connection.execute(
                        self._bind(sql.count, params), params
                    ).scalar()
                except OperationalError:
                    connection.rollback()
                    rows = None
                    connection.execute(text(f"SET LOCAL statement_timeout = {timeout}"))
            if rows is None:
                # Out of time: the newest matches without ranking are the best we can do fast
                # (prefixes stay prefixes: there is no time left to look them up).
                results.partial = True
                sql = postgres_query.build(request, {})
                params = sql.params
                try:
                    rows = connection.execute(self._bind(sql.fallback, params), params).all()
                except OperationalError:
                    connection.rollback()
                    rows = []
                results.total = len(rows)
            needles = list(request.query.words) + [w for p in request.query.phrases for w in p]
            stemmed = " ".join(word for word in request.query.words if has_stem(word))
            if rows and stemmed:
                needles += (
                    connection.execute(
                        text("SELECT unnest(tsvector_to_array(to_tsvector('english', :q)))"),
                        {"q": stemmed},
                    )
                    .scalars()
                    .all()
                )
            connection.rollback()
        for row in rows:
            results.hits.append(
                Hit(
                    key=row.key, type=row.doc_type, object_id=row.object_id, title=row.title,
                    url=row.url, snippet=highlight(row.body, needles), category=row.category,
                    section=row.section, date=row.date, score=float(row.score),
                )
            )  # fmt: skip
        return results

    @staticmethod
    def _expansions(connection, request: SearchRequest) -> dict[str, list[str]]:
        """Per query word, the indexed words it begins (see ``postgres_query``)."""
        built = postgres_query.expansions_sql(request)
        if built is None:
            return {}
        found: dict[str, list[str]] = {}
        words = request.query.words
        for row in connection.execute(text(built[0]), built[1]):
            found.setdefault(words[row.term], []).append(row.word)
        return {word: found.get(word, []) for word in words if expands_in_vocabulary(word)}

    @staticmethod
    def _bind(sql: str, params: dict):
        statement = text(sql)
        if "types" in params:
            statement = statement.bindparams(bindparam("types", expanding=True))
        return statement

    def suggest(self, word: str) -> str | None:
        if len(word) < 4:
            return None
        with db.engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT word, frequency FROM search_word WHERE word % :w"
                    " ORDER BY similarity(word, :w) DESC, frequency DESC LIMIT 30"
                ),
                {"w": word},
            ).all()
            connection.rollback()
        return best_correction(word, [(row.word, row.frequency) for row in rows])

    def fingerprints(self) -> dict[str, str]:
        rows = db.session.execute(text("SELECT key, fingerprint FROM search_document")).all()
        return {row.key: row.fingerprint for row in rows}

    def url_for_key(self, key: str) -> str | None:
        return db.session.scalar(
            text("SELECT url FROM search_document WHERE key = :key"), {"key": key}
        )
