"""The Preview button checks the page's length before rendering anything."""

from __future__ import annotations

import pytest

from app.wiki.rules import MAX_BODY

# Markdown that would render to <strong> if it reached the renderer, and one character too many.
TOO_LONG = "**rendered**\n\n" + "x" * MAX_BODY


@pytest.mark.parametrize("url", ["/wiki/new", "/wiki/basil-care/edit"])
def test_preview_of_too_long_text_is_an_error_next_to_the_field(client, auth, factory, wiki, url):
    auth.login(factory.user())
    wiki.create("Basil care")
    data = {"title": "Chilli", "body": TOO_LONG, "preview": "Preview", "summary": ""}
    response = client.post(url, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="body-error"' in html and f"under {MAX_BODY:,} characters" in html
    assert "<strong>rendered</strong>" not in html


def test_preview_within_the_limit_renders(client, auth, factory, wiki):
    auth.login(factory.user())
    wiki.create("Basil care")
    response = client.post(
        "/wiki/basil-care/edit", data={"body": "**rendered**\n", "preview": "Preview"}
    )
    assert response.status_code == 200
    assert "<strong>rendered</strong>" in response.get_data(as_text=True)


def test_live_preview_of_too_long_text_is_refused(client, auth, factory):
    auth.login(factory.user())
    response = client.post("/wiki/preview", data={"body": TOO_LONG})
    assert response.status_code == 422
    assert "<strong>" not in response.get_data(as_text=True)
