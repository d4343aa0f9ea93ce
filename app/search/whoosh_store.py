"""Where the Whoosh index lives: generation folders, the writer lock and a pool of searchers.

Layout of ``SEARCH_INDEX_DIR``::

    CURRENT        name of the live generation folder (replaced atomically by a rebuild)
    indexer.lock   flock()ed by the one process that writes, whatever the number of processes
    gen-.../       a Whoosh index; the previous generation is kept until the next rebuild

Opening a searcher costs milliseconds and its caches (field lengths, term info) warm up over the
first queries, so searchers are pooled and reused by request after request, whichever thread
runs them. A Whoosh searcher must not be used by two threads at once, so each request borrows
one (a new one is opened when all are busy). When the index changes (another commit, or a
rebuild swapped ``CURRENT``), idle searchers are closed and new ones opened on demand.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec

from app.search.whoosh_engine import Engine
from app.search.whoosh_query import QueryBuilder

#: Postings blocks are written uncompressed: a bigger index, but reading a block no longer
#: pays for zlib (a third of the cost of reading postings).
CODEC = W3Codec(compression=0)
OUTDATED = "The search index was built by an older version: run `flask search rebuild`."

log = logging.getLogger(__name__)


class OutdatedIndex(RuntimeError):
    """The live index has another schema than this version writes."""


#: Idle searchers kept per process (one per concurrently served search is plenty).
MAX_IDLE = 8


class Store:
    """The index folder of one backend: generations, the writer lock, pooled searchers."""

    def __init__(self, root: str | os.PathLike, schema):
        self.root = Path(root)
        self.schema = schema
        self._lock = threading.Lock()
        self._folder: Path | None = None
        self._index = None
        self._generation: int | None = None
        self._idle: list = []
        self._previous: str | None = None

    # -- generations ---------------------------------------------------------------------
    def current_dir(self) -> Path | None:
        """The live generation folder, or None before anything was indexed."""
        try:
            name = (self.root / "CURRENT").read_text().strip()
        except FileNotFoundError:
            return None
        return self.root / name if name else None

    def new_generation(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        folder = self.root / f"gen-{uuid.uuid4().hex[:12]}"
        folder.mkdir()
        whoosh_index.create_in(str(folder), self.schema)
        return folder

    def publish(self, folder: Path) -> None:
        """Make ``folder`` the live generation; keep the previous one a round, drop older ones."""
        current = self.current_dir()
        # Write-then-rename: readers see the old name or the new one, never half a file.
        pointer = self.root / "CURRENT.tmp"
        pointer.write_text(folder.name)
        os.replace(pointer, self.root / "CURRENT")
        keep = {folder.name}
        if current is not None and current.name != folder.name:
            keep.add(current.name)
        for old in self.root.glob("gen-*"):
            if old.name not in keep:
                shutil.rmtree(old, ignore_errors=True)

    @staticmethod
    def open(folder: Path):
        return whoosh_index.open_dir(str(folder))

    def compatible(self, index) -> bool:
        """Whether ``index`` was built with this version's schema (field names and kinds)."""
        theirs, ours = index.schema, self.schema
        return sorted(theirs.names()) == sorted(ours.names()) and all(
            type(theirs[name]) is type(ours[name]) for name in ours.names()
        )

    def writable_index(self):
        """The live index for a drain; a first, empty generation when there is none.

        :raises OutdatedIndex: the live index was built by an older version (rebuild it).
        """
        folder = self.current_dir()
        if folder is None or not folder.exists():
            folder = self.new_generation()
            self.publish(folder)
        index = whoosh_index.open_dir(str(folder))
        if not self.compatible(index):
            raise OutdatedIndex(OUTDATED)
        return index

    @contextmanager
    def writer_lock(self, *, blocking: bool):
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "indexer.lock", "a+") as handle:
            flags = fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB)
            try:
                fcntl.flock(handle, flags)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    # -- searchers -----------------------------------------------------------------------
    def _current_generation(self) -> int | None:
        """Check the live folder and its latest commit; drop idle searchers that are stale."""
        folder = self.current_dir()
        if folder != self._folder:
            self._close_idle()
            self._folder, self._index, self._generation = folder, None, None
            if folder is not None:
                try:
                    self._index = whoosh_index.open_dir(str(folder))
                except (FileNotFoundError, whoosh_index.EmptyIndexError):
                    self._folder = None
                    return None
                if not self.compatible(self._index):
                    log.warning(OUTDATED)
                    self._index = None  # searched as empty until rebuilt
        if self._index is None:
            return None
        try:
            generation = self._index.latest_generation()
        except FileNotFoundError:  # the folder was swapped out under us: retry next time
            self._folder = None
            return None
        if generation != self._generation:
            # Whoosh 2.7's refresh() reopens every segment anyway: just open new searchers.
            self._generation = generation
            self._close_idle()
        return generation

    def _close_idle(self) -> None:
        idle, self._idle = self._idle, []
        for searcher in idle:
            searcher.close()

    @contextmanager
    def searcher(self):
        """Borrow a searcher on the live index (None when nothing was indexed yet).

        The searcher carries its ``builder`` (:class:`QueryBuilder`, with its cache of word
        expansions) and ``engine`` (:class:`Engine`, with its cached field lengths and filters).
        """
        with self._lock:
            generation = self._current_generation()
            if generation is None:
                searcher = None
            elif self._idle:
                searcher = self._idle.pop()
            else:
                searcher = self._index.searcher()
                searcher.builder = QueryBuilder(searcher.reader())
                searcher.engine = Engine(searcher)
                searcher.generation = (self._folder, generation)
            key = (self._folder, generation)
        try:
            yield searcher
        finally:
            if searcher is not None:
                with self._lock:
                    if (
                        searcher.generation == key == (self._folder, self._generation)
                        and len(self._idle) < MAX_IDLE
                    ):
                        self._idle.append(searcher)
                    else:
                        searcher.close()

    def forget(self) -> None:
        """Close every idle searcher (after a rebuild, or in tests)."""
        with self._lock:
            self._close_idle()
            self._folder, self._index, self._generation = None, None, None
