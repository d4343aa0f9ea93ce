"""Help-center sessions: counted without a write on the request path, keyed by a daily salt that
is deleted, tied to the person who signs in; and the figures made of them, on hand-made
histories with known answers (session success, self-service score, article views followed by
a ticket on their topic, search click-through)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, select

from app import tallies
from app.extensions import db
from app.kb import feedback
from app.kb.models import Article
from app.metrics import rules, sessions
from app.metrics.models import HelpSession, HelpSessionArticle, SessionSalt
from app.models import utcnow
from app.search.models import SearchQueryLog
from tests.metrics.conftest import berlin

FIREFOX = {"User-Agent": "Mozilla/5.0 Firefox/140.0", "Accept-Language": "de-DE,de;q=0.9"}


def _flush(app, now: datetime) -> int:
    with app.app_context():
        return tallies.flush(now)


def _sessions(app) -> list[HelpSession]:
    with app.app_context():
        rows = list(db.session.scalars(select(HelpSession).order_by(HelpSession.id)))
        db.session.expunge_all()
        return rows


def _view(app, now, agent, *, user=None, slug="", language="en-GB"):
    """One page view as the after-request hook counts it (at a chosen time)."""
    with app.app_context():
        sessions.record_page_view(
            now, user_agent=agent, accept_language=language,
            user_id=user.id if user else None, article_slug=slug,
        )  # fmt: skip


def test_pages_are_counted_in_a_session_without_writing_while_serving(app, client, factory):
    article = factory.article(utcnow(), "Reset your password", "Use the link.", section="account")
    with app.app_context():
        slug = db.session.get(Article, article).slug
        engine = db.engine
    writes = []

    def note(_conn, _cursor, statement, *_args):
        if "metrics_session" in statement and not statement.lstrip().upper().startswith("SELECT"):
            writes.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        assert client.get("/", headers=FIREFOX).status_code == 200
        assert client.get(f"/articles/{slug}", headers=FIREFOX).status_code == 200
        assert client.get(f"/articles/{slug}", headers=FIREFOX).status_code == 200
        # Not help-center pages, or not people: none of these count.
        client.get("/requests/", headers=FIREFOX)
        client.get("/api/v1/status", headers=FIREFOX)
        client.get("/", headers={"User-Agent": "Googlebot/2.1"})
        assert writes == []
        assert _sessions(app) == []
    finally:
        event.remove(engine, "before_cursor_execute", note)
    _flush(app, utcnow())
    [session] = _sessions(app)
    assert session.views == 3 and session.user_id is None
    with app.app_context():
        salt = db.session.scalar(select(SessionSalt.salt).where(SessionSalt.day == session.day))
        [read] = db.session.scalars(select(HelpSessionArticle)).all()
        assert (read.article_id, read.views) == (article, 2)
    # Only the salted key is stored; with the day's salt it is the browser's key.
    digest = rules.browser_digest(FIREFOX["User-Agent"], FIREFOX["Accept-Language"])
    assert session.key == rules.session_key(salt, digest)
    assert "Firefox" not in session.key


def test_browsers_languages_and_people_make_sessions_and_staff_do_not(app, factory):
    now = datetime(2026, 3, 2, 9, tzinfo=UTC)
    member = factory.user()
    _view(app, now, "Firefox/140", language="de-DE")
    _view(app, now + timedelta(minutes=5), "Firefox/140", language="de-AT,de")  # same: "de"
    _view(app, now, "Firefox/140", language="fr-FR")
    _view(app, now, "Chrome/140", language="de-DE")
    _view(app, now, "Chrome/140", user=member)
    _flush(app, now + timedelta(minutes=6))
    rows = _sessions(app)
    assert sorted(row.views for row in rows) == [1, 1, 1, 2]
    [firefox_de] = [row for row in rows if row.views == 2]
    assert (firefox_de.first_seen_at, firefox_de.last_seen_at) == (now, now + timedelta(minutes=5))
    assert firefox_de.follow_until == now + timedelta(minutes=5, hours=24)
    assert [row.user_id for row in rows if row.user_id] == [member.id]


def test_the_staff_reading_the_help_center_is_not_a_session(app, client, auth, factory):
    auth.login(factory.user(role="agent_t1"))
    assert client.get("/", headers=FIREFOX).status_code == 200
    _flush(app, utcnow())
    assert _sessions(app) == []


def test_reading_anonymously_then_signing_in_ties_both_sessions_to_the_person(
    app, client, auth, factory
):
    member = factory.user()
    assert client.get("/", headers=FIREFOX).status_code == 200
    auth.login(member)
    assert client.get("/", headers=FIREFOX).status_code == 200
    _flush(app, utcnow())
    rows = _sessions(app)
    assert len(rows) == 2
    assert {row.user_id for row in rows} == {member.id}


def test_salts_rotate_daily_and_old_ones_are_deleted(app):
    evening = datetime(2026, 3, 2, 23, 50, tzinfo=UTC)
    _view(app, evening, "Firefox/140")
    _flush(app, evening + timedelta(seconds=5))
    night = datetime(2026, 3, 3, 0, 30, tzinfo=UTC)
    _view(app, night, "Firefox/140")
    _flush(app, night + timedelta(seconds=5))
    first, second = _sessions(app)
    assert first.day == date(2026, 3, 2) and second.day == date(2026, 3, 3)
    assert first.key != second.key  # the same browser cannot be followed from day to day
    with app.app_context():
        assert len(db.session.scalars(select(SessionSalt)).all()) == 2  # within the grace hour
    # A straggler of 2 March counted, then flushed after the grace hour: dropped, never keyed
    # with a new salt of that day.
    _view(app, evening, "Chrome/140")
    _flush(app, datetime(2026, 3, 3, 1, 30, tzinfo=UTC))
    with app.app_context():
        assert db.session.scalars(select(SessionSalt.day)).all() == [date(2026, 3, 3)]
    assert len(_sessions(app)) == 2


@pytest.fixture
def self_service_history(app, factory):
    """Sessions of 2 March 2026 (Berlin) with known answers.

    - Alice reads the account article twice (10:00, 10:20) and opens an Account ticket at
      11:00: followed, on the article's topic.
    - Bob reads it at 10:00 and opens an Account ticket the next day at 10:30: 24.5 h later,
      not followed.
    - Carol opened a Billing ticket at 09:00 and reads the article at 10:00: the ticket came
      before, not followed.
    - Dave reads it at 10:00 and opens a Billing ticket at 11:00: followed as a session, but
      not on the article's topic.
    - One visitor reads without signing in: never followed.
    """
    article = factory.article(berlin(2026, 3, 1), "Change your e-mail", "Go to settings.",
                              section="account")  # fmt: skip
    with app.app_context():
        slug = db.session.get(Article, article).slug
    admin = factory.user(role="admin")
    alice, bob, carol, dave = (factory.user() for _ in range(4))
    factory.ticket(carol, berlin(2026, 3, 2, 9), category="billing")
    ten = berlin(2026, 3, 2, 10)
    for person, times in ((alice, (0, 20)), (bob, (0,)), (carol, (0,)), (dave, (0,))):
        for minutes in times:
            _view(app, ten + timedelta(minutes=minutes), f"Browser of {person.id}",
                  user=person, slug=slug)  # fmt: skip
    _view(app, ten, "A visitor's browser", slug=slug)
    with app.app_context():
        for _ in range(6):
            feedback.record_view(article, date(2026, 3, 2), "Firefox/140")
    _flush(app, ten + timedelta(minutes=21))
    factory.ticket(alice, berlin(2026, 3, 2, 11), category="account")
    factory.ticket(dave, berlin(2026, 3, 2, 11), category="billing")
    factory.ticket(bob, berlin(2026, 3, 3, 10, 30), category="account")
    with app.app_context():
        for clicked in ("article:1", None, None, None):
            db.session.add(SearchQueryLog(query="password", result_count=3,
                                          clicked_key=clicked, created_at=ten))  # fmt: skip
        db.session.commit()
    return {"admin": admin, "article": article}


def test_session_success_self_service_score_and_article_follow_ups(
    client, auth, self_service_history
):
    auth.login(self_service_history["admin"])
    data = client.get(
        "/metrics/data.json", query_string={"start": "2026-03-02", "end": "2026-03-03"}
    ).get_json()
    figures = data["self_service"]
    assert figures["sessions"] == 5
    assert figures["sessions_followed_by_request"] == 2  # Alice and Dave
    assert figures["session_success_rate"] == 3 / 5
    assert figures["help_center_users"] == 5  # four accounts and one anonymous visitor
    assert figures["ticket_users"] == 4
    assert figures["self_service_score"] == 5 / 4
    assert figures["search"] == {"searches": 4, "clicked": 1, "click_through": 0.25}
    [row] = data["tables"]["articles"]["rows"]
    # 6 counted views; 6 session views (Alice 2, Bob, Carol, Dave, the visitor), Alice's 2
    # followed by a ticket on the article's topic: 4 of 6 not followed.
    assert row[1] == 6 and row[5:] == [6, 2, 66.7]
    table = dict(data["tables"]["self_service"]["rows"])
    assert table["Session success %"] == 60.0
    assert table["Search click-through %"] == 25.0
    page = client.get("/metrics/", query_string={"start": "2026-03-02", "end": "2026-03-03"})
    html = page.get_data(as_text=True)
    assert "1.2:1" in html  # 5 help-center users per person who opened a ticket: 1.25
    assert "(3 ÷ 5)" in html and "(5 ÷ 4)" in html and "(1 ÷ 4)" in html
    csv_text = client.get(
        "/metrics/export/self_service.csv",
        query_string={"start": "2026-03-02", "end": "2026-03-03"},
    ).get_data(as_text=True)
    assert "Self-service score (users per ticket user),1.25" in csv_text


def test_the_self_service_score_example_of_the_issue(app, client, auth, factory):
    """1,000 help-center users and 250 people who opened a ticket: 4:1."""
    day = berlin(2026, 3, 2, 10)
    for number in range(1000):
        _view(app, day, f"Browser {number}")
    _flush(app, day + timedelta(minutes=1))
    for _ in range(250):
        factory.ticket(factory.user(), day + timedelta(hours=1))
    auth.login(factory.user(role="admin"))
    args = {"start": "2026-03-02", "end": "2026-03-02"}
    figures = client.get("/metrics/data.json", query_string=args).get_json()["self_service"]
    assert (figures["help_center_users"], figures["ticket_users"]) == (1000, 250)
    assert figures["self_service_score"] == 4.0
    assert "4.0:1" in client.get("/metrics/", query_string=args).get_data(as_text=True)
