"""Configuration: defaults, then ``instance/config.py``, then environment variables, then the
test dict. Every number the support plan gives is a default here and can be overridden."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

#: Environment variables read as configuration, with the parser for each.
ENVIRONMENT_KEYS: dict[str, type] = {
    "SECRET_KEY": str,
    "DATABASE_URL": str,
    "HELPCENTER_ENV": str,
    "SITE_URL": str,
    "EXTRA_TRUSTED_HOSTS": list,
    "PROXY_FIX_X_FOR": int,
    "PROXY_FIX_X_PROTO": int,
    "PROXY_FIX_X_HOST": int,
    "PROXY_FIX_X_PORT": int,
    "PROXY_FIX_X_PREFIX": int,
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
    "MAIL_TIMEOUT": float,
    "SESSION_COOKIE_SECURE": bool,
    "SUPPORT_TIMEZONE": str,
    "CONTENT_DIR": str,
    "API_CORS_ORIGINS": list,
    "MARKUP_IMAGE_HOSTS": list,
    "SITE_ANNOUNCEMENT": str,
}


class ConfigError(RuntimeError):
    """A setting that would make the application fail later; raised while it starts.

    The message names the key and says what is wrong, so the fix is obvious from the log.
    """

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"Configuration {key}: {reason}")
        self.key = key
        self.reason = reason


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

    #: The canonical address of the site (``https://help.example.com``): every link in an
    #: e-mail is built from it, never from the request's Host. Required in production;
    #: development derives ``http://127.0.0.1:$PORT``.
    SITE_URL = ""
    #: Host names served besides SITE_URL's (aliases); any other Host header is refused (400).
    EXTRA_TRUSTED_HOSTS: list[str] = []
    #: Behind a reverse proxy: how many proxies set each X-Forwarded-* header (0 = don't trust
    #: it). Werkzeug's ProxyFix is applied when any is above 0.
    PROXY_FIX_X_FOR = 0
    PROXY_FIX_X_PROTO = 0
    PROXY_FIX_X_HOST = 0
    PROXY_FIX_X_PORT = 0
    PROXY_FIX_X_PREFIX = 0

    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    #: Login attempts allowed per client address and per account.
    LOGIN_LIMIT_PER_IP = "20 per minute; 100 per hour"
    LOGIN_LIMIT_PER_ACCOUNT = "5 per minute; 30 per hour"
    #: "Was this helpful?" answers per client address (beside one vote per person per article).
    KB_VOTE_LIMIT_PER_IP = "30 per hour"
    #: Registrations (each mails a confirmation link) allowed per client address.
    REGISTER_LIMIT_PER_IP = "5 per hour; 20 per day"

    MAIL_BACKEND = "file"  # "smtp" in production
    MAIL_DEFAULT_SENDER = "GrowgrEbuddy Support <support@growgrebuddy.com>"
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    MAIL_FILE_DIR = ""  # empty: instance/mail
    #: Seconds each SMTP network wait may take in the drain.
    MAIL_TIMEOUT = 15
    #: Seconds a request may spend, in all, delivering its own mail after its commit; what is
    #: not sent by then (a slow or silent server) is left to ``flask outbox drain``.
    OUTBOX_INLINE_SECONDS = 0.5
    #: Failures after which an event is parked (kept with its error, no longer retried).
    OUTBOX_MAX_ATTEMPTS = 10

    PASSWORD_MIN_LENGTH = 12
    PASSWORD_RESET_HOURS = 1
    #: How long the link that confirms a registration works.
    REGISTRATION_CONFIRM_HOURS = 24

    CONTENT_DIR = ""  # empty: content/ beside the app package
    SEARCH_BACKEND = "whoosh"  # or "postgres"
    SEARCH_INDEX_DIR = ""  # empty: search_index/ beside the app package
    SUPPORT_TIMEZONE = "Europe/Berlin"
    API_CORS_ORIGINS: list[str] = []
    SITE_ANNOUNCEMENT = ""
    #: Hosts allowed in video embeds (iframe src); the CSP frame-src follows this list.
    VIDEO_EMBED_HOSTS: list[str] = []
    #: "Popular articles" on the home page shows these (article slugs, in order) until the
    #: articles have had ``KB_POPULAR_MIN_VIEWS`` views in the last 30 days together: on a
    #: fresh install view counts say nothing yet.
    KB_FEATURED_ARTICLES: list[str] = [
        "reminders-not-arriving", "change-or-reset-your-password", "cant-sign-in",
        "sync-not-working-between-devices", "restore-purchases", "add-your-first-plant",
    ]  # fmt: skip
    KB_POPULAR_MIN_VIEWS = 50
    #: Hosts whose https images may show in content (user and official); any other image
    #: becomes a link to it. Empty: only the site's own images. The CSP img-src follows this.
    MARKUP_IMAGE_HOSTS: list[str] = []


def _parse(kind: type, raw: str):
    if kind is bool:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if kind is int:
        return int(raw)
    if kind is float:
        return float(raw)
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


#: Names a development machine is reached by, trusted besides SITE_URL's host.
_LOCAL_HOSTS = ["127.0.0.1", "localhost", "::1"]


def configure_site(config: dict, environ: dict[str, str] | None = None) -> None:
    """Settle ``SITE_URL`` (no trailing slash) and ``TRUSTED_HOSTS``.

    ``SITE_URL`` falls back to ``PREFERRED_URL_SCHEME://SERVER_NAME`` when only that is set,
    and on a development or test machine to ``http://127.0.0.1:$PORT``. ``TRUSTED_HOSTS``
    (Flask refuses any other Host with 400) is SITE_URL's host plus ``EXTRA_TRUSTED_HOSTS``,
    plus the loopback names in development; a ``TRUSTED_HOSTS`` set explicitly is kept.

    :raises RuntimeError: production without a site URL, or one that isn't ``http(s)://host``.
    """
    environ = os.environ if environ is None else environ
    local = config.get("HELPCENTER_ENV") in {"development", "testing"}
    url = (config.get("SITE_URL") or "").strip()
    if not url and config.get("SERVER_NAME"):
        url = f"{config.get('PREFERRED_URL_SCHEME') or 'http'}://{config['SERVER_NAME']}"
    if not url and local:
        url = f"http://127.0.0.1:{environ.get('PORT') or 5000}"
    if not url:
        raise RuntimeError(
            "SITE_URL is not configured. Set it to the address people use to reach the help "
            "center (for example SITE_URL=https://help.example.com): links in e-mails are "
            "built from it, never from the request's Host header."
        )
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise RuntimeError(f"SITE_URL must look like https://help.example.com, not {url!r}.")
    config["SITE_URL"] = url.rstrip("/")
    if config.get("TRUSTED_HOSTS") is None:
        hosts = [parts.hostname, *(config.get("EXTRA_TRUSTED_HOSTS") or [])]
        if local:
            hosts += _LOCAL_HOSTS
            if config.get("SERVER_NAME"):
                hosts.append(config["SERVER_NAME"].split(":")[0])
        config["TRUSTED_HOSTS"] = list(dict.fromkeys(hosts))


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
