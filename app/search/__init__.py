"""One full-text search over the whole help center."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.search.views import bp

    app.register_blueprint(bp)
