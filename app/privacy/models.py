"""Privacy's one table: the key that lets erasure and retention change ticket events.

The database refuses UPDATE and DELETE on ``ticket_event`` (triggers, migration
``privacy_0001_event_unlock``) unless this table has a row. Only
:func:`app.privacy.erasure.ticket_events_unlocked` writes one, inside its own transaction, and
deletes it again before the commit, so no other transaction ever sees it.
"""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class TicketEventUnlock(db.Model):
    __tablename__ = "ticket_event_unlock"

    #: Why the log may change in this transaction ("erasure", "retention").
    reason: Mapped[str] = mapped_column(String(20), primary_key=True)
