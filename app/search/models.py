"""Search tables: the query log (no personal data) and the PostgreSQL backend's documents."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Index, Integer, String, Text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

#: A ``tsvector`` on PostgreSQL; plain text elsewhere (the table is only used on PostgreSQL).
TSVECTOR = Text().with_variant(postgresql.TSVECTOR(), "postgresql")


class SearchQueryLog(db.Model):
    """One search as typed, without who typed it: no user id, no address, no session."""

    __tablename__ = "search_query_log"
    __table_args__ = (Index("ix_search_query_log_created_query", "created_at", "query"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Normalised (lower case, single spaces, e-mail addresses and long numbers masked).
    query: Mapped[str] = mapped_column(String(200))
    result_count: Mapped[int] = mapped_column(Integer)
    #: Key (``type:id``) of the result the searcher opened, if any.
    clicked_key: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime]
    #: Random name of this entry, given when the search is counted (before the row exists), so
    #: that its result links can name it; not derived from the searcher.
    token: Mapped[str | None] = mapped_column(String(32), unique=True)


class SearchDocumentRow(db.Model):
    """One indexed document of the PostgreSQL backend (empty when Whoosh is the backend)."""

    __tablename__ = "search_document"
    __table_args__ = (
        Index("ix_search_document_tsv", "tsv", postgresql_using="gin"),
        Index("ix_search_document_head", "head", postgresql_using="gin"),
    )

    #: ``type:id``, the same key as in the Whoosh index.
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(20), index=True)
    object_id: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    tags: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(100), index=True)
    section: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500))
    date: Mapped[datetime] = mapped_column(index=True)
    #: Slightly above 1 for accepted answers and helpful articles.
    boost: Mapped[float] = mapped_column(Float)
    fingerprint: Mapped[str] = mapped_column(String(64))
    #: Stemmed (english) and as-typed lexemes, weighted title A, tags B, body C.
    tsv: Mapped[str] = mapped_column(TSVECTOR)
    #: The title's and tags' part of ``tsv`` alone (empty until a rebuild after upgrading).
    head: Mapped[str | None] = mapped_column(TSVECTOR)


class SearchWord(db.Model):
    """The PostgreSQL backend's vocabulary, for "Did you mean" (trigram index when available)."""

    __tablename__ = "search_word"
    __table_args__ = (
        Index(
            "ix_search_word_trgm", "word", postgresql_using="gin",
            postgresql_ops={"word": "gin_trgm_ops"},
        ),
        # Prefix expansion (``word LIKE 'instal%'``) as a btree range, whatever the collation.
        Index("ix_search_word_prefix", "word", postgresql_ops={"word": "text_pattern_ops"}),
    )  # fmt: skip

    word: Mapped[str] = mapped_column(String(60), primary_key=True)
    #: How many indexed documents hold the word (a tie-breaker); the word goes with the last.
    frequency: Mapped[int] = mapped_column(Integer, default=1)
