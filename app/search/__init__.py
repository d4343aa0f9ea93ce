"""One full-text search over the whole help center (see ``docs/search.md``)."""

from flask import Flask


def _whoosh(app: Flask):
    # Imported when first used, so a site searching in PostgreSQL never loads Whoosh.
    from app.search.whoosh_backend import WhooshBackend

    return WhooshBackend(
        app.config["SEARCH_INDEX_DIR"], procs=app.config.get("SEARCH_REBUILD_PROCS", 2)
    )


def _postgres(app: Flask):
    from app.search.postgres_backend import PostgresBackend

    return PostgresBackend()


def init_app(app: Flask) -> None:
    from app.search import (
        indexer,
        models,  # noqa: F401  (tables for migrations)
    )
    from app.search.cli import search_cli
    from app.search.views import bp

    if app.config["SEARCH_BACKGROUND_INDEXER"] is None:
        app.config["SEARCH_BACKGROUND_INDEXER"] = not app.config.get("TESTING", False)
    app.extensions["search_backends"] = {"whoosh": _whoosh, "postgres": _postgres}
    app.register_blueprint(bp)
    app.cli.add_command(search_cli)
    from app import tallies
    from app.search import services

    tallies.register_flusher(app, services.QUERY_TALLY, services.write_queries)
    tallies.register_flusher(app, services.CLICK_TALLY, services.write_clicks)
    # The common-issues report (app.feedback, below search) lists searches that found nothing.
    sources = app.extensions.setdefault("report_sources", {})
    sources["searches_without_results"] = services.searches_without_results
    # The metrics dashboard (beside search, so it may not import it) shows click-through.
    sources["search_clicks"] = services.search_clicks
    indexer.init_app(app)
