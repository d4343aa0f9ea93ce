"""The JSON API the mobile app calls (``/api/v1``), its API tokens and the help widget demo."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.api import (
        chat_views,  # noqa: F401  (the /chat routes, on the same blueprint)
        models,  # noqa: F401  (tables for migrations)
        services,
        surveys_views,  # noqa: F401  (the /surveys routes, on the same blueprint)
        tickets_views,  # noqa: F401  (the /requests routes, on the same blueprint)
    )
    from app.api.cli import api_cli
    from app.api.http import NoSessionForApi
    from app.api.pages import bp as pages_bp
    from app.api.services import active_tokens
    from app.api.views import bp
    from app.extensions import csrf

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
    # Using the API counts as activity for the quarterly survey's sample (app.feedback.nps).
    app.extensions.setdefault("activity_sources", []).append(services.users_active_since)
