"""The GrowgrEbuddy Help Center application factory."""

from __future__ import annotations

import importlib
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import request

from app.application import HelpCenterFlask
from app.request_args import RowIdConverter

#: Feature packages, each with an ``init_app(app)`` that registers its blueprint, CLI and hooks.
FEATURES = (
    "app.accounts",
    "app.kb",
    "app.wiki",
    "app.forum",
    "app.tickets",
    "app.channels",
    "app.incidents",
    "app.feedback",
    "app.metrics",
    "app.team",
    "app.privacy",
    "app.search",
    "app.api",
    "app.ops",
)


def create_app(test_config: dict | None = None) -> HelpCenterFlask:
    """Build the application: defaults, ``instance/config.py``, environment, then ``test_config``
    (:func:`app.settings.load`).

    :raises ConfigError: a setting with a bad value (the message names it and says why).
    :raises RuntimeError: production configuration without a ``SECRET_KEY``.
    """
    # Imported here, so `python -m app.settings` runs without the package having imported it.
    from app import config as config_module
    from app import settings

    app = HelpCenterFlask(__name__, instance_relative_config=True)
    # Before any route exists: every <int:...> in a URL is then a number the database can hold.
    app.url_map.converters["int"] = RowIdConverter
    # Defaults → instance/config.py → environment → test_config, each setting checked once.
    settings.load(app.config, test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    config_module.ensure_secret_key(app.config, app.instance_path)
    config_module.configure_site(app.config)
    root = Path(app.root_path).parent
    # An explicit SQLALCHEMY_DATABASE_URI (a test's, or instance/config.py's) wins.
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config[
        "SQLALCHEMY_DATABASE_URI"
    ] or config_module.database_uri(app.config["DATABASE_URL"], app.instance_path)
    app.config["CONTENT_DIR"] = app.config["CONTENT_DIR"] or str(root / "content")
    app.config["SEARCH_INDEX_DIR"] = app.config["SEARCH_INDEX_DIR"] or str(root / "search_index")
    if app.config.get("PREFERRED_URL_SCHEME") == "https":
        app.config["SESSION_COOKIE_SECURE"] = True

    proxies = {
        name.lower(): app.config[f"PROXY_FIX_{name}"]
        for name in ("X_FOR", "X_PROTO", "X_HOST", "X_PORT", "X_PREFIX")
    }
    if any(proxies.values()):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, **proxies)

    from app import database, errors, outbox, pagecache, security, tallies
    from app.extensions import csrf, db, limiter, login_manager, migrate
    from app.mail import mailer_from_config

    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(root / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    app.extensions["mailer"] = mailer_from_config(app.config, app.instance_path)
    errors.init_app(app)
    security.init_app(app)
    outbox.init_app(app)
    tallies.init_app(app)
    pagecache.init_app(app)
    for name in FEATURES:
        importlib.import_module(name).init_app(app)
    from app import rerender, site_menu

    rerender.init_app(app)
    site_menu.init_app(app)
    pagecache.init_serving(app)

    @app.context_processor
    def site_context():
        from app.accounts.permissions import can

        banners = [provider() for provider in app.extensions.get("banner_providers", [])]
        if app.config.get("SITE_ANNOUNCEMENT"):
            banners.insert(0, {"level": "info", "text": app.config["SITE_ANNOUNCEMENT"]})
        return {
            "can": can,
            "banners": [banner for banner in banners if banner],
            "current_path": request.path,
            "account_sections": app.extensions.get("account_sections", []),
        }

    @app.template_filter("localtime")
    def localtime(value, fmt: str = "%d %b %Y, %H:%M"):
        """Show a UTC datetime in the support time zone (the one place that converts)."""
        if value is None:
            return ""
        return value.astimezone(ZoneInfo(app.config["SUPPORT_TIMEZONE"])).strftime(fmt)

    return app
