"""Registration and password reset never tell whether an address has an account: the same
page and the same work (a password hash, one e-mail) on both paths; only the mailbox's owner
learns which it was. Registration is limited per client address."""

from __future__ import annotations

import re
import statistics
import time

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.extensions import db
from app.outbox import OutboxEvent

PASSWORD = "a long enough pass"


def _register(client, email: str, name: str = "Ana"):
    return client.post(
        "/account/register", data={"email": email, "display_name": name, "password": PASSWORD}
    )


def _page(response) -> str:
    """The page without what legitimately differs per request (CSRF tokens, the address)."""
    html = response.get_data(as_text=True)
    return re.sub(r'name="csrf_token"[^>]*>', "", html)


def _confirm_link(mailbox, address: str) -> str:
    message = [m for m in mailbox.messages() if m["To"] == address][-1]
    match = re.search(r"http://help\.test(/account/register/confirm/\S+)", message.get_content())
    assert match, message.get_content()
    return match.group(1)


def test_registration_answers_alike_for_new_and_taken_addresses(client, factory, mailbox, app):
    factory.user(email="taken@example.com")
    new = _register(client, "new@example.com")
    taken = _register(client, "TAKEN@example.com")
    assert new.status_code == taken.status_code == 200
    assert _page(new).replace("new@example.com", "X") == _page(taken).replace(
        "TAKEN@example.com", "X"
    )
    assert "Check your e-mail" in _page(new)
    # Nobody is signed in by either answer.
    assert client.get("/account/").status_code == 302
    messages = {m["To"]: m.get_content() for m in mailbox.messages()}
    assert "/account/register/confirm/" in messages["new@example.com"]
    assert "already has an account" in messages["taken@example.com"]
    assert "/account/reset" in messages["taken@example.com"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_the_confirmation_link_creates_the_account_and_signs_in(client, mailbox, app):
    _register(client, "Ana@Example.com")
    link = _confirm_link(mailbox, "ana@example.com")
    # Opening the link (a mail scanner may) changes nothing; the button does.
    assert client.get(link).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
    response = client.post(link)
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.email, user.display_name, user.role) == ("ana@example.com", "Ana", "member")
    client.post("/account/logout")
    signed_in = client.post(
        "/account/login", data={"email": "ana@example.com", "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    # Spent: a second use creates nothing and says so.
    assert client.post(link).status_code == 410


def test_a_second_registration_for_a_pending_address_is_harmless(client, mailbox, app):
    _register(client, "ana@example.com", "Ana")
    first = _confirm_link(mailbox, "ana@example.com")
    _register(client, "ana@example.com", "Impostor")
    second = _confirm_link(mailbox, "ana@example.com")
    assert client.post(second).status_code == 302
    client.post("/account/logout")
    assert client.post(first).status_code == 410
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_reset_answers_alike_and_mails_either_way(client, factory, mailbox):
    factory.user(email="known@example.com")
    known = client.post("/account/reset", data={"email": "known@example.com"})
    unknown = client.post("/account/reset", data={"email": "unknown@example.com"})
    assert known.status_code == unknown.status_code == 200
    assert _page(known).replace("known@", "X@") == _page(unknown).replace("unknown@", "X@")
    messages = {m["To"]: m.get_content() for m in mailbox.messages()}
    assert "/account/reset/" in messages["known@example.com"]
    assert "no account" in messages["unknown@example.com"]
    assert "/account/reset/" not in messages["unknown@example.com"]


class TestSameWork:
    """A slow password hash makes any path that skips it stand out in the work done.

    Measured as this thread's CPU time (the test client runs the request here), not wall
    time: an attacker sees wall time, but wall time on a shared machine measures its load; the
    CPU a request costs is what differs when one path skips the hash."""

    @pytest.fixture
    def app_config(self):
        return {"PASSWORD_HASH_METHOD": "pbkdf2:sha256:200000"}

    @staticmethod
    def _median(post, rounds: int = 7) -> float:
        times = []
        for n in range(rounds):
            started = time.thread_time()
            post(n)
            times.append(time.thread_time() - started)
        return statistics.median(times)

    def test_registration_takes_as_long_for_a_taken_address(self, app, client, factory):
        factory.user(email="taken@example.com")
        taken = self._median(lambda n: _register(client, "taken@example.com"))
        new = self._median(lambda n: _register(client, f"new{n}@example.com"))
        assert 0.6 < taken / new < 1.6, (taken, new)
        with app.app_context():
            kinds = db.session.scalars(select(OutboxEvent.kind)).all()
            assert kinds == ["mail"] * 14

    def test_reset_takes_as_long_for_an_unknown_address(self, app, client, factory):
        factory.user(email="known@example.com")
        known = self._median(
            lambda n: client.post("/account/reset", data={"email": "known@example.com"})
        )
        unknown = self._median(
            lambda n: client.post("/account/reset", data={"email": f"nobody{n}@example.com"})
        )
        assert 0.6 < known / unknown < 1.6, (known, unknown)


class TestRegistrationLimit:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "REGISTER_LIMIT_PER_IP": "3 per hour"}

    def test_per_client_address(self, app):
        one, other = app.test_client(), app.test_client()
        one.environ_base["REMOTE_ADDR"] = "203.0.113.5"
        other.environ_base["REMOTE_ADDR"] = "203.0.113.6"
        statuses = [_register(one, f"bulk{n}@example.com").status_code for n in range(4)]
        assert statuses == [200, 200, 200, 429]
        assert _register(other, "fresh@example.com").status_code == 200
        # Showing the form is not limited.
        assert one.get("/account/register").status_code == 200
