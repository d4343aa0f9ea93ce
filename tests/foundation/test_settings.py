"""One settings schema: declared once, loaded defaults → instance/config.py → environment → test
dict, each value converted and checked at start-up, and the README's tables generated from it."""

from __future__ import annotations

import pytest

from app import create_app, settings
from app.settings import ConfigError


@pytest.fixture
def make_app(database_url, tmp_path, monkeypatch):
    """``create_app`` with the test configuration, ``overrides`` and a clean environment."""
    for name in list(settings.os.environ):
        if name.startswith("HELPCENTER_"):
            monkeypatch.delenv(name)

    def make(environ: dict | None = None, **overrides):
        for name, value in (environ or {}).items():
            monkeypatch.setenv(name, value)
        config = {
            "TESTING": True,
            "HELPCENTER_ENV": "testing",
            "SECRET_KEY": "x",
            "DATABASE_URL": database_url,
            "MAIL_FILE_DIR": str(tmp_path / "mail"),
            "SEARCH_INDEX_DIR": str(tmp_path / "index"),
        }
        return create_app({**config, **overrides})

    return make


def test_every_key_is_declared_once_with_a_description():
    declared = settings.declared()
    keys = [setting.key for setting in declared]
    assert len(keys) == len(set(keys))
    assert keys.count("API_CORS_ORIGINS") == 1
    assert all(setting.description.strip() for setting in declared)


def test_the_readme_tables_are_generated_from_the_declarations():
    text = settings.README.read_text()
    assert settings.readme_text(text) == text, "run `python -m app.settings` and commit README.md"


def test_environment_plain_names_and_prefixed_json(make_app):
    app = make_app(
        {
            "MAIL_PORT": "2525",
            "RATELIMIT_ENABLED": "false",
            "API_CORS_ORIGINS": "https://a.example, https://b.example",
            "HELPCENTER_SLA_FIRST_RESPONSE_MINUTES": '{"high": 120}',
            "HELPCENTER_SEARCH_PER_PAGE": "25",
            "HELPCENTER_SITE_ANNOUNCEMENT": "Maintenance tonight",
        }
    )
    assert app.config["MAIL_PORT"] == 2525
    assert app.config["RATELIMIT_ENABLED"] is False
    assert app.config["API_CORS_ORIGINS"] == ["https://a.example", "https://b.example"]
    assert app.config["SLA_FIRST_RESPONSE_MINUTES"] == {"high": 120}
    assert app.config["SEARCH_PER_PAGE"] == 25
    assert app.config["SITE_ANNOUNCEMENT"] == "Maintenance tonight"
    assert "ENV" not in app.config


def test_the_test_dict_wins_over_the_environment(make_app):
    app = make_app({"HELPCENTER_SEARCH_PER_PAGE": "25"}, SEARCH_PER_PAGE=7)
    assert app.config["SEARCH_PER_PAGE"] == 7


def test_an_explicit_database_uri_is_kept(make_app, database_url):
    app = make_app(DATABASE_URL="", SQLALCHEMY_DATABASE_URI=database_url)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == database_url


@pytest.mark.parametrize(
    ("environ", "overrides", "key"),
    [
        ({"HELPCENTER_SEARCH_PER_PAGE": "many"}, {}, "SEARCH_PER_PAGE"),
        ({"MAIL_PORT": "smtp"}, {}, "MAIL_PORT"),
        ({}, {"RATELIMIT_ENABLED": "perhaps"}, "RATELIMIT_ENABLED"),
        ({}, {"SEARCH_LOG_LIMIT_PER_CLIENT": "lots"}, "SEARCH_LOG_LIMIT_PER_CLIENT"),
        ({}, {"FORUM_POSTS_PER_PAGE": 0}, "FORUM_POSTS_PER_PAGE"),
        ({}, {"API_MAX_BODY_BYTES": "16k"}, "API_MAX_BODY_BYTES"),
        ({}, {"SUPPORT_TIMEZONE": "Mars/Olympus"}, "SUPPORT_TIMEZONE"),
        ({}, {"WIKI_NEW_ACCOUNT_DAYS": -1}, "WIKI_NEW_ACCOUNT_DAYS"),
        ({}, {"TICKET_TICK_BATCH": "lots"}, "TICKET_TICK_BATCH"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_key(make_app, environ, overrides, key):
    with pytest.raises(ConfigError) as caught:
        make_app(environ, **overrides)
    assert caught.value.key == key and caught.value.reason


def test_values_are_converted_once_at_start_up(make_app):
    app = make_app(MAIL_TIMEOUT=15, FORUM_FLAG_HIDE_WEIGHT=5, PROXY_FIX_X_FOR="1")
    assert app.config["MAIL_TIMEOUT"] == 15.0 and isinstance(app.config["MAIL_TIMEOUT"], float)
    assert isinstance(app.config["FORUM_FLAG_HIDE_WEIGHT"], float)
    assert app.config["PROXY_FIX_X_FOR"] == 1
