"""The wiki's settings."""

from __future__ import annotations

from app.settings import Setting, at_least

SETTINGS = [
    Setting("WIKI_REVIEW_FIRST_EDITS", 0, int,
            "The first N edits of a new account wait for a moderator; `0` turns this off.",
            at_least(0), section="wiki"),
    Setting("WIKI_NEW_ACCOUNT_DAYS", 7, int, "How young an account counts as new.",
            at_least(0), section="wiki"),
]  # fmt: skip
