"""The anonymous page cache: what it serves, to whom, and when it lets go of a page; conditional
GET, compression and hashed static URLs."""

from __future__ import annotations

import gzip
import re
from datetime import UTC, datetime

import brotli
import pytest

from app import pagecache, tallies
from app.forum.cli import seed_categories
from app.kb import feedback, services
from app.outbox import commit

BROWSER = {"User-Agent": "Mozilla/5.0"}
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def app_config(content_dir):
    return {"CONTENT_DIR": str(content_dir), "PAGE_CACHE_ENABLED": True}


def _categories(app) -> None:
    with app.app_context():  # emptied on PostgreSQL before each test: seeded again
        seed_categories()
        commit()


def _tokens(html: str) -> set[str]:
    return set(TOKEN.findall(html))


def test_second_anonymous_read_is_served_from_the_cache_and_counted(synced, app):
    first, second = app.test_client(), app.test_client()
    miss = first.get("/articles/cant-sign-in", headers=BROWSER)
    hit = second.get("/articles/cant-sign-in", headers=BROWSER)
    assert miss.headers["X-Page-Cache"] == "miss" and hit.headers["X-Page-Cache"] == "hit"
    assert miss.get_data() != b"" and len(hit.get_data()) > 1000
    # Both served views are counted, the cached one included.
    with app.app_context():
        tallies.flush(datetime.now(UTC))
        article = services.get_article("cant-sign-in")
        assert feedback.views_on(article, datetime.now(UTC).date()) == 2


def test_a_cached_page_never_carries_anyones_token_or_name(synced, app, factory):
    app.config["WTF_CSRF_ENABLED"] = True
    reader, other = app.test_client(), app.test_client()
    member = factory.user(display_name="Rosalind Gardener")
    signed_in = app.test_client()
    signed_in.post(
        "/account/login",
        data={"email": member.email, "password": "correct horse battery",
              "csrf_token": _tokens(signed_in.get("/account/login").get_data(as_text=True)).pop()},
    )  # fmt: skip
    mine = signed_in.get("/articles/cant-sign-in", headers=BROWSER)
    assert "X-Page-Cache" not in mine.headers  # signed-in pages are never cached
    assert "Rosalind Gardener" in mine.get_data(as_text=True)
    again = signed_in.get("/articles/cant-sign-in", headers=BROWSER)
    assert "X-Page-Cache" not in again.headers

    first = reader.get("/articles/cant-sign-in", headers=BROWSER).get_data(as_text=True)
    second = other.get("/articles/cant-sign-in", headers=BROWSER).get_data(as_text=True)
    assert "Rosalind Gardener" not in first + second
    mine_tokens = _tokens(mine.get_data(as_text=True))
    assert _tokens(first) and _tokens(second) and mine_tokens
    assert not (_tokens(first) & _tokens(second)) and not (_tokens(first) & mine_tokens)
    with app.test_request_context("/articles/cant-sign-in"):
        stored = pagecache.cache.get(pagecache._page_key(app))
    body = stored["body"].decode()
    assert pagecache.TOKEN_PLACEHOLDER in body
    assert _tokens(body) == {pagecache.TOKEN_PLACEHOLDER}
    assert "Rosalind Gardener" not in body
    # The token a cached page gave its reader is a working one.
    vote = other.post(
        "/articles/cant-sign-in/vote", data={"yes": "1", "csrf_token": _tokens(second).pop()}
    )
    assert vote.status_code == 302


def test_a_reader_with_a_flash_message_or_a_vote_gets_their_own_page(synced, app):
    reader = app.test_client()
    reader.get("/articles/cant-sign-in", headers=BROWSER)
    assert reader.post("/articles/cant-sign-in/vote", data={"yes": "1"}).status_code == 302
    page = reader.get("/articles/cant-sign-in", headers=BROWSER)
    assert "X-Page-Cache" not in page.headers
    assert "Thanks for your feedback" in page.get_data(as_text=True)
    later = reader.get("/articles/cant-sign-in", headers=BROWSER)
    assert "X-Page-Cache" not in later.headers  # their visitor id shows their own vote


