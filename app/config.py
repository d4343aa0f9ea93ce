"""The site's own settings, and what ``create_app`` works out from them (the database URI, the
site address and trusted hosts, a development secret key). Loading and checking them is
:mod:`app.settings`; every number the support plan gives is a default and can be overridden."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.settings import ConfigError, Setting, at_least, one_of, rate_limits

__all__ = ["SETTINGS", "ConfigError", "configure_site", "database_uri", "ensure_secret_key"]


def _time_zone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"is not a time zone like Europe/Berlin, got {name!r}") from None


S = Setting
#: The site's own settings (each feature declares its own in ``app/<feature>/settings.py``).
SETTINGS = [
    S("HELPCENTER_ENV", "production", str,
      "`development` generates a secret key into `instance/`; `production` refuses to start "
      "without `SECRET_KEY`. `scripts/start` sets `development`.",
      one_of("production", "development", "testing"), env=True),
    S("SECRET_KEY", None, str, "Signs sessions and links. Required in production.", env=True,
      shown="none"),
    S("DATABASE_URL", "", str,
      "`postgresql://user:pass@host/db` switches to PostgreSQL (psycopg 3).", env=True,
      shown="SQLite in `instance/helpcenter.db`"),
    S("SQLALCHEMY_DATABASE_URI", "", str,
      "The SQLAlchemy URI itself; when set it wins over `DATABASE_URL`.",
      shown="from `DATABASE_URL`"),
    S("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True}, dict,
      "Passed to SQLAlchemy's `create_engine`."),
    S("PREFERRED_URL_SCHEME", "http", str, "`https` also makes cookies `Secure`.",
      one_of("http", "https"), env=True),
    S("SESSION_COOKIE_SECURE", False, bool, "Force `Secure` cookies.", env=True),
    S("SESSION_COOKIE_HTTPONLY", True, bool, "The session cookie is hidden from scripts."),
    S("SESSION_COOKIE_SAMESITE", "Lax", str, "`SameSite` of the session cookie."),
    S("REMEMBER_COOKIE_HTTPONLY", True, bool, "The remember-me cookie is hidden from scripts."),
    S("PERMANENT_SESSION_LIFETIME", 60 * 60 * 24 * 14, int,
      "Seconds a signed-in session lasts (14 days).", at_least(1)),
    S("WTF_CSRF_TIME_LIMIT", None, int,
      "Seconds a form's CSRF token is valid; empty: as long as the session.", at_least(1)),
    S("MAX_CONTENT_LENGTH", 16 * 1024 * 1024, int,
      "Largest request body in bytes (413 above it).", at_least(1)),
    S("SITE_URL", "", str,
      "The canonical address (`https://help.example.com`, a path prefix allowed). Every link "
      "in an e-mail is built from it, never from the request's `Host`. When only "
      "`SERVER_NAME` is set, `PREFERRED_URL_SCHEME://SERVER_NAME` is used.", env=True,
      shown="production: none (required); development: `http://127.0.0.1:$PORT`"),
    S("EXTRA_TRUSTED_HOSTS", [], list,
      "Comma-separated host names served besides `SITE_URL`'s (aliases). Any other `Host` "
      "header is answered 400 (Flask's `TRUSTED_HOSTS`, derived from these two; development "
      "also trusts `127.0.0.1` and `localhost`).", env=True),
    *(
        S(f"PROXY_FIX_{name}", 0, int,
          f"Behind a reverse proxy: how many proxies set `X-Forwarded-{header}`. Any "
          "`PROXY_FIX_*` above 0 applies Werkzeug's `ProxyFix`; leave them 0 without a proxy, "
          "or clients could forge their address.", at_least(0), env=True)
        for name, header in (("X_FOR", "For"), ("X_PROTO", "Proto"), ("X_HOST", "Host"),
                             ("X_PORT", "Port"), ("X_PREFIX", "Prefix"))
    ),
    S("SERVER_NAME", None, str, "Optional; pins routing to one host name.", env=True,
      shown="none"),
    S("RATELIMIT_ENABLED", True, bool,
      "Turn every rate limit off (tests do, except their own).", env=True),
    S("RATELIMIT_STORAGE_URI", "memory://", str,
      "Where rate-limit counters live; `redis://127.0.0.1:6379/0` with several processes or "
      "hosts.", env=True),
    S("RATELIMIT_HEADERS_ENABLED", True, bool, "Rate-limited answers say the limit in headers."),
    S("LOGIN_LIMIT_PER_IP", "20 per minute; 100 per hour", str,
      "Sign-in attempts per client address; also limits reset requests.", rate_limits),
    S("LOGIN_LIMIT_PER_ACCOUNT", "5 per minute; 30 per hour", str,
      "Sign-in attempts per account *from one client address* (see Security notes).",
      rate_limits),
    S("KB_VOTE_LIMIT_PER_IP", "30 per hour", str,
      "\"Was this helpful?\" answers per client address.", rate_limits),
    S("REGISTER_LIMIT_PER_IP", "5 per hour; 20 per day", str,
      "Registrations per client address (each mails a confirmation link).", rate_limits),
    S("REGISTRATION_CONFIRM_HOURS", 24, int,
      "Lifetime of the link that confirms a registration and creates the account.",
      at_least(1)),
    S("MAIL_BACKEND", "file", str,
      "`smtp` in production; `file` writes `.eml` files to `MAIL_FILE_DIR`.",
      one_of("file", "smtp"), env=True),
    S("MAIL_DEFAULT_SENDER", "GrowgrEbuddy Support <support@growgrebuddy.com>", str,
      "From address.", env=True),
    S("MAIL_SERVER", "localhost", str, "SMTP server.", env=True),
    S("MAIL_PORT", 25, int, "SMTP port.", at_least(1), env=True),
    S("MAIL_USE_TLS", False, bool, "SMTP with STARTTLS.", env=True),
    S("MAIL_USE_SSL", False, bool, "SMTP with implicit TLS.", env=True),
    S("MAIL_USERNAME", "", str, "SMTP user name.", env=True),
    S("MAIL_PASSWORD", "", str, "SMTP password.", env=True),
    S("MAIL_FILE_DIR", "", str, "Where the `file` mail backend writes.", env=True,
      shown="`instance/mail`"),
    S("CACHE_REDIS_URL", "", str,
      "`redis://127.0.0.1:6379/1` keeps the anonymous page cache, its content version and the "
      "page-view counters in Redis, shared by every process and host; empty: in each process.",
      env=True),
    S("PAGE_CACHE_ENABLED", True, bool,
      "Serve anonymous readers whole cached pages (see docs/deploy.md, \"Anonymous page "
      "cache\"); the test suite turns it off except in its own tests.", env=True),
    S("PAGE_CACHE_SECONDS", 300, int,
      "Longest life of a cached page; any change readers see makes it stale at once.",
      at_least(1)),
    S("TALLY_FLUSH_SECONDS", 5.0, float,
      "How often page-view and search counts are written to the database.", at_least(0)),
    S("MAIL_TIMEOUT", 15.0, float,
      "Seconds each SMTP network wait may take in `outbox drain`.", at_least(0), env=True),
    S("OUTBOX_INLINE_SECONDS", 0.5, float,
      "Seconds, in all, a request may spend sending the mail it recorded itself, after its "
      "commit. A slow or silent mail server never holds a page longer; what is not sent is "
      "left to `outbox drain`.", at_least(0)),
    S("OUTBOX_MAX_ATTEMPTS", 10, int,
      "Failed deliveries (backing off from 1 minute to 1 hour) after which an event is parked.",
      at_least(1)),
    S("PASSWORD_MIN_LENGTH", 12, int, "Minimum password length; no composition rules.",
      at_least(1)),
    S("PASSWORD_HASH_METHOD", "scrypt", str,
      "Werkzeug's password hashing method (`scrypt`; tests use a fast `pbkdf2`)."),
    S("PASSWORD_RESET_HOURS", 1, int,
      "Lifetime of a reset link (single use; any password change spends every older link).",
      at_least(1)),
    S("SUPPORT_TIMEZONE", "Europe/Berlin", str,
      "Business hours, SLA clocks and dates on pages.", _time_zone, env=True),
    S("CONTENT_DIR", "", str, "Official knowledge-base Markdown.", env=True,
      shown="`content/`"),
    S("SEARCH_BACKEND", "whoosh", str,
      "`postgres` for PostgreSQL full text, shared by several hosts.",
      one_of("whoosh", "postgres"), env=True),
    S("SEARCH_INDEX_DIR", "", str,
      "The Whoosh index (derived; rebuilt by `flask search rebuild`).", env=True,
      shown="`search_index/`"),
    S("SITE_ANNOUNCEMENT", "", str, "A site-wide banner text.", env=True),
    S("VIDEO_EMBED_HOSTS", [], list, "Hosts allowed in video embeds (also the CSP `frame-src`)."),
    S("MARKUP_IMAGE_HOSTS", [], list,
      "Hosts whose `https` images may show in articles, wiki pages, posts and tickets (also "
      "the CSP `img-src`). Empty: only the site's own (relative) images; any other image "
      "becomes a link to it, so a tracking pixel in a ticket or post can't call out from a "
      "reader's browser. Run `flask markup rerender` after changing it.", env=True),
    S("KB_FEATURED_ARTICLES", [
        "reminders-not-arriving", "change-or-reset-your-password", "cant-sign-in",
        "sync-not-working-between-devices", "restore-purchases", "add-your-first-plant",
      ], list,
      "Article slugs shown as \"Popular articles\" until there are real view counts.",
      shown="six starter guides"),
    S("KB_POPULAR_MIN_VIEWS", 50, int,
      "Views (all articles, 30 days) from which \"Popular articles\" follows the counts.",
      at_least(0)),
]  # fmt: skip


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
