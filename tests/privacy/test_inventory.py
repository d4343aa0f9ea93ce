"""The data inventory: every column of every model is classified, and a new one that is not
fails this test; the admins' page and the CLI listing."""

from __future__ import annotations

import sqlalchemy as sa

from app.privacy.inventory import Rule, inventory, stale_classifications, unclassified_columns


def test_every_column_of_every_model_is_classified(app):
    with app.app_context():
        assert unclassified_columns() == []
        assert stale_classifications() == []


def test_a_new_table_with_unclassified_columns_is_reported():
    """The completeness test can fail: a throwaway model in its own metadata, with a text
    column nobody classified, a link to an account, and a pointer-like id, is reported."""
    metadata = sa.MetaData()
    sa.Table("user_account", metadata, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table(
        "plant_diary", metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("gardener_id", sa.Integer, sa.ForeignKey("user_account.id")),
        sa.Column("notes", sa.Text),
        sa.Column("watered_at", sa.DateTime),
    )  # fmt: skip
    assert "plant_diary.notes" in unclassified_columns(metadata)
    assert "plant_diary.gardener_id" in unclassified_columns(metadata)


def test_a_new_text_column_on_a_known_table_is_reported():
    metadata = sa.MetaData()
    sa.Table(
        "ticket", metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("subject", sa.String(200)),
        sa.Column("phone_number", sa.String(40)),
        sa.Column("partner_id", sa.Integer),
    )  # fmt: skip
    assert sorted(unclassified_columns(metadata)) == ["ticket.partner_id", "ticket.phone_number"]
    assert "ticket.description (not in the model)" not in stale_classifications(metadata)
    assert "ticket.description" in stale_classifications(metadata)


def test_the_rules_of_a_few_columns(app):
    with app.app_context():
        entries = {entry.table: entry for entry in inventory()}
    assert entries["user_account"].column("email").rule == Rule.DELETE
    assert entries["user_account"].column("password_hash").personal is False
    assert entries["ticket"].column("description").rule == Rule.RETAIN
    assert entries["ticket"].retain_months == 24
    assert entries["forum_post"].column("body").rule == Rule.EXPORT
    assert entries["forum_post"].column("author_id").rule == Rule.ANONYMISE
    assert entries["metrics_day"].column("agent_id").personal is True
    assert entries["kb_article"].column("body").rule == Rule.NOT_PERSONAL


def test_inventory_page_is_for_admins_only(app, client, auth, factory):
    assert client.get("/admin/privacy/inventory").status_code == 302  # to the sign-in page
    auth.login(factory.user("agent_t3"))
    assert client.get("/admin/privacy/inventory").status_code == 403
    auth.switch_to(factory.user("admin"))
    page = client.get("/admin/privacy/inventory")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="table-ticket_message"' in html and "<code>password_hash</code>" in html


def test_cli_prints_the_inventory(runner):
    result = runner.invoke(args=["privacy", "inventory"])
    assert result.exit_code == 0, result.output
    assert "### `user_account` (owner: id; erasure: delete)" in result.output
    assert "| `email` | yes | delete |" in result.output
