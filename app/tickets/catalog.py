"""The fixed vocabularies of tickets: categories, impacts, statuses, channels (pure constants).

Values are what the database, forms, configuration and the API use; labels are what people read.
Priorities live in :mod:`app.tickets.sla.policy` (:class:`~app.tickets.sla.policy.Priority`).
"""

from __future__ import annotations

from app.tickets.sla.policy import Priority

#: The plan's six categories (section 3.1).
CATEGORIES: dict[str, str] = {
    "account": "Account",
    "billing": "Billing and Payments",
    "app": "App Functionality",
    "feature_request": "Feature Requests",
    "bug": "Bug Reports",
    "privacy": "Data and Privacy",
}

PRIORITY_LABELS: dict[str, str] = {
    Priority.CRITICAL.value: "Critical",
    Priority.HIGH.value: "High",
    Priority.MEDIUM.value: "Medium",
    Priority.LOW.value: "Low",
}
#: Sort order: the most urgent first.
PRIORITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}

#: The impact a requester describes in plain words; it *suggests* a priority (configurable with
#: ``TICKET_IMPACT_PRIORITY``); agents set the final one.
IMPACTS: dict[str, str] = {
    "blocked": "I can't use the app at all",
    "broken": "A core feature is broken",
    "minor": "Something minor is wrong",
    "question": "A question or an idea",
}
DEFAULT_IMPACT_PRIORITY: dict[str, str] = {
    "blocked": "critical",
    "broken": "high",
    "minor": "medium",
    "question": "low",
}

NEW, OPEN, PENDING, SOLVED, CLOSED = "new", "open", "pending", "solved", "closed"
STATUSES: dict[str, str] = {
    NEW: "New",
    OPEN: "Open",
    PENDING: "Waiting for your reply",
    SOLVED: "Solved",
    CLOSED: "Closed",
}
#: What agents read (the requester reads :data:`STATUSES`).
AGENT_STATUS_LABELS: dict[str, str] = {
    NEW: "New",
    OPEN: "Open",
    PENDING: "Pending (waiting on customer)",
    SOLVED: "Solved",
    CLOSED: "Closed",
}
#: Statuses in which the SLA and escalation clocks stand still.
PAUSED_STATUSES = frozenset({PENDING, SOLVED, CLOSED})
#: Statuses of a ticket that still needs work.
ACTIVE_STATUSES = frozenset({NEW, OPEN})

CHANNELS: dict[str, str] = {
    "web": "Web form",
    "forum": "Forum escalation",
    "email": "E-mail",
    "api": "In-app (API)",
    "social": "Social media",
    "chat": "Live chat",
}

TIERS: dict[int, str] = {1: "Tier 1", 2: "Tier 2", 3: "Tier 3"}


def ticket_ref(ticket_id: int) -> str:
    """The reference people quote: ``#1234``."""
    return f"#{ticket_id}"
