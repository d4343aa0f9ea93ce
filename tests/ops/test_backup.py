"""``flask backup``: a restore drill on the test's database (SQLite, or PostgreSQL when
TEST_DATABASE_URL is set), and the refusals that keep a backup or a database from harm."""

from __future__ import annotations

import os
import re
import uuid

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db
from tests.conftest import server_url, site_config


@pytest.fixture
def fresh_database(database_url, tmp_path):
    """The URL of a new, empty database on the same kind of server."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path}/restored.db"
        return
    server = os.environ["TEST_DATABASE_URL"]
    name = f"hc_restore_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server_url(server, "postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield server_url(server, name)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _invoke(application, *args, **kwargs):
    result = application.test_cli_runner().invoke(args=list(args), **kwargs)
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result


def _row_counts(application) -> dict[str, int]:
    with application.app_context():
        counts = {
            table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }
        db.session.remove()
        return counts


def _pages(application, paths) -> dict[str, tuple[int, str]]:
    client = application.test_client()
    pages = {}
    for path in paths:
        response = client.get(path, headers={"X-Request-ID": "drill"})
        # A search's result links name its (random) query-log token, not the content.
        html = re.sub(r"(/search/click\?t=|qid=)[^\"&]+", r"\1...", response.get_data(as_text=True))
        pages[path] = (response.status_code, html)
    return pages


def test_restore_drill(app, client, auth, factory, tmp_path, fresh_database):
    # Content of every kind: official articles, a wiki page, a forum thread, a ticket.
    _invoke(app, "content", "sync")
    member = factory.user(role="contributor")
    auth.login(member)
    wiki_answer = client.post(
        "/wiki/new",
        data={"title": "Basil care", "body": "# Basil\n\nWater basil at dawn.\n",
              "summary": "", "edit_token": "drill-1"},
    )  # fmt: skip
    assert wiki_answer.status_code == 302
    # A moderator's thread is public at once (a new member's waits for review).
    moderator = factory.user(role="moderator")
    thread_id = factory.thread(moderator, "Basil wilting", "My basil droops at noon.")
    factory.ticket(member)
    _invoke(app, "search", "rebuild")
    with app.app_context():
        from app.kb.models import Article

        slug = db.session.scalars(sa.select(Article.slug).order_by(Article.id)).first()

    backup_file = tmp_path / "drill.backup"
    assert "backup written to" in _invoke(app, "backup", "create", "--to", str(backup_file)).output

    restored = create_app(site_config(fresh_database, tmp_path / "restored"))
    answer = _invoke(restored, "backup", "restore", str(backup_file), "--yes").output
    assert "search rebuild" in answer
    _invoke(restored, "search", "rebuild")

    counts = _row_counts(app)
    assert counts["wiki_page"] == 1 and counts["ticket"] == 1 and counts["kb_article"] > 1
    assert _row_counts(restored) == counts
    paths = ["/", f"/articles/{slug}", "/wiki/basil-care", f"/community/t/{thread_id}",
             "/community/", "/search/?q=basil"]  # fmt: skip
    original, copy = _pages(app, paths), _pages(restored, paths)
    for path in paths:
        assert original[path][0] == 200, path
        assert copy[path] == original[path], path
    assert "Water basil at dawn" in copy["/wiki/basil-care"][1]
    assert "Basil wilting" in copy["/search/?q=basil"][1]
    with restored.app_context():
        db.engine.dispose()


def test_default_path_is_in_the_backup_folder(app, runner, tmp_path):
    app.config["BACKUP_DIR"] = str(tmp_path / "nightly")
    result = runner.invoke(args=["backup", "create"])
    assert result.exit_code == 0, result.output
    (written,) = (tmp_path / "nightly").iterdir()
    assert written.name.startswith("helpcenter-") and str(written) in result.output
    assert not list((tmp_path / "nightly").glob("*.partial"))


def test_an_existing_file_is_never_overwritten(runner, tmp_path):
    target = tmp_path / "keep.backup"
    target.write_text("yesterday's backup")
    result = runner.invoke(args=["backup", "create", "--to", str(target)])
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert target.read_text() == "yesterday's backup"


def test_a_file_that_is_no_backup_is_refused(app, runner, factory, tmp_path):
    factory.user(email="kept@example.com")
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a database")
    result = runner.invoke(args=["backup", "restore", str(bogus), "--yes"])
    assert result.exit_code == 1
    assert "is not" in result.output and "Traceback" not in result.output
    assert _row_counts(app)["user_account"] == 1


def test_restore_asks_first(app, runner, factory, tmp_path):
    backup_file = tmp_path / "empty.backup"
    assert runner.invoke(args=["backup", "create", "--to", str(backup_file)]).exit_code == 0
    factory.user(email="kept@example.com")
    result = runner.invoke(args=["backup", "restore", str(backup_file)], input="n\n")
    assert result.exit_code == 1
    assert "Replace everything" in result.output
    assert _row_counts(app)["user_account"] == 1
