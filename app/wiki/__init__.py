"""Community wiki: user-contributed guides with full history."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.wiki.views import bp

    app.register_blueprint(bp)
