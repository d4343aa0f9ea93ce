"""Shared fixtures: a real database per test (SQLite, or PostgreSQL when TEST_DATABASE_URL is
set), built by the real migrations once per run; a fresh search-index folder and mail folder per
test; a client, a CLI runner, an ``auth`` helper and data factories."""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from app.mail import FileMailer

ROOT = Path(__file__).resolve().parent.parent


def _server_url(url: str, database: str) -> str:
    parsed = sa.engine.make_url(url.replace("postgres://", "postgresql://", 1))
    return parsed.set(drivername="postgresql+psycopg", database=database).render_as_string(
        hide_password=False
    )


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A migrated, empty database for this test run; each test then empties it again."""
    server = os.environ.get("TEST_DATABASE_URL")
    if server:
        # Our own database on that server, so parallel runs never share tables.
        name = f"hc_test_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(
            _server_url(
                server,
                sa.engine.make_url(server.replace("postgres://", "postgresql://", 1)).database
                or "postgres",
            ),
            isolation_level="AUTOCOMMIT",
        )
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = _server_url(server, name)
    else:
        admin = None
        name = None
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "template.db")
    app = create_app(_test_config(url, tmp_path_factory.mktemp("setup")))
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"), revision="head")
        _SEEDED[url] = _seeded_rows(db.engine)
        db.engine.dispose()
    yield url
    if admin is not None:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


#: Rows present right after the migrations, recorded once per database (see ``_empty_tables``).
_SEEDED: dict[str, dict[str, set]] = {}


def _test_config(url: str, folder: Path, **overrides) -> dict:
    config = {
        "TESTING": True,
        "HELPCENTER_ENV": "testing",
        "SECRET_KEY": "test-secret-key-not-for-production",
        "DATABASE_URL": url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "MAIL_BACKEND": "file",
        "MAIL_FILE_DIR": str(folder / "mail"),
        "SEARCH_INDEX_DIR": str(folder / "search_index"),
        "SERVER_NAME": "help.test",
        # Fast hashing: the real method is a configuration choice, not what these tests check.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }
    config.update(overrides)
    return config


def _seeded_rows(engine) -> dict[str, set]:
    """Primary keys of the rows that migrations seed (forum categories...), per table."""
    seeded: dict[str, set] = {}
    with engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            keys = list(table.primary_key.columns)
            if len(keys) != 1:
                continue
            ids = set(connection.scalars(sa.select(keys[0])))
            if ids:
                seeded[table.name] = ids
    return seeded


def _empty_tables(engine, seeded: dict[str, set]) -> None:
    """Back to the freshly migrated state: every row a test made goes, seeded rows stay."""
    tables = list(reversed(db.metadata.sorted_tables))
    plain = [table for table in tables if table.name not in seeded]
    with engine.begin() as connection:
        names = ", ".join(f'"{table.name}"' for table in plain)
        connection.execute(
            sa.text(f"TRUNCATE {names} RESTART IDENTITY" + (" CASCADE" if not seeded else ""))
        )
        for table in tables:
            if table.name in seeded:
                key = next(iter(table.primary_key.columns))
                connection.execute(table.delete().where(key.not_in(seeded[table.name])))


@pytest.fixture
def app_config(tmp_path):
    """Extra configuration for the ``app`` fixture; override or update it in a test module."""
    return {}


@pytest.fixture
def app(database_url, tmp_path, app_config):
    if database_url.startswith("sqlite"):
        # A copy of the migrated template: a fresh database per test for the price of a file copy.
        source = Path(database_url.removeprefix("sqlite:///"))
        target = tmp_path / "test.db"
        shutil.copyfile(source, target)
        url = "sqlite:///" + str(target)
    else:
        url = database_url
    application = create_app(_test_config(url, tmp_path, **app_config))
    with application.app_context():
        if not url.startswith("sqlite"):
            _empty_tables(db.engine, _SEEDED[url])
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def mailbox(app) -> FileMailer:
    """The messages the application sent (the file mailer of this test)."""
    return app.extensions["mailer"]


@pytest.fixture
def now() -> datetime:
    return datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


class Factory:
    """Makes rows through the real services, committed, with sensible defaults."""

    def __init__(self, app):
        self.app = app
        self.counter = 0

    def user(
        self,
        role: str = "member",
        *,
        email: str | None = None,
        display_name: str | None = None,
        password: str = "correct horse battery",
        created_at: datetime | None = None,
    ):
        from app.accounts import services
        from app.outbox import commit

        self.counter += 1
        with self.app.app_context():
            user = services.create_user(
                email or f"user{self.counter}-{uuid.uuid4().hex[:6]}@example.com",
                display_name or f"User {self.counter}",
                password,
                created_at or datetime.now(UTC),
                role=role,
            )
            user_id = user.id
            commit()
        with self.app.app_context():
            from app.accounts.models import User

            user = db.session.get(User, user_id)
            db.session.expunge(user)
            return user


@pytest.fixture
def factory(app) -> Factory:
    return Factory(app)


class AuthActions:
    """Sign in and out through the real pages."""

    def __init__(self, client):
        self.client = client

    def login(self, user_or_email, password: str = "correct horse battery"):
        email = getattr(user_or_email, "email", user_or_email)
        response = self.client.post("/account/login", data={"email": email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    def logout(self):
        return self.client.post("/account/logout")


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)
