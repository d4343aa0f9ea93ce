""" "Was this article helpful?": one vote per person, changeable, anonymous per browser."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.kb.models import ArticleVote

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
