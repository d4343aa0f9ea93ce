"""A hand-edited URL with a number too large for the database gets a 4xx or a first page, never
a 500 (every route, as a visitor and as an admin)."""

from __future__ import annotations

import re

import pytest

from app.request_args import MAX_DB_INT, db_int

HUGE = str(10**23)
#: Every numeric query argument a page reads.
QUERY = "&".join(
    f"{name}={HUGE}" for name in ("page", "from", "to", "quote", "tier", "step", "solved", "stuck")
)


def _get_urls(app) -> list[str]:
    """A URL for every GET route whose arguments are all numbers, each number huge."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        placeholders = re.findall(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", rule.rule)
        if any(converter != "int" for converter, _ in placeholders):
            continue
        urls.append(re.sub(r"<int:\w+>", HUGE, rule.rule))
    return urls


@pytest.mark.parametrize("role", [None, "admin"])
def test_no_route_fails_on_a_huge_number(app, client, auth, factory, role):
    if role:
        auth.login(factory.user(role))
    urls = _get_urls(app)
    assert len(urls) > 40  # the walk covers the site, not a handful of pages
    failures = {}
    for url in urls:
        for target in (url, f"{url}?{QUERY}"):
            response = client.get(target)
            if response.status_code >= 500:
                failures[target] = response.status_code
    assert failures == {}


def test_huge_ids_in_paths_match_no_route(client):
    assert client.get(f"/community/t/{HUGE}").status_code == 404
    assert client.get(f"/community/t/{MAX_DB_INT + 1}").status_code == 404
    assert client.get(f"/community/t/{MAX_DB_INT}").status_code == 404  # in range, no such thread


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12", 12), ("-3", -3), (str(MAX_DB_INT), MAX_DB_INT), (str(-MAX_DB_INT), -MAX_DB_INT)],
)
def test_db_int_accepts_what_a_column_holds(value, expected):
    assert db_int(value) == expected


@pytest.mark.parametrize("value", [str(MAX_DB_INT + 1), HUGE, "", "1.5", "x"])
def test_db_int_refuses_the_rest(value):
    with pytest.raises(ValueError):
        db_int(value)
