"""Shared fixtures: a real database per test (SQLite, or PostgreSQL when TEST_DATABASE_URL is
set), built by the real migrations once per run; a fresh search-index folder and mail folder per
test; a client, a CLI runner, an ``auth`` helper and data factories."""

from __future__ import annotations

import os
import shutil
import uuid
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from app.mail import FileMailer

ROOT = Path(__file__).resolve().parent.parent


def server_url(url: str, database: str) -> str:
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
            server_url(
                server,
                sa.engine.make_url(server.replace("postgres://", "postgresql://", 1)).database
                or "postgres",
            ),
            isolation_level="AUTOCOMMIT",
        )
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = server_url(server, name)
    else:
        admin = None
        name = None
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "template.db")
    app = create_app(site_config(url, tmp_path_factory.mktemp("setup")))
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


def site_config(url: str, folder: Path, **overrides) -> dict:
    config = {
        "TESTING": True,
        "HELPCENTER_ENV": "testing",
        "SECRET_KEY": "test-secret-key-not-for-production",
        "DATABASE_URL": url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        # Pages are rendered afresh; the page cache has its own tests.
        "PAGE_CACHE_ENABLED": False,
        "MAIL_BACKEND": "file",
        "MAIL_FILE_DIR": str(folder / "mail"),
        "SEARCH_INDEX_DIR": str(folder / "search_index"),
        "KB_MEDIA_DIR": str(folder / "media"),
        # Received mail's originals: each test keeps its own.
        "EMAIL_RAW_DIR": str(folder / "mail-in"),
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


@pytest.fixture(autouse=True)
def _close_every_engine():
    """After each test, close the pooled connections of every application a test built
    (``create_app`` in a test body as well as the ``app`` fixture). Left to the garbage
    collector, an open PostgreSQL connection warns in whichever later test collects it."""
    yield
    for engines in list(db._app_engines.values()):  # Flask-SQLAlchemy's engines per app
        for engine in engines.values():
            engine.dispose()


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
    application = create_app(site_config(url, tmp_path, **app_config))
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
    """Makes rows through the real services, committed, with sensible defaults.

    ``user`` returns a detached user; the others return the new row's id (a wiki page's, a
    thread's, a post's, a ticket's, an article's). Inside an application context they use it
    (and its session); outside one they open their own.
    """

    def __init__(self, app):
        self.app = app
        self.counter = 0

    def _context(self):
        return nullcontext() if has_app_context() else self.app.app_context()

    @staticmethod
    def _row(user):
        from app.accounts.models import User

        return db.session.get(User, user.id)

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

    def wiki_page(self, author, title=None, body="# Basil\n\nWater it.\n", *, now=None) -> int:
        """A wiki page by ``author`` (held for review if the new-account rule says so)."""
        from app.outbox import commit
        from app.wiki import services

        self.counter += 1
        with self._context():
            saved = services.create_page(
                self._row(author), title or f"Basil care {self.counter}", body, "",
                now or datetime.now(UTC),
            )  # fmt: skip
            page_id = saved.page.id
            commit()
        return page_id

    def thread(self, author, title="Tomatoes wilting", body=None, *,
               category="general", now=None) -> int:  # fmt: skip
        """A forum thread with its opening post (held for review for a new member)."""
        from app.forum import services
        from app.forum.cli import seed_categories
        from app.outbox import commit

        self.counter += 1
        with self._context():
            seed_categories()  # idempotent; PostgreSQL runs empty every table between tests
            thread = services.create_thread(
                self._row(author), services.category_by_slug(category), title,
                body or f"Leaves droop at noon (message {self.counter}).",
                now or datetime.now(UTC),
            )  # fmt: skip
            thread_id = thread.id
            commit()
        return thread_id

    def reply(self, thread_id, author, body=None, *, now=None, as_staff=False) -> int:
        """A reply to the thread ``thread_id``."""
        from app.forum import services
        from app.outbox import commit

        self.counter += 1
        with self._context():
            post = services.post_reply(
                services.get_thread(thread_id), self._row(author),
                body or f"Water in the morning (message {self.counter}).",
                now or datetime.now(UTC), as_staff=as_staff,
            )  # fmt: skip
            post_id = post.id
            commit()
        return post_id

    def ticket(self, requester, now=None, **fields) -> int:
        """A support request from ``requester`` on the web channel unless ``fields`` say else."""
        from app.outbox import commit
        from app.tickets import services

        values = {
            "category": "app",
            "subject": "Watering reminders stopped",
            "description": "Since the update no reminders **arrive**.",
            "impact": "minor",
            "channel": "web",
            **fields,
        }
        with self._context():
            ticket = services.create_ticket(
                self._row(requester), now=now or datetime.now(UTC), **values
            )
            ticket_id = ticket.id
            commit()
        return ticket_id

    def article(self, now, title, body, *, tags=(), section="getting-started",
                article_type="guide", summary="") -> int:  # fmt: skip
        """A published knowledge-base article, stored the way the content sync stores one."""
        from app.kb.models import Article
        from app.kb.services import add_revision
        from app.outbox import commit

        with self._context():
            article = Article(
                slug=f"a-{uuid.uuid4().hex[:10]}", title=title, type=article_type,
                section=section, created_at=now, updated_at=now,
            )  # fmt: skip
            db.session.add(article)
            db.session.flush()
            add_revision(
                article, title=title, summary=summary, tags=list(tags), body=body,
                source="file", now=now,
            )  # fmt: skip
            article_id = article.id
            commit()
        return article_id


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

    def switch_to(self, user, password: str = "correct horse battery"):
        """Sign out whoever is signed in, then sign ``user`` in."""
        self.logout()
        return self.login(user, password)


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def sql_statements(app):
    """``with sql_statements() as seen:`` collects the SQL run inside the block (a request's
    statements, to pin what a page costs)."""

    @contextmanager
    def collect():
        seen: list[str] = []

        def note(_connection, _cursor, statement, *_args):
            seen.append(statement)

        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", note)
        try:
            yield seen
        finally:
            sa.event.remove(engine, "before_cursor_execute", note)

    return collect


class _ConfirmForm(HTMLParser):
    """The action and the fields a browser would post from ``<form id="confirm-form">``."""

    def __init__(self):
        super().__init__()
        self.inside = False
        self.action = None
        self.fields: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and attributes.get("id") == "confirm-form":
            self.inside, self.action = True, attributes.get("action")
        elif tag == "input" and self.inside and attributes.get("type") == "hidden":
            self.fields.append((attributes["name"], attributes.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def confirm_form(html: str) -> tuple[str, dict[str, list[str]]]:
    """``(action, fields)`` of a confirmation page, so a test posts exactly what it carries."""
    parser = _ConfirmForm()
    parser.feed(html)
    assert parser.action, "no confirmation form on the page"
    fields: dict[str, list[str]] = {}
    for name, value in parser.fields:
        fields.setdefault(name, []).append(value)
    return parser.action, fields
