"""The JSON API the mobile app calls: ``/api/v1``."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.api.views import bp
    from app.extensions import csrf

    # Bearer tokens, never cookies: no ambient credential, so no CSRF to defend against.
    csrf.exempt(bp)
    app.register_blueprint(bp)
