"""feedback: opt-out, satisfaction surveys (tickets, chats, guides) and answers, quarterly NPS
waves and invitations, sent common-issues reports

Revision ID: feedback_0001_surveys
Revises: incidents_0001_crisis
Create Date: 2026-12-07 15:01:31.631624

"""

import sqlalchemy as sa
from alembic import op

import app.models

# revision identifiers, used by Alembic.
revision = "feedback_0001_surveys"
down_revision = "incidents_0001_crisis"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "feedback_report_sent",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("sent_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_feedback_report_sent")),
    )
    op.create_table(
        "nps_wave",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.String(length=7), nullable=False),
        sa.Column("started_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sample_share", sa.Double(), nullable=False),
        sa.Column("active_count", sa.Integer(), nullable=False),
        sa.Column("eligible_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nps_wave")),
        sa.UniqueConstraint("quarter", name=op.f("uq_nps_wave_quarter")),
    )
    op.create_table(
        "feedback_preference",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("opted_out", sa.Boolean(), nullable=False),
        sa.Column("changed_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_feedback_preference_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_feedback_preference")),
    )
    op.create_table(
        "nps_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("invited_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("prompted_at", app.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("emailed_at", app.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", app.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("why", sa.Text(), nullable=True),
        sa.Column("answered_at", app.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_via", sa.String(length=10), nullable=True),
        sa.Column("link_nonce", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_nps_invitation_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"], ["nps_wave.id"], name=op.f("fk_nps_invitation_wave_id_nps_wave")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nps_invitation")),
    )
    with op.batch_alter_table("nps_invitation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_nps_invitation_answered_at"), ["answered_at"], unique=False
        )
        batch_op.create_index(
            "ix_nps_invitation_user_id_invited_at", ["user_id", "invited_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_nps_invitation_wave_id"), ["wave_id"], unique=False)

    op.create_table(
        "csat_survey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("guide_outcome_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("respondent_id", sa.Integer(), nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("skip_reason", sa.String(length=30), nullable=True),
        sa.Column("created_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("rating", sa.String(length=4), nullable=True),
        sa.Column("reason", sa.String(length=100), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("rated_at", app.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("link_nonce", sa.String(length=32), nullable=False),
        sa.Column("link_used_at", app.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("followed_up_at", app.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("followed_up_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["user_account.id"],
            name=op.f("fk_csat_survey_agent_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["followed_up_by_id"],
            ["user_account.id"],
            name=op.f("fk_csat_survey_followed_up_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["guide_outcome_id"],
            ["kb_guide_outcome.id"],
            name=op.f("fk_csat_survey_guide_outcome_id_kb_guide_outcome"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["respondent_id"],
            ["user_account.id"],
            name=op.f("fk_csat_survey_respondent_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_csat_survey_ticket_id_ticket")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_csat_survey")),
        sa.UniqueConstraint("guide_outcome_id", name=op.f("uq_csat_survey_guide_outcome_id")),
        sa.UniqueConstraint("ticket_id", name=op.f("uq_csat_survey_ticket_id")),
    )
    with op.batch_alter_table("csat_survey", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_csat_survey_agent_id"), ["agent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_csat_survey_created_at"), ["created_at"], unique=False)
        batch_op.create_index("ix_csat_survey_rated_at", ["rated_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_csat_survey_respondent_id"), ["respondent_id"], unique=False
        )

    op.create_table(
        "csat_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.String(length=4), nullable=False),
        sa.Column("reason", sa.String(length=100), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("via", sa.String(length=10), nullable=False),
        sa.Column("created_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["csat_survey.id"], name=op.f("fk_csat_answer_survey_id_csat_survey")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_csat_answer")),
    )
    with op.batch_alter_table("csat_answer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_csat_answer_survey_id"), ["survey_id"], unique=False)


def downgrade():
    with op.batch_alter_table("csat_answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_csat_answer_survey_id"))

    op.drop_table("csat_answer")
    with op.batch_alter_table("csat_survey", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_csat_survey_respondent_id"))
        batch_op.drop_index("ix_csat_survey_rated_at")
        batch_op.drop_index(batch_op.f("ix_csat_survey_created_at"))
        batch_op.drop_index(batch_op.f("ix_csat_survey_agent_id"))

    op.drop_table("csat_survey")
    with op.batch_alter_table("nps_invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nps_invitation_wave_id"))
        batch_op.drop_index("ix_nps_invitation_user_id_invited_at")
        batch_op.drop_index(batch_op.f("ix_nps_invitation_answered_at"))

    op.drop_table("nps_invitation")
    op.drop_table("feedback_preference")
    op.drop_table("nps_wave")
    op.drop_table("feedback_report_sent")
