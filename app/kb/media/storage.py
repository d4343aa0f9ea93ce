"""Where processed videos and waiting uploads are kept, behind a small interface.

:class:`LocalStorage` (a folder) is the built-in store. A bucket for several hosts implements
the same five methods (docs/kb.md); the pipeline and the pages use nothing else.

Writes are atomic: a file is written under a temporary name in the same folder and renamed
into place, so a reader (or a crash) never meets a half-written file under a real key.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from app.errors import NotFound

#: Keys are ours (content hashes and random ids), never a person's file name.
_KEY_RE = re.compile(r"^(?:incoming/)?[a-z0-9]{8,64}(?:\.[a-z0-9]{2,4})?$")


class MediaNotFound(NotFound):
    """No stored file under that key."""


class MediaStorage(Protocol):
    def put(self, source: Path, key: str) -> None:
        """Store a copy of ``source`` under ``key`` (atomically)."""

    def fetch(self, key: str, destination: Path) -> None:
        """Copy the stored file to ``destination``; :raises MediaNotFound:."""

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove the file; a missing one is not an error."""

    def local_path(self, key: str) -> Path | None:
        """A path the web server may send the file from, or None (a remote store)."""

    def size(self, key: str) -> int:
        """The stored file's length in bytes; :raises MediaNotFound:."""

    def read(self, key: str, start: int, stop: int) -> Iterator[bytes]:
        """Bytes ``start`` to ``stop`` (exclusive), as chunks; :raises MediaNotFound:."""


def check_key(key: str) -> str:
    if not _KEY_RE.match(key):
        raise MediaNotFound("No such media file.")
    return key


class LocalStorage:
    """Files in one folder; ``incoming/`` holds uploads waiting to be processed."""

    def __init__(self, root: Path | str):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, source: Path, key: str) -> None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".partial-")
        os.close(handle)
        try:
            shutil.copyfile(source, temporary)
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def fetch(self, key: str, destination: Path) -> None:
        path = self._path(key)
        if not path.is_file():
            raise MediaNotFound("No such media file.")
        shutil.copyfile(path, destination)

    def exists(self, key: str) -> bool:
        try:
            return self._path(key).is_file()
        except MediaNotFound:
            return False

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def local_path(self, key: str) -> Path | None:
        path = self._path(key)
        return path if path.is_file() else None

    def size(self, key: str) -> int:
        path = self._path(key)
        if not path.is_file():
            raise MediaNotFound("No such media file.")
        return path.stat().st_size

    def read(self, key: str, start: int, stop: int) -> Iterator[bytes]:
        path = self._path(key)
        if not path.is_file():
            raise MediaNotFound("No such media file.")
        return _file_chunks(path, start, stop)


def _file_chunks(path: Path, start: int, stop: int) -> Iterator[bytes]:
    with path.open("rb") as handle:
        handle.seek(start)
        left = stop - start
        while left > 0:
            block = handle.read(min(left, 256 * 1024))
            if not block:
                return
            left -= len(block)
            yield block
