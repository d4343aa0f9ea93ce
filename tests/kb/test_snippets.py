"""The in-app help functions the API builds on: snippets, tours, screen suggestions, version."""

from __future__ import annotations

from app.kb import services


def test_snippet_language_fallback(synced):
    with synced.app.app_context():
        german = services.get_snippet("sync.status", "de")
        assert german.lang == "de" and german.title == "Synchronisierungsstatus"
        assert services.get_snippet("sync.status", "de-AT").lang == "de"
        fallback = services.get_snippet("billing.update-card", "de")
        assert fallback.lang == "en"
        assert fallback.article_slug and fallback.body_html.startswith("<p>")
        assert fallback.updated_at is not None
        assert services.get_snippet("no.such.key", "en") is None


def test_get_snippets_for_several_keys(synced):
    with synced.app.app_context():
        found = services.get_snippets(["sync.status", "plant.add", "missing.key"], "de")
        assert set(found) == {"sync.status", "plant.add"}
        assert (found["sync.status"].lang, found["plant.add"].lang) == ("de", "en")


def test_tour_steps_in_order(synced):
    with synced.app.app_context():
        tour = services.get_tour("first-run")
        assert [step.key for step in tour.steps][:2] == ["today", "add-plant"]
        assert tour.steps[1].target == "add-plant-button"
        assert tour.content_hash
        assert services.get_tour("nope") is None


def test_suggestions_per_screen(synced):
    with synced.app.app_context():
        articles = services.articles_for_screen("settings.billing", limit=3)
        assert 0 < len(articles) <= 3
        assert all("settings.billing" in article.screens for article in articles)
        assert articles[0].url_path == f"/articles/{articles[0].slug}"
        snippets = services.snippets_for_screen("sync", "de", limit=10)
        assert [snippet.key for snippet in snippets] == ["sync.status"]
        assert snippets[0].lang == "de"


def test_content_version_changes_with_content(synced):
    with synced.app.app_context():
        before = services.content_version()
    assert synced.sync().exit_code == 0
    with synced.app.app_context():
        assert services.content_version() == before
    path = synced.folder / "snippets/en/plant.add.md"
    path.write_text(path.read_text() + "\nMore.\n")
    assert synced.sync().exit_code == 0
    with synced.app.app_context():
        assert services.content_version() != before


def test_search_contract_attributes(synced):
    with synced.app.app_context():
        article = services.get_article("grow-journal-walkthrough")
        assert article.section == "app-functionality"
        assert article.section_title == "App Functionality"
        assert isinstance(article.tags, list) and "journal" in article.tags
        assert "<" not in article.body_text and article.body_text
        assert "sunniest spot on the windowsill" in article.transcript_text
        assert article.helpful_ratio is None and article.is_archived is False
