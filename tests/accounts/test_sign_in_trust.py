"""Sign-in and reset hold for every address the site itself creates, old reset links die, and a
stranger's wrong passwords never lock the owner out."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.accounts import services
from app.accounts.models import User
from app.extensions import db
from app.outbox import commit


def _reset_link(mailbox, address: str) -> str:
    message = [m for m in mailbox.messages() if m["To"] == address][-1]
    match = re.search(r"http://help\.test(/account/reset/\S+)", message.get_content())
    assert match, message.get_content()
    return match.group(1)


@pytest.mark.parametrize(
    "address", ["admin@growgrebuddy.local", "agent@support.test", "ops@help.localhost"]
)
def test_cli_account_on_special_use_domain_can_sign_in_and_reset(client, runner, mailbox, address):
    created = runner.invoke(args=["users", "create", "--email", address, "--name", "Ops"])
    assert created.exit_code == 0, created.output
    password = re.search(r"Password: (\S+)", created.output).group(1)
    signed_in = client.post("/account/login", data={"email": address, "password": password})
    assert signed_in.status_code == 302, signed_in.get_data(as_text=True)
    client.post("/account/logout")
    asked = client.post("/account/reset", data={"email": address})
    assert asked.status_code == 200
    link = _reset_link(mailbox, address)
    new = "a fresh long passphrase"
    assert client.post(link, data={"password": new, "confirm": new}).status_code == 302
    assert (
        client.post("/account/login", data={"email": address, "password": new}).status_code == 302
    )


def test_first_admin_printed_by_bootstrap_can_sign_in(client, runner):
    output = runner.invoke(args=["users", "bootstrap-admin"]).output
    assert "Sign in at http://help.test/account/login with" in output
    email = re.search(r"e-mail:\s+(\S+)", output).group(1)
    password = re.search(r"password:\s+(\S+)", output).group(1)
    response = client.post("/account/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.mark.parametrize(
    "address", ["not-an-email", "a@b", "two@@example.com", "sp ace@example.com"]
)
def test_one_email_rule_refuses_the_same_addresses_everywhere(client, runner, address):
    """What the forms refuse, the CLI refuses too, with the same message."""
    cli = runner.invoke(args=["users", "create", "--email", address, "--name", "X"])
    assert cli.exit_code != 0 and "e-mail address like" in cli.output
    for path, data in (
        ("/account/register", {"email": address, "display_name": "X", "password": "x" * 14}),
        ("/account/login", {"email": address, "password": "x" * 14}),
        ("/account/reset", {"email": address}),
    ):
        response = client.post(path, data=data)
        assert response.status_code == 422, path
        assert "e-mail address like" in response.get_data(as_text=True), path


class TestOldResetLinks:
    def test_older_link_dies_when_a_newer_one_is_used(self, client, factory, mailbox):
        user = factory.user()
        client.post("/account/reset", data={"email": user.email})
        older = _reset_link(mailbox, user.email)
        client.post("/account/reset", data={"email": user.email})
        newer = _reset_link(mailbox, user.email)
        assert older != newer
        new = "the newest long passphrase"
        assert client.post(newer, data={"password": new, "confirm": new}).status_code == 302
        assert client.get(older).status_code == 410
        other = "an attacker's passphrase"
        assert client.post(older, data={"password": other, "confirm": other}).status_code == 410
        assert (
            client.post("/account/login", data={"email": user.email, "password": new}).status_code
            == 302
        )

    def test_link_dies_when_the_password_is_changed(self, app, client, auth, factory, mailbox):
        user = factory.user()
        client.post("/account/reset", data={"email": user.email})
        link = _reset_link(mailbox, user.email)
        auth.login(user)
        changed = client.post(
            "/account/password",
            data={
                "current_password": "correct horse battery",
                "new_password": "a brand new passphrase",
            },
        )
        assert changed.status_code == 302
        auth.logout()
        assert client.get(link).status_code == 410

    def test_link_dies_when_the_password_is_set_elsewhere(self, app, client, factory, mailbox, now):
        user = factory.user()
        client.post("/account/reset", data={"email": user.email})
        link = _reset_link(mailbox, user.email)
        with app.app_context():
            services.set_password(db.session.get(User, user.id), "set by support staff", now)
            commit()
        assert client.get(link).status_code == 410


class TestThrottledAccountOwner:
    """Five wrong passwords from one client slow down that client, not the account's owner."""

    @pytest.fixture
    def app_config(self):
        return {
            "RATELIMIT_ENABLED": True,
            "LOGIN_LIMIT_PER_ACCOUNT": "5 per minute",
            "LOGIN_LIMIT_PER_IP": "20 per minute",
        }

    def test_owner_signs_in_from_another_client(self, app, factory):
        user = factory.user()
        attacker = app.test_client()
        attacker.environ_base["REMOTE_ADDR"] = "203.0.113.7"
        for _ in range(5):
            wrong = attacker.post(
                "/account/login", data={"email": user.email, "password": "guess!!"}
            )
            assert wrong.status_code == 422
        blocked = attacker.post(
            "/account/login", data={"email": user.email, "password": "another guess"}
        )
        assert blocked.status_code == 429
        owner = app.test_client()
        owner.environ_base["REMOTE_ADDR"] = "198.51.100.20"
        response = owner.post(
            "/account/login", data={"email": user.email, "password": "correct horse battery"}
        )
        assert response.status_code == 302

    def test_a_client_cycling_through_accounts_still_hits_its_own_limit(self, app, factory):
        attacker = app.test_client()
        attacker.environ_base["REMOTE_ADDR"] = "203.0.113.8"
        statuses = [
            attacker.post(
                "/account/login", data={"email": f"u{n}@example.com", "password": "guess!!"}
            ).status_code
            for n in range(21)
        ]
        assert statuses == [422] * 20 + [429]


def test_users_are_stored_with_the_normalised_address(app, runner):
    runner.invoke(args=["users", "create", "--email", "  Mixed@Example.COM ", "--name", "M"])
    with app.app_context():
        assert db.session.scalar(select(User.email)) == "mixed@example.com"
