"""Search fixtures: the backend under test (Whoosh always; PostgreSQL when the test database is
PostgreSQL); articles come from the shared ``factory``."""

from __future__ import annotations

import pytest


@pytest.fixture(params=["whoosh", "postgres"])
def backend_name(request, database_url):
    if request.param == "postgres" and not database_url.startswith("postgresql"):
        pytest.skip("the PostgreSQL backend runs only with TEST_DATABASE_URL=postgresql://...")
    return request.param


@pytest.fixture
def app_config(backend_name):
    return {"SEARCH_BACKEND": backend_name, "SEARCH_REBUILD_PROCS": 1}


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app
