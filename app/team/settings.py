"""Settings of the team's side (training and meetings)."""

from __future__ import annotations

from app.settings import Setting, at_least

SETTINGS = [
    Setting("TEAM_ONBOARDING_REQUIRED_FOR_TIER1", False, bool,
            "Agents must complete the new-agent onboarding path before they take (claim or "
            "are assigned) Tier 1 tickets.", section="team"),
    Setting("TEAM_PANEL_ARTICLES", 4, int,
            "Internal and public articles each that the agent's ticket panel suggests.",
            validate=at_least(1), section="team"),
]  # fmt: skip
