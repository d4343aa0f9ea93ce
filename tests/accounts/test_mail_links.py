"""Links in e-mail come from the configured canonical address (``SITE_URL``), never from the
request's Host; requests for hosts the site does not serve are refused."""

from __future__ import annotations

import re

import pytest

from app import create_app
from app.config import configure_site
from app.forum.follows import _link as forum_link
from app.mail import site_link
from app.tickets.sla.clock import ticket_link
from app.wiki.watching import site_url as wiki_site_url

SITE = "https://help.example.com"


@pytest.fixture
def app_config():
    return {"SERVER_NAME": None, "SITE_URL": SITE, "EXTRA_TRUSTED_HOSTS": ["alias.example.com"]}


def test_reset_requested_through_another_host_mails_the_canonical_link(client, factory, mailbox):
    user = factory.user()
    response = client.post(
        "/account/reset", data={"email": user.email}, headers={"Host": "alias.example.com"}
    )
    assert response.status_code == 200
    body = mailbox.messages()[-1].get_content()
    assert re.search(r"https://help\.example\.com/account/reset/\S+", body), body
    assert "alias.example.com" not in body


def test_a_poisoned_host_is_refused_and_mails_nothing(client, factory, mailbox):
    user = factory.user()
    for host in ("evil.example", "help.example.com.evil.example", "evil.example:443"):
        response = client.post("/account/reset", data={"email": user.email}, headers={"Host": host})
        assert response.status_code == 400, host
    assert mailbox.messages() == []


def test_every_mail_link_builder_uses_the_site_url_inside_a_request(app):
    with app.test_request_context("/", base_url="http://alias.example.com"):
        links = [
            site_link("accounts.reset_password", token="t"),
            forum_link("forum.thread", thread_id=7, _anchor="post-9"),
            ticket_link(3, agent=True),
            wiki_site_url("/wiki/watering"),
        ]
    assert links == [
        f"{SITE}/account/reset/t",
        f"{SITE}/community/t/7#post-9",
        f"{SITE}/requests/3/work",
        f"{SITE}/wiki/watering",
    ]


def test_mail_links_outside_a_request_need_no_server_name(app):
    """The drain, the ticket timer and CLI commands build mail with no request at all."""
    with app.app_context():
        assert wiki_site_url("/wiki/watering") == f"{SITE}/wiki/watering"
        assert ticket_link(3) == f"{SITE}/requests/3"
        assert forum_link("forum.thread", thread_id=7).startswith(f"{SITE}/community/")


def test_site_url_with_a_path_prefix(app):
    app.config["SITE_URL"] = "https://example.com/help/"
    with app.app_context():
        assert site_link("accounts.login") == "https://example.com/help/account/login"


class TestConfiguration:
    def test_production_refuses_to_start_without_a_site_url(self, tmp_path):
        with pytest.raises(RuntimeError, match="SITE_URL"):
            configure_site({"HELPCENTER_ENV": "production", "SITE_URL": ""}, {})

    @pytest.mark.parametrize("bad", ["help.example.com", "ftp://help.example.com", "https://"])
    def test_a_malformed_site_url_is_refused(self, bad):
        with pytest.raises(RuntimeError, match="SITE_URL"):
            configure_site({"HELPCENTER_ENV": "production", "SITE_URL": bad}, {})

    def test_development_derives_it_from_the_port(self):
        config = {"HELPCENTER_ENV": "development", "SITE_URL": ""}
        configure_site(config, {"PORT": "5123"})
        assert config["SITE_URL"] == "http://127.0.0.1:5123"
        assert {"127.0.0.1", "localhost"} <= set(config["TRUSTED_HOSTS"])

    def test_production_trusts_the_site_host_and_the_extras(self):
        config = {
            "HELPCENTER_ENV": "production",
            "SITE_URL": "https://help.example.com/",
            "EXTRA_TRUSTED_HOSTS": ["www.help.example.com"],
        }
        configure_site(config, {})
        assert config["SITE_URL"] == "https://help.example.com"
        assert config["TRUSTED_HOSTS"] == ["help.example.com", "www.help.example.com"]


class TestBehindAProxy:
    @pytest.fixture
    def app_config(self):
        return {
            "SERVER_NAME": None,
            "SITE_URL": SITE,
            "PROXY_FIX_X_FOR": 1,
            "PROXY_FIX_X_PROTO": 1,
            "RATELIMIT_ENABLED": True,
            "LOGIN_LIMIT_PER_IP": "2 per minute",
        }

    def test_client_address_comes_from_the_proxy_header(self, client):
        def attempt(forwarded: str) -> int:
            return client.post(
                "/account/login",
                data={"email": "x@example.com", "password": "wrong password"},
                headers={"Host": "help.example.com", "X-Forwarded-For": forwarded},
            ).status_code

        assert [attempt("203.0.113.1") for _ in range(3)] == [422, 422, 429]
        assert attempt("203.0.113.2") == 422

    def test_without_the_setting_the_header_is_ignored(self, tmp_path, database_url):
        app = create_app(
            {
                "HELPCENTER_ENV": "testing",
                "SECRET_KEY": "x",
                "DATABASE_URL": database_url,
                "SITE_URL": SITE,
            }
        )
        assert app.wsgi_app.__class__.__name__ != "ProxyFix"
