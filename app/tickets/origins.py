"""Where a ticket came from, beyond its channel: the channels above tickets say it (the social
channel: "X, public"), tickets only show and filter by it.

Tickets never import the channels, so each channel registers an :class:`Origin` at start-up
with :func:`register_origin`; the queues ask every registered origin for the labels of the
tickets on the page (one query per origin, not per ticket) and offer their filter choices.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy import Select


@dataclass(frozen=True)
class Origin:
    #: Ticket ids → a short label (``"X, private"``); tickets it does not know are left out.
    labels: Callable[[list[int]], dict[int, str]]
    #: Filter values → how the filter menu reads them (``{"x": "X"}``).
    choices: Callable[[], dict[str, str]]
    #: A filter value → a ``select`` of the matching ticket ids (``None``: unknown value).
    ticket_ids: Callable[[str], Select | None]


def register_origin(app: Flask, channel: str, origin: Origin) -> None:
    app.extensions.setdefault("ticket_origins", {})[channel] = origin


def _origins() -> dict[str, Origin]:
    return current_app.extensions.get("ticket_origins", {})


def labels(ticket_ids: Iterable[int]) -> dict[int, str]:
    """The origin label of each of these tickets that has one."""
    ids = list(ticket_ids)
    found: dict[int, str] = {}
    if ids:
        for origin in _origins().values():
            found.update(origin.labels(ids))
    return found


def filter_choices() -> dict[str, str]:
    """Every registered filter choice, as ``"channel:value"`` → label."""
    return {
        f"{channel}:{value}": label
        for channel, origin in _origins().items()
        for value, label in origin.choices().items()
    }


def matching_ticket_ids(choice: str) -> Select | None:
    """The ids of the tickets a filter choice keeps; ``None`` for a choice nobody offers (the
    queue then ignores it, like any unknown filter value)."""
    channel, _, value = choice.partition(":")
    origin = _origins().get(channel)
    if origin is None or value not in origin.choices():
        return None
    return origin.ticket_ids(value)
