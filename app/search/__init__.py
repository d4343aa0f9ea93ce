"""One full-text search over the whole help center (see ``docs/search.md``)."""

from flask import Flask

#: Configuration of search, with defaults (override in ``instance/config.py`` or the env).
DEFAULTS = {
    #: Seconds a whole search may take (matching, spelling correction, snippets); then the best
    #: results found so far are shown, marked partial.
    "SEARCH_TIME_LIMIT": 0.4,
    #: Web processes drain the search outbox in a background thread (off in tests by default).
    "SEARCH_BACKGROUND_INDEXER": None,
    #: How often that thread looks for pending changes (it is also woken after each commit).
    "SEARCH_DRAIN_SECONDS": 0.5,
    #: Processes used by ``flask search rebuild`` with Whoosh.
    "SEARCH_REBUILD_PROCS": 2,
    "SEARCH_PER_PAGE": 10,
    #: A client's repeats of one (normalised) query count once per this many seconds in the
    #: query log, so nobody fills the staff's "Top queries" by repetition.
    "SEARCH_LOG_REPEAT_SECONDS": 3600,
    #: At most this many logged searches per client (``limits`` notation); searching itself is
    #: never limited, only what the log records. Both need ``RATELIMIT_ENABLED``.
    "SEARCH_LOG_LIMIT_PER_CLIENT": "60/hour;300/day",
}


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
    from limits import parse_many

    from app.search import (
        indexer,
        models,  # noqa: F401  (tables for migrations)
    )
    from app.search.cli import search_cli
    from app.search.views import bp

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    try:
        parse_many(app.config["SEARCH_LOG_LIMIT_PER_CLIENT"])
        if int(app.config["SEARCH_LOG_REPEAT_SECONDS"]) < 1:
            raise ValueError("SEARCH_LOG_REPEAT_SECONDS must be at least 1")
    except (TypeError, ValueError) as error:
        raise RuntimeError(f"Search log limits are misconfigured: {error}") from error
    if app.config["SEARCH_BACKGROUND_INDEXER"] is None:
        app.config["SEARCH_BACKGROUND_INDEXER"] = not app.config.get("TESTING", False)
    app.extensions["search_backends"] = {"whoosh": _whoosh, "postgres": _postgres}
    app.register_blueprint(bp)
    app.cli.add_command(search_cli)
    from app import tallies
    from app.search import services

    tallies.register_flusher(app, services.QUERY_TALLY, services.write_queries)
    tallies.register_flusher(app, services.CLICK_TALLY, services.write_clicks)
    indexer.init_app(app)
