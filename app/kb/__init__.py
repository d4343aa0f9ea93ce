"""Knowledge base: FAQ, troubleshooting guides and video tutorials."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.kb.views import bp

    app.register_blueprint(bp)
