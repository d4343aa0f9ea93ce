"""search: query log, PostgreSQL backend documents and vocabulary

Revision ID: search_0001
Revises: 0001_foundation
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import app.models

revision = "search_0001"
down_revision = "0001_foundation"
branch_labels = ("search",)
depends_on = None

TSVECTOR = sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        # Trigram similarity for "Did you mean"; shipped with PostgreSQL (contrib).
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "search_query_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("query", sa.String(length=200), nullable=False),
        sa.Column("result_count", sa.Integer(), nullable=False),
        sa.Column("clicked_key", sa.String(length=80), nullable=True),
        sa.Column("created_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_query_log")),
    )
    op.create_index(
        "ix_search_query_log_created_query", "search_query_log", ["created_at", "query"]
    )
    op.create_table(
        "search_document",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("doc_type", sa.String(length=20), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("tags", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("section", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("date", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("boost", sa.Float(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("tsv", TSVECTOR, nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_search_document")),
    )
    op.create_index("ix_search_document_tsv", "search_document", ["tsv"], postgresql_using="gin")
    op.create_index(op.f("ix_search_document_doc_type"), "search_document", ["doc_type"])
    op.create_index(op.f("ix_search_document_category"), "search_document", ["category"])
    op.create_index(op.f("ix_search_document_date"), "search_document", ["date"])
    op.create_table(
        "search_word",
        sa.Column("word", sa.String(length=60), nullable=False),
        sa.Column("frequency", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("word", name=op.f("pk_search_word")),
    )
    op.create_index(
        "ix_search_word_trgm",
        "search_word",
        ["word"],
        postgresql_using="gin",
        postgresql_ops={"word": "gin_trgm_ops"},
    )


def downgrade():
    op.drop_index("ix_search_word_trgm", table_name="search_word")
    op.drop_table("search_word")
    op.drop_index(op.f("ix_search_document_date"), table_name="search_document")
    op.drop_index(op.f("ix_search_document_category"), table_name="search_document")
    op.drop_index(op.f("ix_search_document_doc_type"), table_name="search_document")
    op.drop_index("ix_search_document_tsv", table_name="search_document")
    op.drop_table("search_document")
    op.drop_index("ix_search_query_log_created_query", table_name="search_query_log")
    op.drop_table("search_query_log")
