"""The crisis-management settings: incident types, update rhythm per severity, reminders, the
forum category of announcement threads and the breach notification window."""

from __future__ import annotations

from app.settings import Setting, at_least

S = Setting


def _update_minutes(value: dict) -> None:
    absent = {"critical", "major", "minor"} - set(value)
    if absent:
        raise ValueError(f"give minutes for every severity; missing {', '.join(sorted(absent))}")
    for severity, minutes in value.items():
        if severity not in ("critical", "major", "minor"):
            raise ValueError(f"unknown severity {severity!r} (critical, major, minor)")
        if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes < 5:
            raise ValueError(f"{severity}: a whole number of minutes, at least 5")


def _types(value: list) -> None:
    if not value:
        raise ValueError("name at least one incident type")
    for name in value:
        if not isinstance(name, str) or not name.replace("_", "").isalnum() or name != name.lower():
            raise ValueError(f"{name!r}: lower-case letters, digits and _ only")


SETTINGS = [
    S("INCIDENT_TYPES", ["outage", "degraded", "data_breach", "security", "billing"], list,
      "Crisis types staff can declare; each has `content/incidents/<type>.md`.",
      validate=_types, section="incidents"),
    S("INCIDENT_UPDATE_MINUTES", {"critical": 30, "major": 30, "minor": 60}, dict,
      "Minutes between public updates, per severity (the update-due timer).",
      validate=_update_minutes, section="incidents"),
    S("INCIDENT_REMIND_MINUTES", 10, int,
      "How long before an update is due the owner is reminded (mail and staff page).",
      validate=at_least(1), section="incidents"),
    S("INCIDENT_FORUM_CATEGORY", "general", str,
      "Forum category (slug) of the pinned, locked announcement thread.", section="incidents"),
    S("INCIDENT_BREACH_NOTIFY_HOURS", 72, int,
      "Hours from awareness of a data breach to notifying the authority (GDPR Art. 33).",
      validate=at_least(1), section="incidents"),
]  # fmt: skip
