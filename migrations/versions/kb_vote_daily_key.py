"""Anonymous helpful votes: a key salted per day (no address stored) and the day's salt.

Revision ID: kb_vote_daily_key
Revises: wiki_redirect_kept
Create Date: 2026-12-07 11:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "kb_vote_daily_key"
down_revision = "wiki_redirect_kept"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "kb_vote_salt",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_kb_vote_salt")),
    )
    with op.batch_alter_table("kb_vote") as batch:
        batch.add_column(sa.Column("visitor_hash", sa.String(length=64), nullable=True))
        batch.create_unique_constraint(
            "uq_kb_vote_article_visitor_hash", ["article_id", "visitor_hash"]
        )


def downgrade():
    with op.batch_alter_table("kb_vote") as batch:
        batch.drop_constraint("uq_kb_vote_article_visitor_hash", type_="unique")
        batch.drop_column("visitor_hash")
    op.drop_table("kb_vote_salt")
