""" "Was this article helpful?": one vote per person, changeable, anonymous per browser."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.kb.models import ArticleVote
from tests.kb.conftest import ROOT

URL = "/articles/restore-purchases/vote"


def _tally(app):
    with app.app_context():
        from app.kb import services

        article = services.get_article("restore-purchases")
        votes = db.session.scalar(select(func.count()).select_from(ArticleVote))
        return article.helpful_yes, article.helpful_no, votes


def test_signed_in_member_votes_once_and_can_change(synced, client, auth, factory):
    auth.login(factory.user())
    assert client.post(URL, data={"yes": "1"}).status_code == 302
    assert client.post(URL, data={"yes": "1"}).status_code == 302
    assert _tally(synced.app) == (1, 0, 1)
    response = client.post(URL, data={"no": "1", "reason": "Step 3 is missing"})
    assert response.status_code == 302
    assert _tally(synced.app) == (0, 1, 1)
    html = client.get("/articles/restore-purchases").get_data(as_text=True)
    assert 'id="vote-current"' in html and "Step 3 is missing" in html


def test_the_same_account_in_two_browsers_is_one_vote(synced, app, factory):
    user = factory.user()
    for _ in range(2):
        browser = app.test_client()
        browser.post(
            "/account/login", data={"email": user.email, "password": "correct horse battery"}
        )
        browser.post(URL, data={"yes": "1"})
    assert _tally(synced.app) == (1, 0, 1)


def test_anonymous_visitors_vote_once_per_browser(synced, app):
    first, second = app.test_client(), app.test_client()
    second.environ_base["REMOTE_ADDR"] = "192.0.2.20"  # another person, elsewhere
    first.post(URL, data={"yes": "1"})
    first.post(URL, data={"no": "1"})
    second.post(URL, data={"yes": "1"})
    assert _tally(synced.app) == (1, 1, 2)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ArticleVote).where(
            ArticleVote.user_id.is_(None))) == 2  # fmt: skip


def test_vote_errors_next_to_the_field(synced, client):
    response = client.post(URL, data={"yes": "1", "reason": "x" * 501})
    assert response.status_code == 422
    assert 'id="reason-error"' in response.get_data(as_text=True)
    response = client.post(URL, data={"reason": "no answer given"})
    assert response.status_code == 422
    assert "Choose" in response.get_data(as_text=True)
    assert _tally(synced.app) == (0, 0, 0)
    assert client.post("/articles/nope/vote", data={"yes": "1"}).status_code == 404


def test_vote_form_needs_csrf(synced, app):
    app.config["WTF_CSRF_ENABLED"] = True
    response = app.test_client().post(URL, data={"yes": "1"})
    assert response.status_code == 400
    assert _tally(synced.app) == (0, 0, 0)


def test_fresh_cookieless_sessions_are_one_anonymous_vote(synced, app):
    """Dropping the cookie doesn't give another vote: anonymous votes from one connection and
    browser (address + user agent) count once per article per day."""
    for _ in range(15):
        app.test_client().post(URL, data={"yes": "1"})
    assert _tally(synced.app) == (1, 0, 1)
    app.test_client().post(URL, data={"no": "1"})  # the same person changing their mind
    assert _tally(synced.app) == (0, 1, 1)
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.20"
    elsewhere.post(URL, data={"yes": "1"})
    other_browser = app.test_client()
    other_browser.environ_base["HTTP_USER_AGENT"] = "Another browser/1.0"
    other_browser.post(URL, data={"yes": "1"})
    assert _tally(synced.app) == (2, 1, 3)
    with app.app_context():
        stored = " ".join(
            str(value)
            for row in db.session.execute(select(ArticleVote.__table__)).all()
            for value in row
        )
        assert "127.0.0.1" not in stored and "192.0.2.20" not in stored


def test_the_anonymous_key_is_salted_per_day_and_forgotten(synced, app, now):
    from app.kb import feedback, services
    from app.kb.models import VoteSalt

    with app.app_context():
        article = services.get_article("restore-purchases")
        client = ("203.0.113.5", "Browser/1.0")
        first = feedback.cast_vote(
            article, helpful=True, reason="", now=now, visitor_id="a", client=client
        )
        again = feedback.cast_vote(
            article, helpful=False, reason="", now=now, visitor_id="b", client=client
        )
        assert again.id == first.id and first.visitor_hash
        salt = db.session.scalar(select(VoteSalt.salt))
        assert client[0] not in first.visitor_hash
        next_day = now + timedelta(days=1)
        later = feedback.cast_vote(
            article, helpful=True, reason="", now=next_day, visitor_id="c", client=client
        )
        db.session.commit()
        assert later.id != first.id  # a new day, a new window
        # Yesterday's salt is gone, and with it any way to link yesterday's key to a client.
        assert db.session.scalars(select(VoteSalt.salt)).all() != [salt]
        assert len(db.session.scalars(select(VoteSalt)).all()) == 1
        db.session.refresh(first)
        assert first.visitor_hash is None


@pytest.mark.parametrize(
    "app_config",
    [{"CONTENT_DIR": str(ROOT / "content"), "RATELIMIT_ENABLED": True,
      "KB_VOTE_LIMIT_PER_IP": "3/hour"}],
)  # fmt: skip
def test_votes_per_address_are_capped(synced, app, app_config):
    statuses = []
    for n in range(4):
        browser = app.test_client()
        browser.environ_base["HTTP_USER_AGENT"] = f"Browser/{n}"
        statuses.append(browser.post(URL, data={"yes": "1"}).status_code)
    assert statuses == [302, 302, 302, 429]
    assert _tally(synced.app) == (3, 0, 3)
