"""The OpenAPI document is exact: schemathesis drives every operation in-process and finds no
server error, no undocumented status and no response that breaks its schema."""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.api.openapi import openapi_document


@pytest.fixture
def api_schema(synced, app, bearer):
    app.config["API_TEST_BEARER"] = bearer
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_matches_its_contract(case, app):
    case.call_and_validate(headers=app.config["API_TEST_BEARER"], checks=CHECKS)


def test_every_route_is_documented(app):
    documented = {
        (path, method.upper())
        for path, operations in openapi_document()["paths"].items()
        for method in operations
    }
    served = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = rule.rule.removeprefix("/api/v1")
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            served.add((path, method))
    assert served == documented


def test_document_is_served_with_a_tag(client):
    response = client.get("/api/v1/openapi.json")
    assert response.json["openapi"].startswith("3.")
    assert (
        client.get(
            "/api/v1/openapi.json", headers={"If-None-Match": response.headers["ETag"]}
        ).status_code
        == 304
    )
