"""The feedback settings: when satisfaction surveys are asked, who is sampled for NPS, and who
receives the common-issues reports. Every default is the issue's rule (docs/feedback.md)."""

from __future__ import annotations

from app.settings import Setting, at_least


def _share(value) -> None:
    if not 0 <= value <= 1:
        raise ValueError("use a share between 0 and 1 (0.1 is 10 %)")


def _non_empty(value) -> None:
    if not value or not all(isinstance(item, str) and item.strip() for item in value):
        raise ValueError("list at least one non-empty reason")


S = Setting
SETTINGS = [
    S("CSAT_DELAY_HOURS", 24.0, float,
      "Hours after a ticket is solved before its satisfaction survey goes out (not if reopened "
      "meanwhile).", at_least(0), section="feedback"),
    S("CSAT_SEND_WINDOW_DAYS", 7, int,
      "Tickets solved longer ago than the delay plus this are never surveyed (no survey storm "
      "after an outage of the timer or on first deployment).", at_least(1), section="feedback"),
    S("CSAT_REQUIRE_PUBLIC_REPLY", True, bool,
      "Only survey tickets an agent answered publicly.", section="feedback"),
    S("CSAT_SKIP_STAFF", True, bool, "Never survey requesters who are support staff.",
      section="feedback"),
    S("CSAT_EXCLUDED_CLOSE_REASONS", ["spam", "merged", "duplicate"], list,
      "Tickets closed for one of these reasons are never surveyed.", section="feedback"),
    S("CSAT_BAD_REASONS",
      ["The problem isn't solved", "It took too long", "The answer was unclear",
       "I had to repeat myself", "Something else"], list,
      "Reasons offered with a bad rating (one may be chosen).", _non_empty, section="feedback"),
    S("CSAT_LINK_DAYS", 30, int, "Days a rating link in a survey e-mail works.", at_least(1),
      section="feedback"),
    S("NPS_SAMPLE_SHARE", 0.1, float,
      "Share of active accounts asked in each quarter's NPS wave.", _share, section="feedback"),
    S("NPS_AUTO_WAVE", True, bool,
      "Start each quarter's wave from the timer on the quarter's first tick.",
      section="feedback"),
    S("NPS_ACTIVE_DAYS", 90, int, "Active = signed in or used the API within this many days.",
      at_least(1), section="feedback"),
    S("NPS_MIN_DAYS_BETWEEN", 90, int, "Never ask the same person twice within this many days.",
      at_least(0), section="feedback"),
    S("NPS_CSAT_QUIET_DAYS", 14, int,
      "Never ask for NPS within this many days of a satisfaction survey.", at_least(0),
      section="feedback"),
    S("NPS_EMAIL_AFTER_DAYS", 3, int,
      "Days the in-app prompt waits before the e-mail fallback.", at_least(0),
      section="feedback"),
    S("NPS_REMINDER_AFTER_DAYS", 7, int,
      "Days after the e-mail before the one reminder.", at_least(1), section="feedback"),
    S("NPS_RESPONSE_DAYS", 30, int, "Days an invitation stays open.", at_least(1),
      section="feedback"),
    S("FEEDBACK_REPORT_WEEKLY_TO", [], list,
      "Addresses of the weekly common-issues report (support team meeting).",
      section="feedback"),
    S("FEEDBACK_REPORT_MONTHLY_TO", [], list,
      "Addresses of the monthly common-issues report (product and development).",
      section="feedback"),
]  # fmt: skip
