"""Community forum: user-to-user support, moderated by the support team."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.forum.views import bp

    app.register_blueprint(bp)
