"""The metrics dashboard's settings."""

from __future__ import annotations

from app.settings import Setting, at_least

SETTINGS = [
    Setting("METRICS_UPDATE_LOOKBACK_MINUTES", 10, int,
            "`flask metrics update` also re-reads ticket events this recent (a transaction can "
            "commit an older event id late).", at_least(0), section="metrics"),
    Setting("METRICS_DEFAULT_RANGE_DAYS", 28, int,
            "Days the dashboard shows when no range is chosen.", at_least(1), section="metrics"),
    Setting("METRICS_MAX_RANGE_DAYS", 400, int,
            "Longest range the dashboard, CSV and JSON answer for.", at_least(1),
            section="metrics"),
]  # fmt: skip


def rubric(value) -> None:
    """1-10 distinct criteria, each a name of at most 80 characters."""
    names = [str(name).strip() for name in value]
    if not 1 <= len(names) <= 10:
        raise ValueError(f"needs 1 to 10 criteria, got {len(names)}")
    if any(not name or len(name) > 80 for name in names):
        raise ValueError("each criterion needs a name of at most 80 characters")
    if len(set(names)) != len(names):
        raise ValueError("criteria must differ")


SETTINGS += [
    Setting("METRICS_AUDIT_SAMPLE_SIZE", 5, int,
            "Solved tickets drawn at random each week for the quality audit.", at_least(1),
            section="metrics"),
    Setting("METRICS_AUDIT_CRITERIA", ["Accuracy", "Tone", "Completeness", "Followed the process"],
            list, "The audit rubric: criteria rated 1-4 each (comma-separated).", rubric,
            section="metrics"),
]  # fmt: skip
