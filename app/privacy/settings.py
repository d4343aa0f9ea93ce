"""Settings of privacy: how long data is kept before retention deletes it."""

from __future__ import annotations

from app.settings import Setting, at_least

SETTINGS = [
    Setting("PRIVACY_CLOSED_TICKET_MONTHS", 24, int,
            "Closed (solved) tickets, with their messages, events and attachments, are deleted "
            "this many months after they were solved.", validate=at_least(1), section="privacy"),
    Setting("PRIVACY_MAIL_QUARANTINE_DAYS", 30, int,
            "Quarantined inbound mail (and its original .eml) is deleted after this many days.",
            validate=at_least(1), section="privacy"),
    Setting("PRIVACY_SEARCH_LOG_DAYS", 90, int,
            "Search query log entries are deleted after this many days.", validate=at_least(1),
            section="privacy"),
    Setting("PRIVACY_UNCONFIRMED_ACCOUNT_DAYS", 30, int,
            "Registrations never confirmed, and contacts (people who only wrote by mail, chat "
            "or social media) with no ticket left, are deleted this many days after they "
            "expired or last wrote.", validate=at_least(1), section="privacy"),
    Setting("PRIVACY_RETENTION_HOUR", 3, int,
            "The UTC hour in which the ticket timer (`flask tickets tick`) runs retention "
            "each night.", validate=at_least(0), section="privacy"),
]  # fmt: skip
