"""The search backend interface, the values it passes around, and the factory choosing one.

Two implementations pass the same behaviour tests: :class:`~app.search.whoosh_backend.
WhooshBackend` (default; an index folder on this host) and :class:`~app.search.postgres_backend.
PostgresBackend` (a table in the shared database, for several app hosts). Only publicly visible
content is ever handed to a backend, so a backend never needs to know who is searching.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime

from flask import Flask, current_app

from app.search.rules import ParsedQuery

SORTS = ("relevance", "date")


@dataclass(frozen=True)
class Document:
    """What is indexed for one searchable object (built by ``documents.document_for``)."""

    type: str
    object_id: int
    title: str
    body: str
    url: str
    date: datetime
    tags: tuple[str, ...] = ()
    category: str = ""
    section: str = ""
    #: Slightly above 1 for accepted answers and helpful articles.
    boost: float = 1.0

    @property
    def key(self) -> str:
        return f"{self.type}:{self.object_id}"

    @property
    def fingerprint(self) -> str:
        """A hash of everything indexed, so ``flask search check`` can spot stale documents."""
        data = [
            self.type, self.object_id, self.title, self.body, self.url,
            self.date.isoformat(), list(self.tags), self.category, self.section,
            round(self.boost, 4),
        ]  # fmt: skip
        return hashlib.sha256(json.dumps(data).encode()).hexdigest()[:32]


@dataclass
class Hit:
    key: str
    type: str
    object_id: int
    title: str
    url: str
    #: Safe HTML: escaped text with our own ``<mark>`` tags only.
    snippet: str
    category: str
    section: str
    date: datetime
    score: float = 0.0


@dataclass
class SearchRequest:
    query: ParsedQuery
    types: tuple[str, ...] | None = None
    category: str | None = None
    page: int = 1
    per_page: int = 10
    sort: str = "relevance"
    #: Seconds; the backend returns what it found so far once this is spent.
    time_limit: float = 0.4
    #: ``time.monotonic()`` by which the whole search must be done (set by ``services.search``
    #: when the search starts, so a corrected re-run shares the same budget); None: from now.
    deadline: float | None = None

    def remaining(self) -> float:
        """Seconds left before the deadline (the whole time limit when none is set)."""
        if self.deadline is None:
            return self.time_limit
        return max(0.0, self.deadline - time.monotonic())


@dataclass
class SearchResults:
    query: str
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = 10
    sort: str = "relevance"
    #: The time limit cut the search short: these are the best results found in time.
    partial: bool = False
    #: "Did you mean …": a corrected query when the one typed found nothing.
    suggestion: str | None = None
    #: The results shown are those of ``suggestion`` (the typed query found nothing).
    corrected: bool = False
    #: The query-log row of this search, for click tracking.
    log_id: str | None = None

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page)) if self.per_page else 1

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


class SearchBackend(ABC):
    """What search needs from an engine. Writers are serialised by :meth:`writer_lock`."""

    name: str

    @abstractmethod
    def writer_lock(self, *, blocking: bool) -> AbstractContextManager[bool]:
        """Hold the single-writer lock; yields False when ``blocking`` is off and it is taken."""

    @abstractmethod
    def apply(
        self, upserts: Iterable[Document], deletes: Iterable[str], *, purge: bool = False
    ) -> None:
        """Add or replace ``upserts`` and remove the documents with keys ``deletes``.

        ``purge`` (after an erasure, ``docs/privacy.md``): also drop what replaced and deleted
        documents leave on disk (Whoosh merges its segments; PostgreSQL leaves it to VACUUM).

        Call with the writer lock held. The PostgreSQL backend writes in the current database
        transaction (the caller commits); Whoosh commits its own writer.
        """

    @abstractmethod
    def search(self, request: SearchRequest) -> SearchResults:
        """Run one query; hits carry safe highlighted snippets."""

    @abstractmethod
    def suggest(self, word: str) -> str | None:
        """A correction for a misspelt word from the index's vocabulary, or None."""

    @abstractmethod
    def fingerprints(self) -> dict[str, str]:
        """Every indexed key with the fingerprint it was indexed with."""

    @abstractmethod
    def url_for_key(self, key: str) -> str | None:
        """The stored URL of one indexed document (for click redirects)."""

    @abstractmethod
    def rebuild(self, documents: Iterator[Document]) -> int:
        """Index ``documents`` from scratch and replace the live index atomically.

        Searches keep being answered from the old index until the swap.

        :returns: how many documents were indexed.
        """


def create_backend(app: Flask) -> SearchBackend:
    """The backend named by ``SEARCH_BACKEND``, from the factories ``init_app`` registered in
    ``app.extensions["search_backends"]`` (so this interface never imports its implementations).
    """
    name = app.config["SEARCH_BACKEND"]
    factories = app.extensions.get("search_backends", {})
    if name not in factories:
        choices = " or ".join(repr(known) for known in factories)
        raise RuntimeError(f"SEARCH_BACKEND must be {choices}, not {name!r}")
    return factories[name](app)


def get_backend() -> SearchBackend:
    """This application's backend (one per app, created on first use)."""
    backend = current_app.extensions.get("search_backend")
    if backend is None:
        backend = current_app.extensions["search_backend"] = create_backend(current_app)
    return backend
