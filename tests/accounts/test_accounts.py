"""Registration, sign-in, sign-out, password change and reset, through the real pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.accounts import services
from app.accounts.models import LoginSession, User
from app.extensions import db
from app.outbox import commit


def _reset_link(mailbox) -> str:
    message = mailbox.messages()[-1]
    match = re.search(r"http://help\.test(/account/reset/\S+)", message.get_content())
    assert match, message.get_content()
    return match.group(1)


def test_register_confirms_by_mail_signs_in_and_lands_home(client, app, mailbox):
    response = client.post(
        "/account/register",
        data={"email": "Ana@Example.com", "display_name": "Ana", "password": "a long enough pass"},
    )
    assert response.status_code == 200
    link = re.search(
        r"http://help\.test(/account/register/confirm/\S+)", mailbox.messages()[-1].get_content()
    )
    response = client.post(link.group(1))
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/account/").status_code == 200
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.email == "ana@example.com"
        assert user.role == "member"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"email": "x@example.com", "display_name": "X", "password": "short"},
            "password",
            "at least 12 characters",
        ),
        (
            {"email": "not-an-email", "display_name": "X", "password": "a long enough pass"},
            "email",
            "e-mail address like",
        ),
        (
            {"email": "x@example.com", "display_name": "", "password": "a long enough pass"},
            "display_name",
            "Enter a display name",
        ),
    ],
)
def test_register_errors_next_to_field(client, data, field, message):
    response = client.post("/account/register", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert message in html


def test_register_duplicate_email(app, client, factory, mailbox):
    factory.user(email="taken@example.com")
    response = client.post(
        "/account/register",
        data={"email": "TAKEN@example.com", "display_name": "Y", "password": "a long enough pass"},
    )
    # The page doesn't tell (see test_no_account_disclosure); the owner's mailbox does.
    assert response.status_code == 200
    assert "already has an account" in mailbox.messages()[-1].get_content()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_login_wrong_password_is_generic(client, factory):
    user = factory.user()
    response = client.post("/account/login", data={"email": user.email, "password": "wrong one!!"})
    assert response.status_code == 422
    assert "is not right" in response.get_data(as_text=True)
    unknown = client.post(
        "/account/login", data={"email": "nobody@example.com", "password": "wrong one!!"}
    )
    assert "is not right" in unknown.get_data(as_text=True)


def test_logout_invalidates_copied_cookie(app, factory):
    user = factory.user()
    first = app.test_client()
    first.post("/account/login", data={"email": user.email, "password": "correct horse battery"})
    cookie = first.get_cookie("session", domain="help.test").value
    copy = app.test_client()
    copy.set_cookie("session", cookie, domain="help.test")
    assert copy.get("/account/").status_code == 200
    first.post("/account/logout")
    assert first.get("/account/").status_code == 302
    # The copy still holds the old cookie, but its server-side session is gone.
    assert copy.get("/account/").status_code == 302


def test_change_password_ends_other_sessions(app, factory):
    user = factory.user()
    mine, other = app.test_client(), app.test_client()
    for c in (mine, other):
        c.post("/account/login", data={"email": user.email, "password": "correct horse battery"})
    response = mine.post(
        "/account/password",
        data={
            "current_password": "correct horse battery",
            "new_password": "a brand new passphrase",
        },
    )
    assert response.status_code == 302
    assert mine.get("/account/").status_code == 200
    assert other.get("/account/").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 1


def test_change_password_wrong_current(client, auth, factory):
    auth.login(factory.user())
    response = client.post(
        "/account/password",
        data={"current_password": "not my password", "new_password": "a brand new passphrase"},
    )
    assert response.status_code == 422
    assert 'id="current_password-error"' in response.get_data(as_text=True)


def test_password_reset_flow_single_use(client, factory, mailbox):
    user = factory.user()
    response = client.post("/account/reset", data={"email": user.email})
    assert response.status_code == 200
    link = _reset_link(mailbox)
    assert client.get(link).status_code == 200
    response = client.post(
        link, data={"password": "my new long password", "confirm": "my new long password"}
    )
    assert response.status_code == 302
    assert (
        client.post(
            "/account/login", data={"email": user.email, "password": "my new long password"}
        ).status_code
        == 302
    )
    # The link is spent.
    assert client.get(link).status_code == 410


def test_password_reset_unknown_email_sends_no_link(client, mailbox):
    response = client.post("/account/reset", data={"email": "nobody@example.com"})
    assert response.status_code == 200
    assert "If an account uses" in response.get_data(as_text=True)
    [message] = mailbox.messages()
    assert "no account uses it" in message.get_content()
    assert "/account/reset/" not in message.get_content()


def test_password_reset_link_expires_after_an_hour(app, factory, now):
    user = factory.user()
    with app.app_context():
        services.request_password_reset(user.email, now, lambda token: token)
        commit()
        message = app.extensions["mailer"].messages()[-1].get_content()
        token = message.split("\n\n")[2].strip()
        services.check_reset_token(token, now + timedelta(minutes=59))
        with pytest.raises(services.AccountError):
            services.check_reset_token(token, now + timedelta(hours=1))


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/wiki/", "/wiki/"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_redirects_only_to_this_site(client, factory, target, expected):
    user = factory.user()
    response = client.post(
        "/account/login",
        query_string={"next": target},
        data={"email": user.email, "password": "correct horse battery"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_suspended_user_cannot_sign_in(app, client, factory):
    user = factory.user()
    with app.app_context():
        db.session.get(User, user.id).is_suspended = True
        db.session.commit()
    response = client.post(
        "/account/login", data={"email": user.email, "password": "correct horse battery"}
    )
    assert response.status_code == 422
    assert "suspended" in response.get_data(as_text=True)
