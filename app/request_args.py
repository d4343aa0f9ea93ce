"""Numbers taken from URLs: ids and page numbers a database column can hold.

A hand-edited URL with a 30-digit id or page number must get a 404 or the first page, not a
500 from the database driver ("int too large"). Route ids go through :class:`RowIdConverter`
(registered as the ``int`` converter for every route); query arguments through
:func:`db_int` and :func:`page_arg`.
"""

from __future__ import annotations

from flask import request
from werkzeug.routing import IntegerConverter

from app.models import MAX_DB_INT


class RowIdConverter(IntegerConverter):
    """``<int:...>``, but no larger than :data:`MAX_DB_INT`: a longer number matches no route."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_DB_INT, signed=False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def db_int(value: str) -> int:
    """A ``type=`` for ``request.args.get``: an int within ±:data:`MAX_DB_INT`.

    :raises ValueError: not a number, or too large (``get`` then gives its default).
    """
    number = int(value)
    if abs(number) > MAX_DB_INT:
        raise ValueError(f"{value!r} is out of range")
    return number


def page_arg(name: str = "page") -> int:
    """The page number a list was asked for: 1 when missing, invalid, too large or below 1."""
    return max(request.args.get(name, 1, type=db_int) or 1, 1)
