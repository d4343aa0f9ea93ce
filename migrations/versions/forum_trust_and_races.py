"""forum: flagger level on flags, held edits on posts, one follow per person and thread/category

Revision ID: forum_trust_and_races
Revises: kb_vote_daily_key
"""

import sqlalchemy as sa
from alembic import op

import app.models

revision = "forum_trust_and_races"
down_revision = "kb_vote_daily_key"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("forum_flag", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("flagger_level", sa.Integer(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("forum_post", schema=None) as batch_op:
        batch_op.add_column(sa.Column("held_body", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("held_body_html", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("held_at", app.models.UTCDateTime(timezone=True), nullable=True)
        )
    # Racing "Follow" requests left duplicate rows (so "Stop following" removed only one of
    # them): keep the oldest follow of each person and thread or category, then forbid copies.
    subscription = sa.table(
        "forum_subscription",
        sa.column("id", sa.Integer),
        sa.column("user_id", sa.Integer),
        sa.column("thread_id", sa.Integer),
        sa.column("category_id", sa.Integer),
    )
    for column in (subscription.c.thread_id, subscription.c.category_id):
        keep = (
            sa.select(sa.func.min(subscription.c.id))
            .where(column.is_not(None))
            .group_by(subscription.c.user_id, column)
        )
        op.execute(subscription.delete().where(column.is_not(None), subscription.c.id.not_in(keep)))
    with op.batch_alter_table("forum_subscription", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            "uq_forum_subscription_user_thread", ["user_id", "thread_id"]
        )
        batch_op.create_unique_constraint(
            "uq_forum_subscription_user_category", ["user_id", "category_id"]
        )


def downgrade():
    with op.batch_alter_table("forum_subscription", schema=None) as batch_op:
        batch_op.drop_constraint("uq_forum_subscription_user_category", type_="unique")
        batch_op.drop_constraint("uq_forum_subscription_user_thread", type_="unique")
    with op.batch_alter_table("forum_post", schema=None) as batch_op:
        batch_op.drop_column("held_at")
        batch_op.drop_column("held_body_html")
        batch_op.drop_column("held_body")
    with op.batch_alter_table("forum_flag", schema=None) as batch_op:
        batch_op.drop_column("flagger_level")
