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
