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
