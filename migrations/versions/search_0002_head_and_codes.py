"""search: title-and-tags tsvector (head) with its GIN index, for PostgreSQL search candidates;
a text_pattern_ops index on the vocabulary, for prefix expansion

Revision ID: search_0002_head_and_codes
Revises: forum_notifications
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "search_0002_head_and_codes"
down_revision = "forum_notifications"
branch_labels = None
depends_on = None

TSVECTOR = sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql")


def upgrade():
    # Empty for the rows there are: the PostgreSQL backend still finds them through ``tsv``,
    # and `flask search rebuild` fills ``head`` and re-splits codes the new way. The table is
    # empty (and the index a plain one) on SQLite, where Whoosh is the search backend.
    with op.batch_alter_table("search_document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("head", TSVECTOR, nullable=True))
    op.create_index("ix_search_document_head", "search_document", ["head"], postgresql_using="gin")
    op.create_index(
        "ix_search_word_prefix",
        "search_word",
        ["word"],
        postgresql_ops={"word": "text_pattern_ops"},
    )


def downgrade():
    op.drop_index("ix_search_word_prefix", table_name="search_word")
    op.drop_index("ix_search_document_head", table_name="search_document")
    with op.batch_alter_table("search_document", schema=None) as batch_op:
        batch_op.drop_column("head")
