"""Community wiki: user-contributed guides with full history, merge on concurrent edits,
protection, watching and moderation."""

from flask import Flask

#: Configuration defaults (override in instance/config.py or ``HELPCENTER_<KEY>`` JSON).
DEFAULTS = {
    # Hold the first N edits of accounts younger than WIKI_NEW_ACCOUNT_DAYS for review; 0 = off.
    "WIKI_REVIEW_FIRST_EDITS": 0,
    "WIKI_NEW_ACCOUNT_DAYS": 7,
}


def init_app(app: Flask) -> None:
    from app.wiki import (
        history_views,  # noqa: F401  (routes on the same blueprint)
        models,  # noqa: F401  (tables for migrations)
        moderation_views,  # noqa: F401  (routes on the same blueprint)
    )
    from app.wiki.cli import wiki_cli
    from app.wiki.views import bp

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.register_blueprint(bp)
    app.cli.add_command(wiki_cli)
