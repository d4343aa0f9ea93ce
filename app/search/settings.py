"""Search's settings (`SEARCH_BACKEND` and `SEARCH_INDEX_DIR` are the site's: see
:mod:`app.config`)."""

from __future__ import annotations

from app.settings import Setting, at_least, rate_limits

SETTINGS = [
    Setting("SEARCH_TIME_LIMIT", 0.4, float,
            "Seconds a whole search may take (matching, spelling correction, snippets); past "
            "it the best results so far are returned, marked partial.", at_least(0),
            section="search"),
    Setting("SEARCH_BACKGROUND_INDEXER", None, bool,
            "The indexing thread that drains the search outbox in web processes.",
            section="search", shown="on (off in tests)"),
    Setting("SEARCH_DRAIN_SECONDS", 0.5, float,
            "How often that thread looks for changes (it is also woken after each commit).",
            at_least(0), section="search"),
    Setting("SEARCH_REBUILD_PROCS", 2, int, "Writer processes for a Whoosh rebuild.",
            at_least(1), section="search"),
    Setting("SEARCH_PER_PAGE", 10, int, "Results per page.", at_least(1), section="search"),
    Setting("SEARCH_LOG_REPEAT_SECONDS", 3600, int,
            "A client's repeats of one query are logged once per this window (needs "
            "`RATELIMIT_ENABLED`).", at_least(1), section="search"),
    Setting("SEARCH_LOG_LIMIT_PER_CLIENT", "60/hour;300/day", str,
            "Logged searches per client at most (searching itself is not limited).",
            rate_limits, section="search"),
]  # fmt: skip
