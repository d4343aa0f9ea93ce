"""API tokens: made, listed and revoked on the account page; bearer authentication."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.api import services
from app.api.models import ApiToken
from app.extensions import db


def test_create_token_shows_it_once_and_stores_only_its_hash(client, auth, factory, app):
    user = factory.user()
    auth.login(user)
    response = client.post("/account/api-tokens", data={"name": "Ana's phone"})
    assert response.status_code == 201
    html = response.get_data(as_text=True)
    plain = re.search(r'id="new-token-value" value="([^"]+)"', html).group(1)
    assert plain.startswith("ghc_")
    assert response.headers["Cache-Control"] == "no-store"
    with app.app_context():
        token = db.session.scalar(select(ApiToken))
        assert token.name == "Ana's phone"
        assert token.token_hash == services.hash_token(plain)
        assert plain not in (token.prefix, token.token_hash)
        assert plain.startswith(token.prefix)
    listing = client.get("/account/api-tokens").get_data(as_text=True)
    assert "Ana&#39;s phone" in listing
    assert plain not in listing
    account = client.get("/account/").get_data(as_text=True)
    assert "App sign-in tokens" in account and token.prefix in account


def test_token_name_required_error_next_to_field(client, auth, factory):
    auth.login(factory.user())
    response = client.post("/account/api-tokens", data={"name": "  "})
    assert response.status_code == 422
    assert 'id="name-error"' in response.get_data(as_text=True)


def test_too_many_active_tokens(client, auth, factory, app):
    app.config["API_MAX_TOKENS_PER_USER"] = 2
    auth.login(factory.user())
    for name in ("one", "two"):
        assert client.post("/account/api-tokens", data={"name": name}).status_code == 201
    response = client.post("/account/api-tokens", data={"name": "three"})
    assert response.status_code == 422
    assert "Revoke one" in response.get_data(as_text=True)


def test_revoke_asks_first_then_token_stops_working(client, auth, tokens, app):
    user, plain = tokens.make()
    headers = {"Authorization": f"Bearer {plain}"}
    assert client.get("/api/v1/requests", headers=headers).status_code == 200
    auth.login(user)
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    confirm = client.get(f"/account/api-tokens/{token_id}/revoke")
    assert confirm.status_code == 200
    assert "cannot be undone" in confirm.get_data(as_text=True)
    response = client.post(f"/account/api-tokens/{token_id}/revoke")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(ApiToken, token_id).revoked_at is not None
    denied = client.get("/api/v1/requests", headers=headers)
    assert denied.status_code == 401
    assert denied.json["error"]["code"] == "unauthorized"
    assert denied.headers["WWW-Authenticate"].startswith("Bearer")


def test_cannot_revoke_someone_elses_token(client, auth, tokens, factory, app):
    tokens.make()
    auth.login(factory.user())
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    assert client.get(f"/account/api-tokens/{token_id}/revoke").status_code == 404
    assert client.post(f"/account/api-tokens/{token_id}/revoke").status_code == 404
    with app.app_context():
        assert db.session.get(ApiToken, token_id).revoked_at is None


def test_token_pages_need_sign_in(client):
    response = client.get("/account/api-tokens")
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]


def test_revoke_form_needs_csrf(app, auth, tokens):
    user, _ = tokens.make()
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    page = client.get("/account/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    signed_in = client.post(
        "/account/login",
        data={"email": user.email, "password": "correct horse battery", "csrf_token": csrf},
    )
    assert signed_in.status_code == 302
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    response = client.post(f"/account/api-tokens/{token_id}/revoke")
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(ApiToken, token_id).revoked_at is None


def test_bearer_problems_are_401(client, tokens, factory, app):
    for header in ("Bearer nope", "Basic abc", "Bearer ghc_" + "x" * 40, "Bearer"):
        response = client.get("/api/v1/requests", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.json["error"]["code"] == "unauthorized"
    assert client.get("/api/v1/requests").status_code == 401


def test_suspended_user_token_fails(client, tokens, app):
    user, plain = tokens.make()
    with app.app_context():
        db.session.merge(user).is_suspended = True
        db.session.commit()
    response = client.get("/api/v1/requests", headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 401


def test_last_used_is_touched_but_not_on_every_request(app, tokens, now):
    user, plain = tokens.make()
    with app.app_context():
        first = services.authenticate(plain, now, touch_seconds=300)
        assert first.touched and first.user.id == user.id
        again = services.authenticate(plain, now + timedelta(seconds=10), touch_seconds=300)
        assert not again.touched
        later = services.authenticate(plain, now + timedelta(seconds=301), touch_seconds=300)
        assert later.touched
        token = db.session.scalar(select(ApiToken))
        assert token.last_used_at == now + timedelta(seconds=301)


def test_revoke_twice_keeps_first_time(app, tokens):
    user, _ = tokens.make()
    first = datetime(2026, 1, 1, tzinfo=UTC)
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
        services.revoke_token(user, token_id, first)
        services.revoke_token(user, token_id, first + timedelta(days=1))
        assert db.session.get(ApiToken, token_id).revoked_at == first


def test_a_new_password_revokes_every_token(client, auth, tokens, factory, app, mailbox):
    """Signed out everywhere means the app too: a stolen token dies with a password reset."""
    user, first = tokens.make()
    _, second = tokens.make(user, name="Tablet")
    _bystander, theirs = tokens.make(factory.user())
    for plain in (first, second, theirs):
        assert (
            client.get("/api/v1/requests", headers={"Authorization": f"Bearer {plain}"}).status_code
            == 200
        )
    client.post("/account/reset", data={"email": user.email})
    link = re.search(r"http://help\.test(/account/reset/\S+)", mailbox.messages()[-1].get_content())
    new = "my new long password"
    assert client.post(link.group(1), data={"password": new, "confirm": new}).status_code == 302
    statuses = [
        client.get("/api/v1/requests", headers={"Authorization": f"Bearer {plain}"}).status_code
        for plain in (first, second, theirs)
    ]
    assert statuses == [401, 401, 200]  # someone else's token is untouched
    # Changing the password while signed in does the same to a token made since.
    auth.login(user, password=new)
    made = client.post("/account/api-tokens", data={"name": "New phone"}).get_data(as_text=True)
    third = re.search(r'id="new-token-value" value="([^"]+)"', made).group(1)
    assert (
        client.get("/api/v1/requests", headers={"Authorization": f"Bearer {third}"}).status_code
        == 200
    )
    changed = client.post(
        "/account/password", data={"current_password": new, "new_password": "another long one"}
    )
    assert changed.status_code == 302
    follow = client.get(changed.headers["Location"]).get_data(as_text=True)
    assert "API tokens included" in follow
    assert (
        client.get("/api/v1/requests", headers={"Authorization": f"Bearer {third}"}).status_code
        == 401
    )
