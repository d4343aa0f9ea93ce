"""The Whoosh backend: an index folder on this host, the default.

The folder, the writer lock and the searcher pool are in :mod:`app.search.whoosh_store`; how
text is indexed and queries are built (stemming at query time from the vocabulary, prefixes
on real words) in :mod:`app.search.whoosh_query`.

A whole search (building the query, collecting, snippets) runs against one deadline: when the
collection is cut short the best results found so far are returned marked ``partial``; when
the snippets would overrun it, the remaining hits get a plain (unhighlighted) snippet.
"""

from __future__ import annotations

import html
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from datetime import UTC
from itertools import islice

from whoosh.collectors import TimeLimit
from whoosh.reading import TermNotFound

from app.search.backend import Document, Hit, SearchBackend, SearchRequest, SearchResults
from app.search.rules import best_correction, highlight, max_typos
from app.search.whoosh_query import (
    FIELD_WEIGHTS,
    STORED_TEXT_CHARS,
    analyse,
    filters,
    make_schema,
    word_line,
)
from app.search.whoosh_store import CODEC, Store

#: Documents handed to the writer processes per batch during a rebuild.
REBUILD_BATCH = 500
#: Time kept back from the deadline for the hits' snippets.
SNIPPET_RESERVE = 0.02
#: Counting a correction's documents stops here (it only ranks candidates).
LIVE_COUNT_CAP = 1000


def _fields(document: Document) -> dict:
    title, tags, body = (
        analyse(document.title),
        analyse(" ".join(document.tags)),
        analyse(document.body),
    )
    return {
        "id": document.key,
        "type": document.type,
        "category": document.category or "",
        # Token lists: Whoosh indexes them as they are (no analyzer chain per token).
        "title": title[1],
        "_stored_title": document.title,
        "tags": tags[1],
        "body": body[1],
        "words": word_line(title[0], tags[0], body[0]),
        "text": document.body[:STORED_TEXT_CHARS],
        "section": document.section,
        "url": document.url,
        "object_id": document.object_id,
        "fingerprint": document.fingerprint,
        # Whoosh compares naive datetimes; the index keeps UTC.
        "date": document.date.astimezone(UTC).replace(tzinfo=None),
        "_boost": document.boost,
    }


def _plain_snippet(text: str, width: int = 220) -> str:
    text = " ".join((text or "")[: width * 2].split())
    return html.escape(text[:width]) + ("…" if len(text) > width else "")


def _live_frequency(reader, field: str, term: str, cap: int = LIVE_COUNT_CAP) -> int:
    """How many documents not deleted hold ``term`` (up to ``cap``).

    Whoosh keeps a deleted (hidden, removed, replaced) document's terms, and counts it in
    ``doc_frequency``, until its segment is merged; postings skip deleted documents.
    """
    if not reader.has_deletions():
        return reader.doc_frequency(field, term)
    try:
        postings = reader.postings(field, term)
    except TermNotFound:
        return 0
    count = 0
    while postings.is_active() and count < cap:
        count += 1
        postings.next()
    return count


class WhooshBackend(SearchBackend):
    """See the module docstring. Safe for many threads and processes reading at once."""

    name = "whoosh"

    def __init__(self, index_dir: str | os.PathLike, *, procs: int = 2):
        self.procs = procs
        self.schema = make_schema()
        self.store = Store(index_dir, self.schema)

    @property
    def root(self):
        return self.store.root

    def current_dir(self):
        return self.store.current_dir()

    def writer_lock(self, *, blocking: bool):
        return self.store.writer_lock(blocking=blocking)

    # -- writing --------------------------------------------------------------------------
    def apply(
        self, upserts: Iterable[Document], deletes: Iterable[str], *, purge: bool = False
    ) -> None:
        writer = self.store.writable_index().writer(timeout=10, codec=CODEC)
        try:
            for key in deletes:
                writer.delete_by_term("id", key)
            for document in upserts:
                writer.update_document(**_fields(document))
        except BaseException:
            writer.cancel()
            raise
        # A merge into one segment rewrites the index without the old versions of documents.
        writer.commit(optimize=purge)

    def rebuild(self, documents: Iterator[Document]) -> int:
        folder = self.store.new_generation()
        index = self.store.open(folder)
        if self.procs > 1:
            # One segment per writer process, no final merge: the rebuild uses every core.
            writer = index.writer(
                procs=self.procs, limitmb=256, multisegment=True, batchsize=REBUILD_BATCH,
                codec=CODEC,
            )  # fmt: skip
        else:
            writer = index.writer(limitmb=256, codec=CODEC)
        count = 0
        try:
            documents = iter(documents)
            while batch := list(islice(documents, REBUILD_BATCH)):
                for document in batch:
                    writer.add_document(**_fields(document))
                count += len(batch)
        except BaseException:
            writer.cancel()
            shutil.rmtree(folder, ignore_errors=True)
            raise
        writer.commit()
        self.store.publish(folder)
        return count

    # -- reading --------------------------------------------------------------------------
    def search(self, request: SearchRequest) -> SearchResults:
        deadline = request.deadline or time.monotonic() + request.time_limit
        results = SearchResults(
            request.query.text(), page=request.page, per_page=request.per_page, sort=request.sort
        )
        with self.store.searcher() as searcher:
            if searcher is None:
                return results
            try:
                plan = searcher.builder.build(request.query, deadline)
            except TimeLimit:
                results.partial = True
                return results
            if plan is None:
                return results
            plan.filters = filters(request.types, request.category)
            limit = request.page * request.per_page
            found = searcher.engine.evaluate(
                plan, limit=limit, by_date=request.sort == "date",
                deadline=deadline - SNIPPET_RESERVE,
            )  # fmt: skip
            results.total, results.partial = found.total, found.partial
            needles = searcher.builder.needles(request.query)
            for _tier, score, _date, docnum in found.top[(request.page - 1) * request.per_page :]:
                fields = searcher.stored_fields(docnum)
                results.hits.append(self._hit(fields, score, needles, deadline))
        return results

    @staticmethod
    def _hit(fields: dict, score: float, needles: list[str], deadline: float) -> Hit:
        text = fields.get("text", "")
        in_time = time.monotonic() < deadline
        return Hit(
            key=fields["id"], type=fields["type"], object_id=fields["object_id"],
            title=fields["title"], url=fields["url"],
            snippet=highlight(text, needles) if in_time else _plain_snippet(text),
            category=fields["category"], section=fields["section"],
            date=fields["date"].replace(tzinfo=UTC), score=score,
        )  # fmt: skip

    def suggest(self, word: str) -> str | None:
        if len(word) < 4:
            return None
        with self.store.searcher() as searcher:
            if searcher is None:
                return None
            reader = searcher.reader()
            if any(_live_frequency(reader, field, word) for field in FIELD_WEIGHTS):
                return None
            candidates: dict[str, int] = {}
            for field in FIELD_WEIGHTS:
                for candidate in reader.terms_within(field, word, max_typos(word), prefix=1):
                    count = _live_frequency(reader, field, candidate)
                    if count:
                        candidates[candidate] = candidates.get(candidate, 0) + count
            return best_correction(word, candidates.items())

    def fingerprints(self) -> dict[str, str]:
        with self.store.searcher() as searcher:
            if searcher is None:
                return {}
            return {f["id"]: f["fingerprint"] for f in searcher.all_stored_fields()}

    def url_for_key(self, key: str) -> str | None:
        with self.store.searcher() as searcher:
            if searcher is None:
                return None
            fields = searcher.document(id=key)
            return fields["url"] if fields else None
