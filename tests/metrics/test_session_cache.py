"""Pages the anonymous page cache answers count in their sessions too (the cache skips the
view, not the after-request hook)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app import tallies
from app.extensions import db
from app.metrics.models import HelpSession


@pytest.fixture
def app_config():
    return {"PAGE_CACHE_ENABLED": True}


def test_pages_served_from_the_page_cache_count_too(app):
    browser = {"User-Agent": "Mozilla/5.0 Firefox/140.0", "Accept-Language": "de"}
    served = [app.test_client().get("/", headers=browser) for _ in range(3)]
    assert [page.headers["X-Page-Cache"] for page in served] == ["miss", "hit", "hit"]
    assert "Set-Cookie" not in served[2].headers  # counting never makes a page personal
    with app.app_context():
        tallies.flush(datetime.now(UTC))
        [session] = db.session.scalars(select(HelpSession)).all()
        assert session.views == 3
