"""tickets: foreign key from ticket.forum_thread_id to forum_thread

Revision ID: tickets_0002
Revises: tickets_0001
"""

from alembic import op

revision = "tickets_0002"
# Joins the forum branch: the ticket points at a forum thread.
down_revision = ("tickets_0001", "forum_0001")
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.create_foreign_key(
            op.f("fk_ticket_forum_thread_id_forum_thread"),
            "forum_thread",
            ["forum_thread_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_ticket_forum_thread_id_forum_thread"), type_="foreignkey")
