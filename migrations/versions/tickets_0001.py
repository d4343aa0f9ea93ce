"""tickets: tickets, messages, attachments, append-only events, deflections

Revision ID: tickets_0001
Revises: 0001_foundation
"""

import sqlalchemy as sa
from alembic import op

import app.models

revision = "tickets_0001"
down_revision = "0001_foundation"
branch_labels = ("tickets",)
depends_on = None

UTC = app.models.UTCDateTime(timezone=True)


def upgrade():
    op.create_table(
        "ticket",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("description_html", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("impact", sa.String(length=20), nullable=False),
        sa.Column("suggested_priority", sa.String(length=10), nullable=False),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("tier_entered_at", UTC, nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("forum_thread_id", sa.Integer(), nullable=True),
        sa.Column("guide_slug", sa.String(length=200), nullable=True),
        sa.Column("guide_steps", sa.Integer(), nullable=True),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("solved_at", UTC, nullable=True),
        sa.Column("first_responded_at", UTC, nullable=True),
        sa.Column("awaiting_since", UTC, nullable=True),
        sa.Column("pauses", sa.JSON(), nullable=False),
        sa.Column("first_response_due_at", UTC, nullable=True),
        sa.Column("next_reply_due_at", UTC, nullable=True),
        sa.Column("sla_due_at", UTC, nullable=True),
        sa.Column("sla_at_risk_at", UTC, nullable=True),
        sa.Column("sla_breached_at", UTC, nullable=True),
        sa.Column("next_timer_at", UTC, nullable=True),
        sa.Column("timer_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["user_account.id"], name=op.f("fk_ticket_assignee_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"], ["ticket.id"], name=op.f("fk_ticket_merged_into_id_ticket")
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"], ["user_account.id"], name=op.f("fk_ticket_requester_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket")),
    )
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.create_index("ix_ticket_next_timer_at", ["next_timer_at"], unique=False)
        batch_op.create_index("ix_ticket_tier_sla_due_at", ["tier", "sla_due_at"], unique=False)
        batch_op.create_index(
            "ix_ticket_requester_id_created_at", ["requester_id", "created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_ticket_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_ticket_assignee_id"), ["assignee_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_ticket_forum_thread_id"), ["forum_thread_id"], unique=False
        )

    op.create_table(
        "ticket_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("internal", sa.Boolean(), nullable=False),
        sa.Column("from_agent", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user_account.id"],
            name=op.f("fk_ticket_message_author_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_ticket_message_ticket_id_ticket")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_message")),
    )
    with op.batch_alter_table("ticket_message", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ticket_message_ticket_id"), ["ticket_id"], unique=False
        )

    op.create_table(
        "ticket_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("stored_name", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploader_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["ticket_message.id"],
            name=op.f("fk_ticket_attachment_message_id_ticket_message"),
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_ticket_attachment_ticket_id_ticket")
        ),
        sa.ForeignKeyConstraint(
            ["uploader_id"],
            ["user_account.id"],
            name=op.f("fk_ticket_attachment_uploader_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_attachment")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_ticket_attachment_stored_name")),
    )
    with op.batch_alter_table("ticket_attachment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ticket_attachment_ticket_id"), ["ticket_id"], unique=False
        )

    op.create_table(
        "ticket_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("rule", sa.String(length=40), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user_account.id"], name=op.f("fk_ticket_event_actor_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_ticket_event_ticket_id_ticket")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_event")),
    )
    with op.batch_alter_table("ticket_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ticket_event_ticket_id"), ["ticket_id"], unique=False)

    op.create_table(
        "ticket_deflection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("query", sa.String(length=200), nullable=False),
        sa.Column("article_url", sa.String(length=500), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_ticket_deflection_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_deflection")),
    )
    with op.batch_alter_table("ticket_deflection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ticket_deflection_user_id"), ["user_id"], unique=False)

    # The event log is append-only: the database refuses UPDATE and DELETE too.
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION ticket_event_append_only() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'ticket_event is append-only'; END; $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER ticket_event_no_change BEFORE UPDATE OR DELETE ON ticket_event "
            "FOR EACH ROW EXECUTE FUNCTION ticket_event_append_only()"
        )
    elif dialect == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER ticket_event_no_{action.lower()} BEFORE {action} ON ticket_event "
                "BEGIN SELECT RAISE(ABORT, 'ticket_event is append-only'); END"
            )


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS ticket_event_no_change ON ticket_event")
        op.execute("DROP FUNCTION IF EXISTS ticket_event_append_only()")
    elif dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS ticket_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS ticket_event_no_delete")
    op.drop_table("ticket_deflection")
    op.drop_table("ticket_event")
    op.drop_table("ticket_attachment")
    op.drop_table("ticket_message")
    op.drop_table("ticket")
