"""The search page, the JSON endpoint, click tracking, the query log and the staff page."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import event, select

from app import tallies
from app.extensions import db
from app.models import utcnow
from app.search.indexer import drain_all
from app.search.models import SearchQueryLog


@pytest.fixture
def articles(app, now, factory):
    with app.app_context():
        ids = [
            factory.article(now, "Install the app", "Download it from the store."),
            factory.article(now, "Reset your password", "Use the reset link.", section="account"),
        ]
        drain_all(now)
    return ids


def _logs(app):
    """The query log once the counted searches are written (``app.tallies``)."""
    with app.app_context():
        tallies.flush(utcnow())
        return db.session.scalars(select(SearchQueryLog).order_by(SearchQueryLog.id)).all()


def test_page_shows_results_with_type_section_and_snippet(client, articles):
    response = client.get("/search/?q=instal")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Install the app" in html
    assert "Help articles" in html and "Getting started" in html
    # A search landmark (the <search> element) around a labelled query field.
    assert "<search>" in html and '<label for="search-q">' in html
    assert "1 result." in html


def test_empty_page_and_zero_results(client, articles):
    assert "Type a question" in client.get("/search/").get_data(as_text=True)
    html = client.get("/search/?q=pasword+zzzzqq").get_data(as_text=True)
    assert "No results for" in html and "Contact support" in html


def test_typo_shows_corrected_results(client, articles):
    html = client.get("/search/?q=pasword").get_data(as_text=True)
    assert "Showing results for" in html and "Reset your password" in html


def test_json_endpoint(client, articles):
    data = client.get("/search/results.json?q=reset&type=article&category=account").get_json()
    assert data["total"] == 1
    result = data["results"][0]
    assert result["type"] == "article" and result["title"] == "Reset your password"
    assert result["url"].startswith("/articles/")
    assert "<mark>" in result["snippet"]
    assert result["category"] == "account"
    assert data["partial"] is False


@pytest.mark.parametrize("query", ["type=bogus", "sort=random", "page=abc", "page=0", "per_page=x"])
def test_bad_parameters_are_400_not_500(client, articles, query):
    response = client.get(f"/search/results.json?q=reset&{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]
    assert client.get(f"/search/?q=reset&{query.replace('per_page', 'page')}").status_code == 400


def test_query_log_without_personal_data_and_click(client, app, articles, factory, auth):
    auth.login(factory.user())
    data = client.get("/search/results.json?q=Zucchini+ana@example.com").get_json()
    assert data["total"] == 0
    data = client.get("/search/results.json?q=Reset").get_json()
    click = data["results"][0]["click_url"]
    response = client.get(click)
    assert response.status_code == 302
    assert response.headers["Location"] == data["results"][0]["url"]
    logs = _logs(app)
    assert [(log.query, log.result_count) for log in logs] == [
        ("zucchini [email]", 0),
        ("reset", 1),
    ]
    assert logs[1].clicked_key == f"article:{articles[1]}"
    columns = set(SearchQueryLog.__table__.columns.keys())
    assert columns == {"id", "query", "result_count", "clicked_key", "created_at", "token"}


def test_click_cannot_be_forged(client, articles):
    assert client.get("/search/click?t=forged").status_code == 404
    data = client.get("/search/results.json?q=reset").get_json()
    token = parse_qs(urlsplit(data["results"][0]["click_url"]).query)["t"][0]
    assert client.get(f"/search/click?t={token}x").status_code == 404


def test_stats_for_staff_only(client, app, articles, factory, auth):
    client.get("/search/?q=reset")
    client.get("/search/?q=reset")
    client.get("/search/?q=blossom+end+rot")
    _logs(app)  # what the background flush does within seconds
    assert client.get("/search/stats").status_code == 302  # sign in first
    auth.login(factory.user())
    assert client.get("/search/stats").status_code == 403
    auth.logout()
    auth.login(factory.user(role="agent_t1"))
    html = client.get("/search/stats").get_data(as_text=True)
    top = html.split('id="top-queries"')[1].split("</table>")[0]
    zero = html.split('id="top-zero-result"')[1].split("</table>")[0]
    assert "reset" in top and "<td>2</td>" in top
    assert "blossom end rot" in zero and "reset" not in zero


def test_filtered_searches_that_find_nothing_stay_out_of_the_backlog(client, app, articles):
    client.get("/search/?q=reset&category=no-such-category")  # finds nothing: filtered out
    client.get("/search/?q=reset&type=thread")  # no thread says "reset"
    client.get("/search/?q=reset&category=account")  # filtered, but it finds the article
    client.get("/search/?q=blossom+end+rot")  # nothing anywhere: that is the backlog
    assert [(log.query, log.result_count) for log in _logs(app)] == [
        ("reset", 1),
        ("blossom end rot", 0),
    ]


def test_pagination_links_keep_the_filters(client, app, now, factory):
    with app.app_context():
        for i in range(12):
            factory.article(now, f"Tomato care {i}", "Water deeply.")
        drain_all(now)
    html = client.get("/search/?q=tomato&type=article&sort=date").get_data(as_text=True)
    assert "page 1 of 2" in html
    assert 'rel="next"' in html and "type=article" in html and "sort=date" in html


def test_as_you_type_suggestions_are_not_logged(client, app, articles):
    """``log=0`` (the ticket form's suggestions): results, but no query-log row, no tracking."""
    data = client.get("/search/results.json?q=reset&log=0").get_json()
    assert data["total"] == 1
    assert data["results"][0]["click_url"] == data["results"][0]["url"]
    assert data["query_id"] is None
    assert _logs(app) == []
    client.get("/search/results.json?q=reset")  # the default still logs
    assert [log.query for log in _logs(app)] == ["reset"]


def _links(html):
    import re

    return [
        link.replace("&amp;", "&")
        for link in re.findall(r'href="(/search/(?:click|\?)[^"]*)"', html)
    ]


def test_clicks_on_later_pages_are_recorded_once_per_query(client, app, now, factory):
    with app.app_context():
        ids = [factory.article(now, f"Tomato care {i}", "Water deeply.") for i in range(12)]
        drain_all(now)
    html = client.get("/search/?q=tomato").get_data(as_text=True)
    [next_page] = [link for link in _links(html) if "page=2" in link]
    assert "qid=" in next_page
    html = client.get(next_page).get_data(as_text=True)
    assert "page 2 of 2" in html
    clicks = [link for link in _links(html) if link.startswith("/search/click")]
    assert len(clicks) == 2
    response = client.get(clicks[0])
    assert response.status_code == 302
    [log] = _logs(app)  # paging did not log the query again
    assert log.query == "tomato" and log.result_count == 12
    assert log.clicked_key in {f"article:{i}" for i in ids}
    assert response.headers["Location"].startswith("/articles/")


def test_paging_token_is_checked(client, app, articles):
    data = client.get("/search/results.json?q=reset").get_json()
    token = data["query_id"]
    assert token
    # Forged, or taken from another query: not accepted, and a later page logs nothing.
    for qid in (token + "x", token):
        data = client.get(f"/search/results.json?q=install&page=2&qid={qid}").get_json()
        assert data["query_id"] is None
    assert [log.query for log in _logs(app)] == ["reset"]
    # A paging request carrying it (here back to page 1) reuses the row and tracks clicks.
    data = client.get(f"/search/results.json?q=reset&page=1&qid={token}").get_json()
    assert data["query_id"] == token
    assert data["results"][0]["click_url"].startswith("/search/click")
    assert len(_logs(app)) == 1


@pytest.mark.parametrize(
    "app_config",
    [
        {
            "RATELIMIT_ENABLED": True,
            "SEARCH_REBUILD_PROCS": 1,
            "SEARCH_LOG_LIMIT_PER_CLIENT": "6/hour",
        }
    ],
)
def test_repeating_a_search_cannot_fill_the_top_queries(app, articles, app_config):
    """One logged search per client and normalised query per window, and a cap per client."""
    client = app.test_client()
    for query in ["reset", "Reset", "  RESET  "] * 7:
        response = client.get("/search/", query_string={"q": query})
        assert response.status_code == 200 and "Reset your password" in response.get_data(
            as_text=True
        )
    assert [log.query for log in _logs(app)] == ["reset"]
    for n in range(10):
        assert client.get(f"/search/?q=install+{n}").status_code == 200
    assert len(_logs(app)) == 6  # the per-client cap
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    other.get("/search/?q=reset")
    other.get("/search/?q=reset")
    _logs(app)
    with app.app_context():
        from app.search import services

        top = services.stats(utcnow() + timedelta(minutes=1)).top_queries
    assert [(stat.query, stat.searches) for stat in top if stat.query == "reset"] == [("reset", 2)]


def test_results_are_labelled_with_the_singular_kind(client, articles):
    html = client.get("/search/?q=reset").get_data(as_text=True)
    labels = re.findall(r'<span class="search-hit-type">([^<]*)</span>', html)
    assert labels and all("Help articles" not in label for label in labels)
    assert any(label.startswith(("Guide", "FAQ", "Video")) for label in labels), labels


def test_searching_and_clicking_write_nothing_until_the_flush(client, app, articles):
    with app.app_context():
        engine = db.engine
    writes = []

    def note(_conn, _cursor, statement, *_args):
        if statement.split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            writes.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        data = client.get("/search/results.json?q=reset").get_json()
        client.get("/search/?q=install")
        assert client.get(data["results"][0]["click_url"]).status_code == 302
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert writes == []
    logs = _logs(app)
    assert [(log.query, log.result_count) for log in logs] == [("reset", 1), ("install", 1)]
    assert logs[0].clicked_key == f"article:{articles[1]}" and logs[1].clicked_key is None


def test_a_click_counted_before_its_search_is_written_waits_for_it(client, app, articles):
    from app.search import services

    data = client.get("/search/results.json?q=reset").get_json()
    # The search was counted by another process that has not flushed yet: only the click is
    # here. It waits (in the counters) and lands once the search is written.
    with app.app_context():
        store = app.extensions["tallies"]
        held = {}
        store.flush(services.QUERY_TALLY, lambda counts, _batch: held.update(counts))
    client.get(data["results"][0]["click_url"])
    assert _logs(app) == []
    with app.app_context():
        for key, count in held.items():
            tallies.add(services.QUERY_TALLY, key, count)
    [log] = _logs(app)  # searches are written before clicks in one flush
    assert log.query == "reset" and log.clicked_key == f"article:{articles[1]}"
