"""Fixtures of the API tests: synced content, a member with an API token, the token header."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.api import services
from app.extensions import db
from app.outbox import commit


@pytest.fixture
def synced(app, runner):
    """The real ``content/`` folder synced into this test's database."""
    result = runner.invoke(args=["content", "sync", "--quiet"])
    assert result.exit_code == 0, result.output
    return app


class Tokens:
    """Makes API tokens through the real service, committed."""

    def __init__(self, app, factory):
        self.app = app
        self.factory = factory

    def make(self, user=None, name: str = "My phone") -> tuple[object, str]:
        user = user or self.factory.user()
        with self.app.app_context():
            created = services.create_token(db.session.merge(user), name, datetime.now(UTC))
            plain = created.plain
            commit()
        return user, plain


@pytest.fixture
def tokens(app, factory) -> Tokens:
    return Tokens(app, factory)


@pytest.fixture
def member_token(tokens) -> tuple[object, str]:
    return tokens.make()


@pytest.fixture
def bearer(member_token) -> dict[str, str]:
    return {"Authorization": f"Bearer {member_token[1]}"}
