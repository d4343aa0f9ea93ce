"""The article editor's previews check the body's length before rendering anything."""

from __future__ import annotations

import pytest

from app.kb.services import BODY_MAX

SLUG = "restore-purchases"
TOO_LONG = "**rendered**\n\n" + "x" * BODY_MAX


@pytest.fixture
def agent(auth, factory):
    user = factory.user(role="agent_t1")
    auth.login(user)
    return user


def test_preview_button_with_too_long_body_is_an_error_next_to_the_field(synced, client, agent):
    article = synced.article(SLUG)
    response = client.post(
        f"/articles/{SLUG}/edit",
        data={
            "base_revision": str(article.revision_number),
            "title": article.title,
            "summary": article.summary,
            "tags": "",
            "body": TOO_LONG,
            "preview": "Preview",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="body-error"' in html and f"under {BODY_MAX:,} characters" in html
    assert "<strong>rendered</strong>" not in html


def test_live_preview_with_too_long_body_is_refused(synced, client, agent):
    response = client.post(f"/articles/{SLUG}/preview", data={"body": TOO_LONG})
    assert response.status_code == 422
    assert response.get_json()["field"] == "body"
    assert "<strong>" not in response.get_data(as_text=True)


def test_content_files_longer_than_an_article_may_be_are_refused_before_rendering():
    """The sync and the editor share one body check; it bounds the length before rendering."""
    from app.kb import content, rules

    body = "## Step 1: Try this\n\n" + "[[" * (BODY_MAX // 2)
    with pytest.raises(rules.ContentError, match="longer than"):
        rules.check_body("guide", True, body)
    with pytest.raises(rules.ContentError, match="longer than"):
        content.render_article("guide", True, body)


def test_the_wiki_and_article_limits_are_what_renders_within_a_second():
    """``bench.markup`` measures the slowest text of each size; these are the sizes it passes."""
    from app.wiki.rules import MAX_BODY as WIKI_MAX

    assert WIKI_MAX <= 60_000
    assert BODY_MAX <= 40_000
