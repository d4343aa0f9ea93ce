"""The declarative base shared by every feature: a constraint naming convention (so Alembic can
name and later drop every constraint on SQLite and PostgreSQL alike), a UTC datetime type and
small mixins."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every database.

    SQLite has no time zones, so values are stored naive in UTC and made aware again on load;
    naive values are refused on the way in, because they are always a bug here.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


#: The largest value of an INTEGER column on PostgreSQL (SQLite's are wider): no row id is
#: larger, and asking the database for a larger one fails instead of finding nothing.
MAX_DB_INT = 2**31 - 1


def is_row_id(value: object) -> bool:
    """Whether ``value`` could be a row id (so typed numbers never reach a query out of range)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_DB_INT


def utcnow() -> datetime:
    """The current time, aware and in UTC. Only the edges (views, CLI) call this."""
    return datetime.now(UTC)


class TimestampMixin:
    #: When the row was created (UTC); set by the service from its injected ``now``.
    created_at: Mapped[datetime] = mapped_column(nullable=False)
