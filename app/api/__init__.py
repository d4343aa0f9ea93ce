"""The JSON API the mobile app calls (``/api/v1``), its API tokens and the help widget demo."""

from flask import Flask

#: Configuration of the API, with defaults (set here so the feature is self-contained).
DEFAULTS = {
    #: Origins allowed to call the API from a browser (CORS); empty allows none.
    "API_CORS_ORIGINS": [],
    "API_CORS_MAX_AGE": 600,
    #: Largest accepted JSON body, in bytes (413 above it).
    "API_MAX_BODY_BYTES": 16 * 1024,
    "API_RATE_LIMIT_PER_IP": "300 per minute",
    "API_RATE_LIMIT_PER_TOKEN": "600 per minute",
    "API_DEFAULT_LANG": "en",
    "API_MAX_SNIPPET_KEYS": 50,
    #: Seconds a process trusts its cached knowledge-base content version (ETag base).
    "API_CONTENT_VERSION_TTL": 5,
    #: max-age of snippets and tours; the ETag makes revalidation cheap after that.
    "API_CACHE_MAX_AGE": 300,
    "API_STATUS_MAX_AGE": 30,
    "API_SUGGESTION_LIMIT": 5,
    #: A token's last_used_at is refreshed at most this often.
    "API_TOKEN_TOUCH_SECONDS": 300,
    "API_MAX_TOKENS_PER_USER": 20,
}


def init_app(app: Flask) -> None:
    from app.api import (
        models,  # noqa: F401  (tables for migrations)
        services,
        tickets_views,  # noqa: F401  (the /requests routes, on the same blueprint)
    )
    from app.api.cli import api_cli
    from app.api.http import NoSessionForApi
    from app.api.pages import bp as pages_bp
    from app.api.services import active_tokens
    from app.api.views import bp
    from app.extensions import csrf

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    # Bearer tokens, never cookies: no ambient credential, so no CSRF to defend against.
    csrf.exempt(bp)
    app.register_blueprint(bp)
    app.register_blueprint(pages_bp)
    app.session_interface = NoSessionForApi(app.session_interface)
    # Bearer tokens, no cookies, own limits and headers: none of the site's request hooks apply.
    app.make_self_contained(bp.name)
    app.extensions.setdefault("account_sections", []).append("api/_account_tokens.html")
    app.extensions.setdefault("sign_out_everywhere", []).append(services.revoke_all_tokens)
    app.jinja_env.globals["api_active_tokens"] = active_tokens
    app.cli.add_command(api_cli)
