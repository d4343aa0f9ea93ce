"""The API's settings."""

from __future__ import annotations

from app.settings import Setting, at_least, rate_limits

SETTINGS = [
    Setting("API_CORS_ORIGINS", [], list,
            "Comma-separated origins allowed to call `/api/v1` from a browser (CORS); empty "
            "allows none.", section="api", env=True),
    Setting("API_CORS_MAX_AGE", 600, int, "Seconds a browser may cache a CORS preflight.",
            at_least(0), section="api"),
    Setting("API_MAX_BODY_BYTES", 16 * 1024, int,
            "Largest accepted JSON body, in bytes (413 above it).", at_least(1), section="api"),
    Setting("API_RATE_LIMIT_PER_IP", "300 per minute", str, "Requests per client address.",
            rate_limits, section="api"),
    Setting("API_RATE_LIMIT_PER_TOKEN", "600 per minute", str, "Requests per API token.",
            rate_limits, section="api"),
    Setting("API_DEFAULT_LANG", "en", str, "Language of snippets when none is asked for.",
            section="api"),
    Setting("API_MAX_SNIPPET_KEYS", 50, int, "Snippet keys one batch request may ask for.",
            at_least(1), section="api"),
    Setting("API_CONTENT_VERSION_TTL", 5, float,
            "Seconds a process trusts its cached knowledge-base content version (ETag base).",
            at_least(0), section="api"),
    Setting("API_CACHE_MAX_AGE", 300, int,
            "`max-age` of snippets and tours; the ETag makes revalidation cheap after that.",
            at_least(0), section="api"),
    Setting("API_STATUS_MAX_AGE", 30, int, "`max-age` of the status answer.", at_least(0),
            section="api"),
    Setting("API_SUGGESTION_LIMIT", 5, int, "Articles and snippets a screen suggests.",
            at_least(1), section="api"),
    Setting("API_TOKEN_TOUCH_SECONDS", 300, int,
            "A token's last use is recorded at most this often.", at_least(0), section="api"),
    Setting("API_MAX_TOKENS_PER_USER", 20, int, "Active API tokens one account may hold.",
            at_least(1), section="api"),
]  # fmt: skip
