"""``flask content sync``: create, change, unchanged, remove, browser-edit conflicts, dry run."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from app.extensions import db
from app.kb import services
from app.kb.models import Article, ArticleRevision, Snippet, Tour
from app.outbox import OutboxEvent, commit


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _search_events(app) -> list[int]:
    with app.app_context():
        return [
            event.payload["id"]
            for event in db.session.scalars(select(OutboxEvent).where(OutboxEvent.kind == "search"))
        ]


def _browser_edit(app, slug: str, body_suffix: str = "\nA staff note.\n") -> None:
    with app.app_context():
        article = services.get_article(slug)
        agent = _agent(app)
        services.save_article(
            article,
            agent,
            base_revision=article.revision_number,
            title=article.title,
            summary=article.summary,
            tags=article.tags,
            body=article.body + body_suffix,
            comment="browser edit",
            now=datetime(2026, 11, 25, tzinfo=UTC),
        )
        commit()


def _agent(app):
    from app.accounts import services as accounts

    user = accounts.find_user_by_email("kb-agent@example.com")
    if user is None:
        user = accounts.create_user(
            "kb-agent@example.com", "Agent", "correct horse battery", datetime.now(UTC),
            role="agent_t1",
        )  # fmt: skip
    return user


def test_first_sync_imports_everything(app, content):
    result = content.sync()
    assert result.exit_code == 0, result.output
    files = list(content.folder.glob("articles/*/*.md"))
    assert _count(app, Article) == len(files) >= 25
    assert _count(app, ArticleRevision) == len(files)
    assert _count(app, Snippet) == len(list(content.folder.glob("snippets/*/*.md")))
    assert _count(app, Tour) == 2
    assert "created: article cant-sign-in" in result.output
    # Search is told about every article, in the same transaction.
    assert len(_search_events(app)) == len(files)
    article = content.article("cant-sign-in")
    assert article.revision_number == 1
    assert article.is_troubleshooting and len(article.structure["steps"]) == 7
    assert article.source_path == "articles/troubleshooting/cant-sign-in.md"


def test_unchanged_files_make_no_revisions(app, synced):
    events = len(_search_events(app))
    result = synced.sync()
    assert result.exit_code == 0, result.output
    assert "0 change(s)" in result.output
    assert _count(app, ArticleRevision) == _count(app, Article)
    assert len(_search_events(app)) == events


def test_changed_file_makes_a_new_revision(app, synced):
    path = synced.path("restore-purchases")
    path.write_text(path.read_text().replace("Restore", "Recover", 1))
    result = synced.sync()
    assert result.exit_code == 0, result.output
    assert "changed: article restore-purchases" in result.output
    article = synced.article("restore-purchases")
    assert article.revision_number == 2
    assert _count(app, ArticleRevision) == _count(app, Article) + 1
    assert _search_events(app).count(article.id) == 2
    # Running again changes nothing.
    assert "0 change(s)" in synced.sync().output


def test_removed_file_archives_and_returning_file_unarchives(app, synced, client):
    path = synced.path("request-a-refund")
    saved = path.read_text()
    path.unlink()
    result = synced.sync()
    assert result.exit_code == 0, result.output
    assert "archived: article request-a-refund" in result.output
    article = synced.article("request-a-refund")
    assert article.is_archived and article.archived_at is not None
    assert article.revision_number == 1  # nothing deleted, nothing rewritten
    assert _count(app, ArticleRevision, ArticleRevision.article_id == article.id) == 1
    assert _search_events(app).count(article.id) == 2
    page = client.get("/articles/request-a-refund")
    assert page.status_code == 200
    assert "This article is archived" in page.get_data(as_text=True)

    path.write_text(saved)
    result = synced.sync()
    assert "unarchived: article request-a-refund" in result.output
    assert not synced.article("request-a-refund").is_archived


def test_browser_edit_is_never_overwritten(app, synced):
    _browser_edit(app, "restore-purchases")
    edited = synced.article("restore-purchases")
    assert edited.edited_in_browser and edited.revision_number == 2

    # The file did not change: nothing to overwrite, no conflict.
    assert synced.sync().exit_code == 0

    path = synced.path("restore-purchases")
    path.write_text(path.read_text() + "\nA file change.\n")
    result = synced.sync()
    assert result.exit_code == 1
    assert "CONFLICT restore-purchases" in result.output
    after = synced.article("restore-purchases")
    assert after.revision_number == 2
    assert after.body == edited.body
    # Still refused on the next run: the conflict doesn't go away by itself.
    assert synced.sync().exit_code == 1


def test_conflict_resolved_by_accepting_the_file(app, synced):
    _browser_edit(app, "restore-purchases")
    path = synced.path("restore-purchases")
    path.write_text(path.read_text() + "\nA file change.\n")
    result = synced.sync("--accept-file", "restore-purchases")
    assert result.exit_code == 0, result.output
    article = synced.article("restore-purchases")
    assert article.revision_number == 3
    assert "A file change." in article.body and "A staff note." not in article.body
    assert not article.edited_in_browser
    assert _count(app, ArticleRevision, ArticleRevision.article_id == article.id) == 3


def test_conflict_resolved_by_keeping_the_database(app, synced):
    _browser_edit(app, "restore-purchases")
    path = synced.path("restore-purchases")
    path.write_text(path.read_text() + "\nA file change.\n")
    result = synced.sync("--keep-db", "restore-purchases")
    assert result.exit_code == 0, result.output
    assert "kept: article restore-purchases" in result.output
    article = synced.article("restore-purchases")
    assert "A staff note." in article.body and article.revision_number == 2
    assert synced.sync().exit_code == 0  # acknowledged for this state of the file
    path.write_text(path.read_text() + "\nAnother file change.\n")
    assert synced.sync().exit_code == 1  # a later file change is a conflict again


def test_conflict_resolved_by_copying_the_edit_into_the_file(app, synced):
    _browser_edit(app, "restore-purchases")
    path = synced.path("restore-purchases")
    path.write_text(path.read_text().rstrip("\n") + "\n\nA staff note.\n")
    result = synced.sync()
    assert result.exit_code == 0, result.output
    article = synced.article("restore-purchases")
    assert not article.edited_in_browser
    assert article.revision_number == 3


def test_dry_run_changes_nothing(app, content):
    result = content.sync("--dry-run")
    assert result.exit_code == 0, result.output
    assert "would be created: article cant-sign-in" in result.output
    assert "Dry run" in result.output
    assert _count(app, Article) == 0
    assert _search_events(app) == []


def test_dry_run_reports_changes_and_conflicts(app, synced):
    _browser_edit(app, "restore-purchases")
    for slug in ("restore-purchases", "request-a-refund"):
        path = synced.path(slug)
        path.write_text(path.read_text() + "\nMore.\n")
    synced.path("export-your-data").unlink()
    result = synced.sync("--dry-run")
    assert result.exit_code == 1
    assert "would be changed: article request-a-refund" in result.output
    assert "would be archived: article export-your-data" in result.output
    assert "CONFLICT restore-purchases" in result.output
    assert synced.article("request-a-refund").revision_number == 1
    assert not synced.article("export-your-data").is_archived


def test_broken_file_is_reported_and_its_article_kept(app, synced):
    path = synced.path("request-a-refund")
    path.write_text(path.read_text().replace("type: guide", "type: poem", 1))
    result = synced.sync()
    assert result.exit_code == 1
    assert "ERROR articles/billing-and-payments/request-a-refund.md" in result.output
    assert "poem" in result.output
    article = synced.article("request-a-refund")
    assert not article.is_archived and article.revision_number == 1


def test_snippets_and_tours_follow_the_same_rules(app, synced):
    snippet_path = synced.folder / "snippets/en/sync.status.md"
    snippet_path.write_text(snippet_path.read_text().replace("Up to date", "Synced"))
    tour_path = synced.folder / "tours/premium.yaml"
    (synced.folder / "snippets/de/reminders.snooze.md").unlink()
    tour_text = tour_path.read_text()
    tour_path.write_text(tour_text.replace("title:", "title: New", 1))
    with app.app_context():
        old_hash = db.session.scalar(select(Tour.content_hash).where(Tour.name == "premium"))
    result = synced.sync()
    assert result.exit_code == 0, result.output
    assert "changed: snippet en/sync.status" in result.output
    assert "archived: snippet de/reminders.snooze" in result.output
    assert "changed: tour premium" in result.output
    with app.app_context():
        snippet = db.session.scalar(
            select(Snippet).where(Snippet.key == "sync.status", Snippet.lang == "en")
        )
        assert snippet.revision_number == 2 and "Synced" in snippet.body_html
        tour = db.session.scalar(select(Tour).where(Tour.name == "premium"))
        assert tour.content_hash != old_hash
        assert [step.position for step in tour.steps] == list(range(1, len(tour.steps) + 1))
    assert "0 change(s)" in synced.sync().output


def test_check_command_validates_the_starter_content(runner):
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
