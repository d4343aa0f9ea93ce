"""``flask users ...`` commands."""

from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db


def test_create_and_set_role(app, runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Agent@Example.com",
            "--name",
            "Agent",
            "--role",
            "agent_t2",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Password: " in result.output
    result = runner.invoke(args=["users", "set-role", "agent@example.com", "agent_t3"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "agent@example.com"))
        assert user.role == "agent_t3" and user.tier == 3


def test_create_refuses_short_password_and_duplicates(runner):
    result = runner.invoke(
        args=["users", "create", "--email", "a@example.com", "--name", "A", "--password", "short"]
    )
    assert result.exit_code != 0 and "at least 12 characters" in result.output
    runner.invoke(args=["users", "create", "--email", "a@example.com", "--name", "A"])
    again = runner.invoke(args=["users", "create", "--email", "a@example.com", "--name", "A"])
    assert again.exit_code != 0 and "already exists" in again.output


def test_set_role_unknown_user(runner):
    result = runner.invoke(args=["users", "set-role", "nobody@example.com", "admin"])
    assert result.exit_code != 0 and "No account" in result.output


def test_bootstrap_admin_once(app, runner):
    first = runner.invoke(args=["users", "bootstrap-admin"])
    assert "password:" in first.output
    second = runner.invoke(args=["users", "bootstrap-admin"])
    assert "exists already" in second.output
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).where(User.role == "admin")) == 1
