"""forum: members' notifications (replies, mentions, likes, accepted answers)

Revision ID: forum_notifications
Revises: forum_escalation_taken
"""

import sqlalchemy as sa
from alembic import op

import app.models

revision = "forum_notifications"
down_revision = "forum_escalation_taken"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "forum_notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("created_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", app.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["user_account.id"],
            name=op.f("fk_forum_notification_actor_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["forum_post.id"], name=op.f("fk_forum_notification_post_id_forum_post")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_forum_notification_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_notification")),
        sa.UniqueConstraint("user_id", "kind", "post_id", "actor_id", name="uq_forum_notification"),
    )
    op.create_index(
        "ix_forum_notification_user_read", "forum_notification", ["user_id", "read_at", "id"]
    )


def downgrade():
    op.drop_index("ix_forum_notification_user_read", table_name="forum_notification")
    op.drop_table("forum_notification")
