"""Snippets, tours, suggestions, search and status through /api/v1, with the real content."""

from __future__ import annotations

import pytest

from app.api import content


def test_snippet_with_etag_and_cache_headers(client, synced):
    response = client.get("/api/v1/snippets/billing.update-card")
    assert response.status_code == 200
    data = response.json
    assert data["key"] == "billing.update-card"
    assert data["lang"] == "en"
    assert data["title"]
    assert "<p>" in data["body_html"]
    assert data["article"]["url"].startswith("http://help.test/articles/")
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["ETag"].startswith('"')
    assert "Set-Cookie" not in response.headers


def test_if_none_match_gets_304_and_new_content_a_new_tag(client, synced, app):
    first = client.get("/api/v1/snippets/billing.update-card")
    etag = first.headers["ETag"]
    again = client.get("/api/v1/snippets/billing.update-card", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Cache-Control"] == "public, max-age=300"
    weak = client.get(
        "/api/v1/snippets/billing.update-card", headers={"If-None-Match": "W/" + etag}
    )
    assert weak.status_code == 304
    other = client.get("/api/v1/snippets/sync.status", headers={"If-None-Match": etag})
    assert other.status_code == 200


def test_etag_changes_when_content_version_changes(client, synced, app):
    from app.extensions import db
    from app.kb.models import Snippet

    etag = client.get("/api/v1/snippets/sync.status").headers["ETag"]
    with app.app_context():
        snippet = db.session.query(Snippet).filter_by(key="sync.status", lang="en").one()
        snippet.revision_number += 1
        db.session.commit()
        content.forget_cached_content()
    response = client.get("/api/v1/snippets/sync.status", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.headers["ETag"] != etag


def test_lang_uses_translation_then_falls_back(client, synced):
    german = client.get("/api/v1/snippets/sync.status?lang=de").json
    assert german["lang"] == "de"
    fallback = client.get("/api/v1/snippets/billing.update-card?lang=de").json
    assert fallback["lang"] == "en"
    regional = client.get("/api/v1/snippets/sync.status?lang=de-AT").json
    assert regional["lang"] == "de"


def test_unknown_snippet_and_bad_lang(client, synced):
    missing = client.get("/api/v1/snippets/no.such-key")
    assert missing.status_code == 404
    assert missing.json["error"]["code"] == "not_found"
    assert missing.headers["Cache-Control"] == "no-store"
    bad = client.get("/api/v1/snippets/sync.status?lang=english!")
    assert bad.status_code == 422
    assert bad.json["error"]["details"] == {"lang": "invalid language"}


def test_batch_snippets_for_one_screen(client, synced):
    response = client.get("/api/v1/snippets?keys=sync.status,plant.add,nope.nope&lang=de")
    assert response.status_code == 200
    data = response.json
    assert set(data["snippets"]) == {"sync.status", "plant.add"}
    assert data["snippets"]["sync.status"]["lang"] == "de"
    assert data["snippets"]["plant.add"]["lang"] == "en"
    assert data["missing"] == ["nope.nope"]
    etag = response.headers["ETag"]
    same = client.get(
        "/api/v1/snippets?keys=sync.status,plant.add,nope.nope&lang=de",
        headers={"If-None-Match": etag},
    )
    assert same.status_code == 304


@pytest.mark.parametrize(
    ("query", "detail"),
    [("", "required"), ("keys=,,", "required"), ("keys=Bad_Key!", "invalid key: Bad_Key!")],
)
def test_batch_snippets_invalid_keys(client, synced, query, detail):
    response = client.get(f"/api/v1/snippets?{query}")
    assert response.status_code == 422
    assert response.json["error"] == {
        "code": "validation_failed",
        "message": response.json["error"]["message"],
        "details": {"keys": detail},
    }


def test_batch_snippets_limit(client, synced, app):
    app.config["API_MAX_SNIPPET_KEYS"] = 2
    response = client.get("/api/v1/snippets?keys=a,b,c")
    assert response.status_code == 422
    assert response.json["error"]["details"] == {"keys": "too many keys"}


def test_tour_has_ordered_steps(client, synced):
    response = client.get("/api/v1/tours/first-run")
    assert response.status_code == 200
    tour = response.json
    assert tour["name"] == "first-run"
    assert [step["id"] for step in tour["steps"]][:3] == ["today", "add-plant", "plants"]
    assert tour["steps"][0]["target"] == "home-today-list"
    assert tour["steps"][-1]["placement"] == "left"
    assert client.get("/api/v1/tours/nope").status_code == 404
    revalidated = client.get(
        "/api/v1/tours/first-run", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert revalidated.status_code == 304


def test_suggestions_for_a_screen(client, synced):
    response = client.get("/api/v1/suggestions?screen=settings.billing")
    assert response.status_code == 200
    data = response.json
    assert data["screen"] == "settings.billing"
    assert data["articles"], "billing articles are mapped to settings.billing"
    assert all(article["url"].startswith("http://help.test/") for article in data["articles"])
    assert any(s["key"].startswith("billing.") for s in data["snippets"])
    assert data["results"] == []
    assert response.headers["Cache-Control"] == "public, max-age=60"


def test_suggestions_need_a_screen(client, synced):
    response = client.get("/api/v1/suggestions")
    assert response.status_code == 422
    assert "screen" in response.json["error"]["details"]


def _index(app) -> None:
    from app.search.services import rebuild_index

    with app.app_context():
        assert rebuild_index() > 0


def test_search_runs_the_site_search(client, synced):
    _index(synced)
    response = client.get("/api/v1/search?q=watering")
    assert response.status_code == 200
    data = response.json
    assert data["query"] == "watering"
    assert data["total"] >= 1
    assert data["results"][0]["url"].startswith("http://help.test/")
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert client.get("/api/v1/search?q=").status_code == 422
    bad_page = client.get("/api/v1/search?q=water&page=zero")
    assert bad_page.status_code == 422
    assert bad_page.json["error"]["details"] == {"page": "must be an integer"}


def test_search_with_token_is_private(client, synced, bearer):
    _index(synced)
    response = client.get("/api/v1/search?q=watering", headers=bearer)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert "Authorization" in response.headers["Vary"]


def test_status_without_and_with_incident(client, app):
    quiet = client.get("/api/v1/status")
    assert quiet.status_code == 200
    assert quiet.json == {"incident": None}
    assert quiet.headers["Cache-Control"] == "public, max-age=30"
    app.extensions.setdefault("banner_providers", []).append(
        lambda: {"level": "critical", "text": "Sync is delayed.", "url": "/status/1"}
    )
    busy = client.get("/api/v1/status", headers={"If-None-Match": quiet.headers["ETag"]})
    assert busy.status_code == 200
    assert busy.json == {
        "incident": {"level": "critical", "text": "Sync is delayed.", "url": "/status/1"}
    }


@pytest.mark.parametrize("error", [KeyError("steps"), IndexError("list index out of range")])
@pytest.mark.parametrize(
    ("service", "url"),
    [("get_tour", "/api/v1/tours/first-run"), ("get_snippet", "/api/v1/snippets/plant.add"),
     ("snippets_for_screen", "/api/v1/suggestions?screen=plants.list")],
)  # fmt: skip
def test_a_bug_in_a_content_service_is_no_404(synced, client, monkeypatch, service, url, error):
    """Only a missing object is a 404: an unexpected KeyError or IndexError inside a knowledge
    base service is a bug, and must surface as one (a 500; here the raised error)."""

    def broken(*_args, **_kwargs):
        raise error  # a fault injected into the service, standing in for a bug in it

    with synced.app_context():
        content.forget_cached_content()
    monkeypatch.setattr(f"app.kb.services.{service}", broken)
    with pytest.raises(type(error)):
        client.get(url)


def test_missing_tours_and_snippets_are_still_404(synced, client):
    for url in ("/api/v1/tours/no-such-tour", "/api/v1/snippets/no.such.key"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"
