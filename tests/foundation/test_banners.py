"""The banner hook the crisis feature will use: a provider registered in
``app.extensions["banner_providers"]`` puts its banner on every page (the API's status reads the
same hook: tests/api/test_content_api.py)."""

from __future__ import annotations


def _incident():
    return {"level": "critical", "text": "Reminders are delayed.", "url": "/status/7"}


def test_a_registered_provider_shows_its_banner_on_pages(app, client):
    quiet = client.get("/account/login").get_data(as_text=True)
    assert "site-banner" not in quiet
    app.extensions.setdefault("banner_providers", []).extend([lambda: None, _incident])

    page = client.get("/account/login").get_data(as_text=True)
    assert 'class="site-banner site-banner-critical"' in page
    assert "Reminders are delayed." in page and 'href="/status/7"' in page


def test_a_provider_with_nothing_to_say_shows_nothing(app, client):
    app.extensions.setdefault("banner_providers", []).append(lambda: None)
    assert "site-banner" not in client.get("/account/login").get_data(as_text=True)
