"""The metrics dashboard in a real browser, on a desktop and on a phone: figures, charts with
their text alternatives and data tables, filters, the formulas, audits and the pulse pages, all
without serious accessibility violations (axe).

``DOCS_SCREENSHOTS=1`` also saves the screenshots that docs/metrics.md shows."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from tests.browser.conftest import account, check_accessibility, sign_in, unique

pytestmark = pytest.mark.browser

DOCS = Path(__file__).resolve().parents[2] / "docs" / "images"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
BERLIN = ZoneInfo("Europe/Berlin")
RANGE = "start=2026-03-02&end=2026-03-29"


def _seed_history(live_server, requester_email: str, agent_email: str) -> None:
    """Four weeks of tickets through the ticket services, then a rebuild of the rollups."""
    from app.accounts.models import User
    from app.outbox import commit
    from app.tickets import services, workspace
    from app.tickets.models import Ticket

    app = live_server.app
    with app.app_context():
        requester = db.session.scalar(select(User).where(User.email == requester_email))
        agent = db.session.scalar(select(User).where(User.email == agent_email))
        start = datetime(2026, 3, 2, 9, tzinfo=BERLIN).astimezone(UTC)
        categories = ["app", "billing", "account", "bug", "app", "privacy", "app"]
        impacts = ["broken", "minor", "question", "broken", "minor"]
        for number in range(40):
            now = start + timedelta(hours=number * 16 + (number % 3))
            ticket = services.create_ticket(
                requester, category=categories[number % 7], subject=f"Reminder issue {number}",
                description="The reminders stopped.", impact=impacts[number % 5],
                channel=["web", "email", "api"][number % 3], now=now,
            )  # fmt: skip
            commit()
            ticket = db.session.get(Ticket, ticket.id)
            workspace.assign(agent, ticket, agent.id, now + timedelta(minutes=5))
            workspace.agent_reply(
                agent, ticket, "Please try this.", now + timedelta(minutes=20 + 37 * (number % 9))
            )
            if number % 4 != 3:
                services.mark_solved(requester, ticket, now + timedelta(hours=5 + number % 6))
            commit()
    live_server.cli("metrics", "rebuild")


@pytest.fixture(scope="module")
def staff(live_server):
    uid = unique()
    admin, agent = f"Ada Lead {uid}", f"Alex Agent {uid}"
    admin_email = account(live_server, "admin", admin)
    agent_email = account(live_server, "agent_t3", agent)
    requester_email = account(live_server, "member", f"Rosa {uid}")
    _seed_history(live_server, requester_email, agent_email)
    return {"admin": (admin_email, admin), "agent": (agent_email, agent)}


def _shot(tab, name: str) -> None:
    if os.environ.get("DOCS_SCREENSHOTS"):
        DOCS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(DOCS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("size", sorted(VIEWPORTS))
def test_the_dashboard_reads_and_filters(tabs, staff, size):
    tab = tabs.open(VIEWPORTS[size])
    sign_in(tab, *staff["admin"])
    tab.goto(f"/metrics/?{RANGE}")
    expect(tab.get_by_role("heading", name="Support metrics", level=1)).to_be_visible()
    expect(tab.locator("#fig-new .metrics-value")).to_have_text("40")
    trend = tab.get_by_role("img", name="New, solved and backlog per day")
    expect(trend).to_be_visible()
    expect(tab.locator("#chart-distribution figcaption")).to_contain_text(
        "first responses came within their target"
    )
    tab.get_by_text("Data table: Volume per day").click()
    expect(tab.locator("#table-volume")).to_be_visible()
    expect(tab.locator("#table-volume tbody tr")).to_have_count(28)
    check_accessibility(tab, context=f"metrics dashboard ({size})")
    _shot(tab, f"metrics-dashboard-{size}")

    tab.get_by_label("Priority", exact=True).select_option("High")
    tab.get_by_role("button", name="Show").click()
    expect(tab.locator("#fig-new .metrics-value")).to_have_text("16")  # every 5th is High x2
    tab.get_by_label("To", exact=True).fill("2026-02-01")
    tab.get_by_role("button", name="Show").click()
    expect(tab.locator("#end-error")).to_contain_text("on or after the first day")
    check_accessibility(tab, context=f"metrics dashboard with an error ({size})")


def test_formulas_audits_and_pulse_pages(tabs, staff):
    tab = tabs.open(VIEWPORTS["desktop"])
    sign_in(tab, *staff["admin"])
    tab.goto("/metrics/formulas")
    expect(tab.get_by_text("NPS = 100 \u00d7 (promoters \u2212 detractors)")).to_be_visible()
    check_accessibility(tab, context="metrics formulas")
    _shot(tab, "metrics-formulas")

    tab.goto("/metrics/quality?week=2026-03-09")
    tab.get_by_role("button", name="Draw this week\u2019s sample").click()
    expect(tab.locator("#audit-sample tbody tr")).to_have_count(5)
    tab.locator("#audit-sample a[id^=review-]").first.click()
    tab.get_by_role("group", name="Accuracy").get_by_label("4 Excellent").check()
    tab.get_by_role("button", name="Save the audit").click()
    expect(tab.locator(".error-summary")).to_contain_text("Rate “Tone” from 1 to 4.")
    check_accessibility(tab, context="audit with an error")
    for criterion in ("Tone", "Completeness", "Followed the process"):
        tab.get_by_role("group", name=criterion).get_by_label("3 Good").check()
    tab.get_by_label("Comment").fill("Friendly and precise.")
    tab.get_by_role("button", name="Save the audit").click()
    expect(tab.locator("#audit-scores")).to_contain_text("75 %")
    check_accessibility(tab, context="quality audits")
    _shot(tab, "metrics-quality")

    agent = tabs.open(VIEWPORTS["phone"])
    sign_in(agent, *staff["agent"])
    agent.goto("/metrics/pulse")
    agent.get_by_role("group", name="How do you feel").get_by_label("4 Good").check()
    agent.get_by_role("button", name="Send my answer").click()
    expect(agent.locator("#pulse-answered")).to_be_visible()
    check_accessibility(agent, context="team pulse")
    agent.goto(f"/metrics/?{RANGE}")
    expect(agent.get_by_text("Your own figures")).to_be_visible()
    check_accessibility(agent, context="agent's own metrics on a phone")
