"""Feedback in a real browser: rating a solved request from the e-mail's link (confirm page)
and from the request page, and the help widget's in-app quarterly survey prompt."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from tests.browser.conftest import account, check_accessibility, sign_in, unique

pytestmark = pytest.mark.browser


def _solved_request(live_server, requester_email: str, agent_email: str) -> int:
    """A request the agent answered and solved two days ago, and the timer run since."""
    from app.accounts.services import find_user_by_email
    from app.outbox import commit
    from app.tickets import services, workspace

    solved_at = datetime.now(UTC) - timedelta(days=2)
    with live_server.app.app_context():
        requester = find_user_by_email(requester_email)
        agent = find_user_by_email(agent_email)
        ticket = services.create_ticket(
            requester, category="app", subject=f"Basil reminders {unique()}",
            description="They stopped.", impact="minor", channel="web",
            now=solved_at - timedelta(hours=1),
        )  # fmt: skip
        workspace.agent_reply(agent, ticket, "Fixed in 4.2.", solved_at, status_after="solved")
        ticket_id = ticket.id
        commit()
        db.session.remove()
    live_server.cli("tickets", "tick")
    return ticket_id


def test_rating_from_the_mail_link(page, live_server):
    member = account(live_server, "member", f"Mira {unique()}")
    agent = account(live_server, "agent_t1", f"Agent {unique()}")
    ticket_id = _solved_request(live_server, member, agent)
    mail = [m for m in live_server.mail() if m["To"] == member and "How did we do" in m["Subject"]]
    assert len(mail) == 1
    good = re.search(r"https?://\S+rating=good", mail[0].get_content()).group(0)

    page.goto(good)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Rate our support for #{ticket_id}")
    expect(page.get_by_label("Good, I'm satisfied")).to_be_checked()
    check_accessibility(page, context="rating confirm page")
    page.get_by_label("Comment (optional)").fill("Fast and friendly")
    page.get_by_role("button", name="Save my rating").click()
    expect(page.locator("#rating-saved")).to_contain_text("Good")
    # Changing one's mind from the same browser while the request is open.
    page.get_by_label("Bad, I'm unsatisfied").check()
    page.get_by_label("What went wrong? (optional, for a bad rating)").select_option(
        "It took too long"
    )
    page.get_by_role("button", name="Change my rating").click()
    expect(page.locator("#rating-saved")).to_contain_text("Bad")
    check_accessibility(page, context="rating saved")


def test_rating_from_the_request_page(page, live_server):
    name = f"Rosa {unique()}"
    member = account(live_server, "member", name)
    agent = account(live_server, "agent_t1", f"Agent {unique()}")
    ticket_id = _solved_request(live_server, member, agent)
    sign_in(page, member, name)
    page.goto(f"/requests/{ticket_id}")
    section = page.locator("#rating")
    expect(section.get_by_role("heading", name="Rate our support")).to_be_visible()
    check_accessibility(page, context="request page with rating")
    section.get_by_label("Bad, I'm unsatisfied").check()
    section.get_by_label("What went wrong? (optional, for a bad rating)").select_option(
        "The answer was unclear"
    )
    section.get_by_role("button", name="Save my rating").click()
    expect(page.locator("#current-rating")).to_contain_text("bad (The answer was unclear)")


def test_the_widget_asks_the_quarterly_survey_in_the_app(page, live_server):
    from app.accounts.services import find_user_by_email
    from app.api.services import create_token
    from app.feedback import rules
    from app.feedback.models import NpsInvitation, NpsWave
    from app.outbox import commit

    member = account(live_server, "member", f"Nia {unique()}")
    now = datetime.now(UTC)
    with live_server.app.app_context():
        user = find_user_by_email(member)
        plain = create_token(user, "phone", now).plain
        quarter = rules.quarter_of(now)
        wave = db.session.scalar(select(NpsWave).where(NpsWave.quarter == quarter))
        if wave is None:  # the timer may have started this quarter's wave already
            wave = NpsWave(quarter=quarter, started_at=now, sample_share=0.1, active_count=1,
                           eligible_count=1)  # fmt: skip
            db.session.add(wave)
            db.session.flush()
        invitation = NpsInvitation(wave_id=wave.id, user_id=user.id, invited_at=now,
                                   link_nonce=secrets.token_urlsafe(16))  # fmt: skip
        db.session.add(invitation)
        commit()
        invitation_id = invitation.id
        db.session.remove()

    page.goto("/api/demo")
    expect(page.locator("button.helpwidget-button")).to_have_count(8)
    page.evaluate(
        "token => HelpWidget.init({baseUrl: '/api/v1', token: token})"
        ".then(() => HelpWidget.checkSurveys())",
        plain,
    )
    prompt = page.get_by_role("region", name="Quick question")
    expect(prompt).to_be_visible()
    expect(prompt.get_by_role("group")).to_contain_text("recommend GrowgrEbuddy to a friend")
    check_accessibility(page, context="widget survey prompt")
    prompt.get_by_role("button", name="Send").click()
    expect(prompt.get_by_role("alert")).to_have_text("Choose a number from 0 to 10.")
    prompt.get_by_label("9", exact=True).check()
    prompt.get_by_label("Why? (optional)").fill("The reminders save my basil")
    prompt.get_by_role("button", name="Send").click()
    expect(prompt).to_have_count(0)
    expect(page.locator("#helpwidget-status")).to_have_text("Thank you for your answer!")

    with live_server.app.app_context():
        answered = db.session.get(NpsInvitation, invitation_id)
        assert (answered.score, answered.why, answered.answered_via) == (
            9, "The reminders save my basil", "app",
        )  # fmt: skip
        db.session.remove()
