"""Settings shared by every support channel."""

from __future__ import annotations

from app.settings import Setting, one_of
from app.tickets.catalog import CATEGORIES, IMPACTS

SETTINGS = [
    Setting(
        "CHANNEL_DEFAULT_CATEGORY",
        "app",
        str,
        "Category of a ticket that arrives by e-mail, chat or social media (agents change it).",
        one_of(*CATEGORIES),
        section="channels",
    ),
    Setting(
        "CHANNEL_DEFAULT_IMPACT",
        "minor",
        str,
        "Impact (and so the suggested priority) of such a ticket until an agent sets it.",
        one_of(*IMPACTS),
        section="channels",
    ),
]
