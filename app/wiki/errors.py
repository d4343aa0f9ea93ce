"""Domain errors of the wiki; views map them to form errors or HTTP statuses."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.wiki.merge import Conflict

if TYPE_CHECKING:
    from app.wiki.models import WikiRevision


class WikiError(Exception):
    """Something the person can fix; ``field`` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class WikiPermissionError(WikiError):
    """The acting user may not do this (views answer 403)."""


class WikiNotFound(WikiError):
    """No such page or revision (views answer 404)."""


class EditConflict(WikiError):
    """Someone saved overlapping changes since ``base``; nothing was saved.

    ``unknown_base``: the form named no usable base revision, so nobody can tell what changed
    since the editor started; the edit is treated as conflicting with the whole current text.
    """

    def __init__(
        self,
        current: WikiRevision,
        current_body: str,
        conflicts: list[Conflict],
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


class ConcurrentChange(WikiError):
    """The compare-and-swap found a different head than the one just read (should not happen
    with the page lock; refusing is the safe answer if it ever does)."""


__all__ = ["ConcurrentChange", "EditConflict", "WikiError", "WikiNotFound", "WikiPermissionError"]
