"""The connected accounts page: admins only, tokens encrypted and masked, replaced, the
encryption key rotated, accounts disconnected; health shown per account."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from app.channels.social import tokens
from app.channels.social.models import SocialAccount
from app.extensions import db
from app.tickets.models import Ticket
from tests.channels.social.conftest import TOKEN_KEY, recorded

FORM = {
    "platform": "x", "external_id": "2244994945", "name": "@growgrebuddy",
    "token": "x-oauth2-user-token-0003",
}  # fmt: skip


@pytest.fixture
def admin(factory, auth):
    user = factory.user(role="admin")
    auth.login(user)
    return user


def stored(app) -> SocialAccount:
    with app.app_context():
        row = db.session.scalar(select(SocialAccount))
        db.session.expunge_all()
        return row


def test_an_admin_connects_an_account_whose_token_is_stored_encrypted_and_shown_masked(
    app, client, admin
):
    answer = client.post("/channels/social/accounts", data=FORM, follow_redirects=True)
    assert answer.status_code == 200 and b"@growgrebuddy is connected." in answer.data
    assert FORM["token"].encode() not in answer.data
    assert "••••0003".encode() in answer.data
    account = stored(app)
    assert FORM["token"] not in account.token_ciphertext
    assert Fernet(TOKEN_KEY).decrypt(account.token_ciphertext.encode()).decode() == FORM["token"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"external_id": "12 34"}, "external_id", b"numeric id from the platform"),
        ({"external_id": "<script>"}, "external_id", b"numeric id from the platform"),
        ({"token": "short"}, "token", b"Paste the whole token"),
        ({"token": "has a space in it somewhere"}, "token", b"Paste the whole token"),
        ({"platform": "myspace"}, "platform", b"Not a valid choice"),
        ({"name": "n" * 121}, "name", b"up to 120 characters"),
        ({"token": ""}, "token", b"Paste the access token."),
    ],
)  # fmt: skip
def test_bad_input_is_answered_422_next_to_the_field(app, client, admin, change, field, message):
    answer = client.post("/channels/social/accounts", data={**FORM, **change})
    assert answer.status_code == 422
    assert message in answer.data
    assert f'id="{field}-error"'.encode() in answer.data
    assert stored(app) is None


def test_without_an_encryption_key_no_token_is_stored(app, client, admin):
    app.config["SOCIAL_TOKEN_KEYS"] = []
    answer = client.post("/channels/social/accounts", data=FORM)
    assert answer.status_code == 422 and b"No encryption key is configured" in answer.data
    assert stored(app) is None


def test_the_same_account_twice_is_refused(app, client, admin):
    client.post("/channels/social/accounts", data=FORM)
    answer = client.post("/channels/social/accounts", data={**FORM, "name": "again"})
    assert answer.status_code == 422 and b"connected already" in answer.data


def test_replacing_the_token_and_health_after_an_error(app, client, admin, now):
    client.post("/channels/social/accounts", data=FORM)
    account = stored(app)
    with app.app_context():
        row = db.session.get(SocialAccount, account.id)
        row.last_error, row.last_error_at = "HTTP 401: Unauthorized", now
        row.last_received_at = now - timedelta(minutes=5)
        db.session.commit()
    page = client.get("/channels/social/accounts")
    assert b"HTTP 401: Unauthorized" in page.data
    url = f"/channels/social/accounts/{account.id}/token"
    bad = client.post(url, data={f"rotate-{account.id}-token": "tiny"})
    assert bad.status_code == 422 and b"Paste the whole token" in bad.data
    client.post(url, data={f"rotate-{account.id}-token": "x-oauth2-user-token-new9"})
    renewed = stored(app)
    assert renewed.token_hint == "new9" and renewed.last_error is None
    with app.app_context():
        assert tokens.decrypt(renewed.token_ciphertext) == "x-oauth2-user-token-new9"
    assert (
        client.post(
            "/channels/social/accounts/999/token",
            data={"rotate-999-token": "x-oauth2-user-token-new9"},
        ).status_code
        == 404
    )


def test_rotating_the_encryption_key(app, client, admin, runner):
    client.post("/channels/social/accounts", data=FORM)
    new_key = Fernet.generate_key().decode()
    app.config["SOCIAL_TOKEN_KEYS"] = [new_key, TOKEN_KEY]
    result = runner.invoke(args=["social", "reencrypt"])
    assert result.exit_code == 0 and "re-encrypted 1 token(s)" in result.output
    ciphertext = stored(app).token_ciphertext
    assert Fernet(new_key).decrypt(ciphertext.encode()).decode() == FORM["token"]
    app.config["SOCIAL_TOKEN_KEYS"] = [Fernet.generate_key().decode()]
    assert runner.invoke(args=["social", "reencrypt"]).exit_code != 0


def test_a_disconnected_account_loses_its_token_and_its_webhooks_are_ignored(
    app, client, admin, webhooks
):
    client.post("/channels/social/accounts", data=FORM)
    account = stored(app)
    client.post(f"/channels/social/accounts/{account.id}/disconnect")
    gone = stored(app)
    assert gone.disconnected_at is not None and gone.token_ciphertext == ""
    assert webhooks.x(recorded("x_direct_message")).json["ignored"] == 1
    with app.app_context():
        assert db.session.scalar(select(Ticket)) is None
    again = client.post("/channels/social/accounts", data=FORM, follow_redirects=True)
    assert b"is connected." in again.data and stored(app).disconnected_at is None


@pytest.mark.parametrize("role", ["agent_t2", "moderator", "member"])
def test_only_admins_see_the_accounts(app, client, factory, auth, role):
    auth.login(factory.user(role=role))
    assert client.get("/channels/social/accounts").status_code == 403
    assert client.post("/channels/social/accounts", data=FORM).status_code == 403
    assert stored(app) is None


def test_signed_out_visitors_are_sent_to_sign_in(client):
    assert client.get("/channels/social/accounts").status_code == 302
