"""The wiki's own domain errors (the rest are :mod:`app.errors`'); views map them to the
conflict page or form errors."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.errors import Conflict
from app.wiki import merge

if TYPE_CHECKING:
    from app.wiki.models import WikiRevision


class EditConflict(Conflict):
    """Someone saved overlapping changes since ``base``; nothing was saved.

    ``unknown_base``: the form named no usable base revision, so nobody can tell what changed
    since the editor started; the edit is treated as conflicting with the whole current text.
    """

    def __init__(
        self,
        current: WikiRevision,
        current_body: str,
        conflicts: list[merge.Conflict],
        *,
        unknown_base: bool = False,
    ):
        super().__init__(
            "We couldn't tell which version of the page you started from."
            if unknown_base
            else "Someone else changed the same part of this page while you were editing."
        )
        self.current = current
        self.current_body = current_body
        self.conflicts = conflicts
        self.unknown_base = unknown_base


class ConcurrentChange(Conflict):
    """The compare-and-swap found a different head than the one just read (should not happen
    with the page lock; refusing is the safe answer if it ever does)."""


__all__ = ["ConcurrentChange", "EditConflict"]
