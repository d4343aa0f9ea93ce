"""The banner and the anonymous page cache: a declared, updated or resolved incident shows on
the next anonymous page at once, and between changes the pages are still served from cache."""

from __future__ import annotations

from datetime import timedelta

import pytest

from .conftest import T0


@pytest.fixture
def app_config():
    return {"PAGE_CACHE_ENABLED": True}


def _get(client, path="/community/"):
    response = client.get(path)
    assert response.status_code == 200
    return response.headers.get("X-Page-Cache"), response.get_data(as_text=True)


def test_the_banner_changes_with_the_incident_and_pages_stay_cached(app, incidents, factory):
    from app.incidents import services
    from app.outbox import commit

    anonymous = app.test_client()
    _get(anonymous)
    assert _get(anonymous)[0] == "hit"

    lead = incidents.lead()
    incident_id = incidents.declare(lead)
    state, page = _get(anonymous)
    assert state == "miss" and "Outage: Plant sync is down. Next update by 11:30" in page
    state, page = _get(anonymous)
    assert state == "hit" and "Next update by 11:30" in page

    with app.app_context():
        incident = incidents.get(incident_id)
        services.post_update(factory._row(lead), incident, "", T0 + timedelta(minutes=25))
        commit()
    state, page = _get(anonymous)
    assert state == "miss" and "Next update by 11:55" in page
    assert _get(anonymous)[0] == "hit"

    with app.app_context():
        services.resolve(
            factory._row(lead), incidents.get(incident_id), "", T0 + timedelta(hours=1)
        )
        commit()
    state, page = _get(anonymous)
    assert state == "miss" and "site-banner" not in page


def test_a_drill_never_reaches_the_cached_anonymous_page(app, incidents):
    anonymous = app.test_client()
    _get(anonymous)
    incidents.declare(incidents.lead(), is_drill=True)
    for _ in range(2):
        assert "site-banner" not in _get(anonymous)[1]
