"""Configuration: defaults, then ``instance/config.py``, then environment variables, then the
test dict. Every number the support plan gives is a default here and can be overridden."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

#: Environment variables read as configuration, with the parser for each.
ENVIRONMENT_KEYS: dict[str, type] = {
    "SECRET_KEY": str,
    "DATABASE_URL": str,
    "HELPCENTER_ENV": str,
    "SERVER_NAME": str,
    "PREFERRED_URL_SCHEME": str,
    "SEARCH_BACKEND": str,
    "SEARCH_INDEX_DIR": str,
    "RATELIMIT_STORAGE_URI": str,
    "RATELIMIT_ENABLED": bool,
    "CACHE_REDIS_URL": str,
    "PAGE_CACHE_ENABLED": bool,
    "MAIL_BACKEND": str,
    "MAIL_DEFAULT_SENDER": str,
    "MAIL_SERVER": str,
    "MAIL_PORT": int,
    "MAIL_USE_TLS": bool,
    "MAIL_USE_SSL": bool,
    "MAIL_USERNAME": str,
    "MAIL_PASSWORD": str,
    "MAIL_FILE_DIR": str,
    "SESSION_COOKIE_SECURE": bool,
    "SUPPORT_TIMEZONE": str,
    "CONTENT_DIR": str,
    "API_CORS_ORIGINS": list,
    "SITE_ANNOUNCEMENT": str,
}


class DefaultConfig:
    """Defaults for a development machine: SQLite in ``instance/``, Whoosh in ``search_index/``."""

    #: ``development`` generates a secret key; ``production`` refuses to start without one.
    HELPCENTER_ENV = "production"
    SECRET_KEY: str | None = None
    #: Empty means SQLite in the instance folder.
    DATABASE_URL = ""
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 24 * 14
    WTF_CSRF_TIME_LIMIT = None
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024

    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    #: Login attempts allowed per client address and per account.
    LOGIN_LIMIT_PER_IP = "20 per minute; 100 per hour"
    LOGIN_LIMIT_PER_ACCOUNT = "5 per minute; 30 per hour"
    #: "Was this helpful?" answers per client address (beside one vote per person per article).
    KB_VOTE_LIMIT_PER_IP = "30 per hour"

    MAIL_BACKEND = "file"  # "smtp" in production
    MAIL_DEFAULT_SENDER = "GrowgrEbuddy Support <support@growgrebuddy.com>"
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    MAIL_FILE_DIR = ""  # empty: instance/mail

    PASSWORD_MIN_LENGTH = 12
    PASSWORD_RESET_HOURS = 1

    CONTENT_DIR = ""  # empty: content/ beside the app package
    SEARCH_BACKEND = "whoosh"  # or "postgres"
    SEARCH_INDEX_DIR = ""  # empty: search_index/ beside the app package
    SUPPORT_TIMEZONE = "Europe/Berlin"
    API_CORS_ORIGINS: list[str] = []
    SITE_ANNOUNCEMENT = ""
    #: Hosts allowed in video embeds (iframe src); the CSP frame-src follows this list.
    VIDEO_EMBED_HOSTS: list[str] = []


def _parse(kind: type, raw: str):
    if kind is bool:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if kind is int:
        return int(raw)
    if kind is list:
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw


def from_environment(environ: dict[str, str] | None = None) -> dict:
    """Read the known configuration keys from the environment.

    ``HELPCENTER_<KEY>`` holding JSON may set any other key (for example rule numbers).
    """
    environ = dict(os.environ if environ is None else environ)
    found: dict = {}
    for key, kind in ENVIRONMENT_KEYS.items():
        if key in environ and environ[key] != "":
            found[key] = _parse(kind, environ[key])
    for name, raw in environ.items():
        if name.startswith("HELPCENTER_") and name != "HELPCENTER_ENV":
            try:
                found[name.removeprefix("HELPCENTER_")] = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise RuntimeError(f"{name} must hold JSON: {exc}") from exc
    return found


def database_uri(url: str, instance_path: str) -> str:
    """Turn ``DATABASE_URL`` into a SQLAlchemy URI (psycopg 3 for PostgreSQL)."""
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "helpcenter.db")
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def ensure_secret_key(config: dict, instance_path: str) -> None:
    """Give development a generated key kept in ``instance/``; refuse to run production without one.

    :raises RuntimeError: in production when ``SECRET_KEY`` is not configured.
    """
    if config.get("SECRET_KEY"):
        return
    if config.get("HELPCENTER_ENV") not in {"development", "testing"}:
        raise RuntimeError(
            "SECRET_KEY is not configured. Set the SECRET_KEY environment variable (for example "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`) or put it in "
            "instance/config.py. For a local development server set HELPCENTER_ENV=development."
        )
    key_file = Path(instance_path) / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    config["SECRET_KEY"] = key_file.read_text().strip()
