"""privacy: ticket events may be redacted (erasure) or deleted (retention), nothing else

The append-only triggers of ``ticket_event`` now let a change through only while the
transaction holds a row in ``ticket_event_unlock`` (written and removed again by
``app.privacy.erasure.ticket_events_unlocked`` before it commits).

Revision ID: privacy_0001_event_unlock
Revises: chat_0001_conversations
"""

import sqlalchemy as sa
from alembic import op

revision = "privacy_0001_event_unlock"
down_revision = "chat_0001_conversations"
branch_labels = None
depends_on = None


def _drop_triggers(dialect: str) -> None:
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS ticket_event_no_change ON ticket_event")
        op.execute("DROP FUNCTION IF EXISTS ticket_event_append_only()")
    elif dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS ticket_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS ticket_event_no_delete")


def upgrade():
    op.create_table(
        "ticket_event_unlock",
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("reason", name=op.f("pk_ticket_event_unlock")),
    )
    dialect = op.get_bind().dialect.name
    _drop_triggers(dialect)
    if dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION ticket_event_append_only() RETURNS trigger AS $$ BEGIN "
            "IF EXISTS (SELECT 1 FROM ticket_event_unlock) THEN "
            "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END IF; "
            "RAISE EXCEPTION 'ticket_event is append-only'; END; $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER ticket_event_no_change BEFORE UPDATE OR DELETE ON ticket_event "
            "FOR EACH ROW EXECUTE FUNCTION ticket_event_append_only()"
        )
    elif dialect == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER ticket_event_no_{action.lower()} BEFORE {action} ON ticket_event "  # noqa: S608 (constants only)
                "WHEN NOT EXISTS (SELECT 1 FROM ticket_event_unlock) "
                "BEGIN SELECT RAISE(ABORT, 'ticket_event is append-only'); END"
            )


def downgrade():
    dialect = op.get_bind().dialect.name
    _drop_triggers(dialect)
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
    op.drop_table("ticket_event_unlock")