def test_an_edit_is_visible_on_the_next_anonymous_read(synced, app, factory):
    _categories(app)
    author = factory.user(role="moderator")
    thread_id = factory.thread(author, title="Basil turning yellow")
    reader = app.test_client()
    assert reader.get(f"/community/t/{thread_id}").headers["X-Page-Cache"] == "miss"
    assert reader.get(f"/community/t/{thread_id}").headers["X-Page-Cache"] == "hit"
    assert reader.get("/community/").headers["X-Page-Cache"] == "miss"
    factory.reply(thread_id, author, "Feed it some nitrogen once a fortnight.")
    page = reader.get(f"/community/t/{thread_id}")
    assert page.headers["X-Page-Cache"] == "miss"
    assert "Feed it some nitrogen" in page.get_data(as_text=True)
    assert reader.get("/community/").headers["X-Page-Cache"] == "miss"
    # A vote changes the article's summary: its page is rendered again too.
    reader.get("/articles/cant-sign-in")
    app.test_client().post("/articles/cant-sign-in/vote", data={"no": "1"})
    assert reader.get("/articles/cant-sign-in").headers["X-Page-Cache"] == "miss"


def test_the_site_announcement_is_part_of_the_cached_page(synced, app):
    reader = app.test_client()
    reader.get("/")
    app.config["SITE_ANNOUNCEMENT"] = "Scheduled maintenance tonight"
    page = reader.get("/")
    assert "Scheduled maintenance tonight" in page.get_data(as_text=True)


def test_conditional_get_on_articles_and_threads(synced, app, factory):
    _categories(app)
    thread_id = factory.thread(factory.user(role="moderator"))
    reader = app.test_client()
    for url in ("/articles/cant-sign-in", f"/community/t/{thread_id}"):
        first = reader.get(url, headers={"Accept-Encoding": "identity"})
        assert first.headers["ETag"] and first.headers["Last-Modified"]
        again = reader.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.get_data() == b""
        since = reader.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
        assert since.status_code == 304


def test_pages_styles_and_scripts_are_compressed(synced, app):
    reader = app.test_client()
    html = reader.get("/", headers={"Accept-Encoding": "gzip"})
    assert html.headers["Content-Encoding"] == "gzip"
    assert b"Help Center" in gzip.decompress(html.get_data())
    # A page without a form is kept in Brotli; one with a form (a token per reader) in gzip
    # pieces around the token, and the reader's own token decompresses out of it.
    for _ in range(2):  # the miss that stores it, then a hit
        home = reader.get("/", headers={"Accept-Encoding": "gzip, br"})
        assert home.headers["Content-Encoding"] == "br"
        assert b"Help Center" in brotli.decompress(home.get_data())
        both = reader.get("/articles/cant-sign-in", headers={"Accept-Encoding": "gzip, br"})
        assert both.headers["Content-Encoding"] == "gzip"
        text = gzip.decompress(both.get_data()).decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', text).group(1)
        assert "placeholder" not in token and len(token) > 40
    plain = reader.get("/").get_data(as_text=True)
    css = re.search(r'href="(/static/css/site\.css\?v=[0-9a-f]{12})"', plain).group(1)
    with reader.get(css, headers={"Accept-Encoding": "br"}) as styles:
        assert styles.headers["Content-Encoding"] == "br"
        assert styles.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    article = reader.get("/articles/cant-sign-in").get_data(as_text=True)
    script = re.search(r'src="(/static/js/[a-z]+\.js\?v=[0-9a-f]{12})"', article).group(1)
    with reader.get(script, headers={"Accept-Encoding": "gzip, deflate"}) as code:
        assert code.headers["Content-Encoding"] == "gzip"
        assert b"function" in gzip.decompress(code.get_data())
    # Without the hash, a static file is not kept for a year.
    with reader.get("/static/css/site.css") as unversioned:
        assert "immutable" not in unversioned.headers.get("Cache-Control", "")


def test_signed_in_reading_and_ticket_work_leave_the_anonymous_pages_cached(synced, app, factory):
    _categories(app)
    author = factory.user(role="moderator")
    thread_id = factory.thread(author, title="Chives flowering early")
    member_user = factory.user()
    reader = app.test_client()
    reader.get(f"/community/t/{thread_id}")
    member = app.test_client()
    assert member.post("/account/login", data={"email": member_user.email,
                       "password": "correct horse battery"}).status_code == 302  # fmt: skip
    assert member.get(f"/community/t/{thread_id}").status_code == 200  # writes read marks
    assert member.post("/requests/new", data={
        "category": "app", "subject": "Reminders stopped", "impact": "minor",
        "description": "No reminders since Monday.",
    }).status_code == 302  # fmt: skip
    # The metrics rollup (every minute in production) writes only tables readers never see.
    assert app.test_cli_runner().invoke(args=["metrics", "update"]).exit_code == 0
    assert reader.get(f"/community/t/{thread_id}").headers["X-Page-Cache"] == "hit"
