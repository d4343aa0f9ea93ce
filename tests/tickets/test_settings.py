"""A bad ticket or SLA setting stops the start, naming the key and the reason (it used to
pass, then fail every ticket creation and every ``tickets tick``)."""

from __future__ import annotations

import pytest

from app import create_app
from app.config import ConfigError
from tests.conftest import site_config

BAD_SETTINGS = [
    # (setting, value, words the message must hold)
    ("SLA_FIRST_RESPONSE_MINUTES", {"high": -5}, "positive number of minutes"),
    ("SLA_FIRST_RESPONSE_MINUTES", {"high": 1e20}, "at most"),
    ("SLA_FIRST_RESPONSE_MINUTES", {"high": float("nan")}, "positive number of minutes"),
    ("SLA_FIRST_RESPONSE_MINUTES", {"urgent": 10}, "unknown priority urgent"),
    ("SLA_FIRST_RESPONSE_BUSINESS_DAYS", {"low": 10**9}, "at most"),
    ("SLA_FIRST_RESPONSE_CALENDARS", {"high": "tier4"}, "calendar must be one of"),
    ("SUPPORT_TIMEZONE", "Mars/Base_Alpha", "time zone"),
    ("SUPPORT_TIER1_HOURS", {"mon": ["17:00-09:00"]}, "ends before it starts"),
    ("SUPPORT_TIER2_HOURS", {}, "no opening hours"),
    ("SUPPORT_TIER3_HOURS", {"funday": "09:00-17:00"}, "weekday"),
    ("SUPPORT_TIER2_HOLIDAYS", "2026-12-25", "list of ISO dates"),
    ("ESCALATION_TIER1_FLAG_MINUTES", 0, "positive number of minutes"),
    ("ESCALATION_TIER2_ESCALATE_BUSINESS_DAYS", 10**12, "at most"),
    ("ESCALATION_CRITICAL_DEFAULT_TIER", "3", "1, 2 or 3"),
    ("ESCALATION_CRITICAL_TIER_BY_CATEGORY", {"billing": 5}, "1, 2 or 3"),
    ("SLA_AT_RISK_FRACTION", 1.5, "(0, 1]"),
    ("TICKET_IMPACT_PRIORITY", {"blocked": "urgent"}, "unknown priority"),
    ("TICKET_IMPACT_PRIORITY", {"meltdown": "critical"}, "unknown impact"),
    ("TICKET_IMPACT_PRIORITY", ["critical"], "mapping"),
    ("TICKET_ATTACHMENT_MAX_BYTES", "5MB", "positive whole number"),
    ("TICKET_TICK_BATCH", 0, "positive whole number"),
    ("TICKET_ONCALL_EMAILS", "oncall@example.com", "list of addresses"),
    ("TICKET_CREATE_LIMIT_PER_ACCOUNT", "lots", "limits like"),
    ("TICKET_UPLOAD_MB_PER_IP", 50, "limits like"),
    ("TICKET_CRITICAL_PAGE_WINDOW_MINUTES", -1, "minutes from 0"),
]


@pytest.mark.parametrize(
    ("key", "value", "reason"), BAD_SETTINGS, ids=[f"{k}={v!r}"[:60] for k, v, _ in BAD_SETTINGS]
)
def test_a_bad_setting_stops_the_start(database_url, tmp_path, key, value, reason):
    with pytest.raises(ConfigError) as caught:
        create_app(site_config(database_url, tmp_path, **{key: value}))
    assert caught.value.key == key
    message = str(caught.value)
    assert message.startswith(f"Configuration {key}:") and reason in message, message


def test_good_settings_start(database_url, tmp_path):
    app = create_app(
        site_config(
            database_url, tmp_path, SUPPORT_TIER2_HOURS={"mon": "10:00-12:00"},
            TICKET_IMPACT_PRIORITY={"minor": "low"}, TICKET_CREATE_LIMIT_PER_IP="3 per minute",
        )
    )  # fmt: skip
    assert app.config["TICKET_IMPACT_PRIORITY"] == {"minor": "low"}
