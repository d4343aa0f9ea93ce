"""Support tickets in a real browser: a member submits a request (with help articles suggested
as they type), an agent claims it and watches the timer move it through the tiers, another
member can't open it, and a forum thread is escalated into a request."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.tickets.models import Ticket, TicketDeflection
from app.tickets.sla import clock
from app.tickets.sla import policy as rules
from app.tickets.sla.calendar import add_business_days
from tests.browser.conftest import account, check_accessibility, sign_in, unique

pytestmark = pytest.mark.browser

#: The live server builds its search index on a background thread after it starts.
INDEX_TIMEOUT = 30_000
NOT_FOUND = "We couldn't find that page"


def _submit_request(tab, subject: str, category: str, impact: str, description: str) -> int:
    """Fill in and send the request form; returns the new ticket's id."""
    tab.goto("/requests/new")
    tab.get_by_label("Category").select_option(label=category)
    tab.get_by_label("Subject").fill(subject)
    tab.get_by_label(impact).check()
    tab.get_by_label("Description").fill(description)
    tab.get_by_role("button", name="Submit request").click()
    expect(tab.get_by_role("heading", level=1)).to_contain_text(subject)
    match = re.search(r"/requests/(\d+)$", tab.url)
    assert match, tab.url
    return int(match.group(1))


def _wait_for_search_index(tab, query: str) -> None:
    """Wait until the live server's search (built on a background thread) finds ``query``."""
    found = tab.evaluate(
        """async ([query, timeout]) => {
            const stop = Date.now() + timeout;
            while (Date.now() < stop) {
                const response = await fetch("/search/results.json?q=" + encodeURIComponent(query));
                if (response.ok && (await response.json()).total > 0) { return true; }
                await new Promise((resolve) => setTimeout(resolve, 250));
            }
            return false;
        }""",
        [query, INDEX_TIMEOUT],
    )
    assert found, f"the live server's search index never found {query!r}"


def _policy(live_server) -> rules.SupportPolicy:
    """The SLA policy the live application runs with (built from its configuration)."""
    with live_server.app.app_context():
        return clock.get_policy()


def _local(live_server, moment: datetime) -> str:
    """A UTC instant as the pages show it (the ``localtime`` filter's default format)."""
    zone = ZoneInfo(live_server.app.config["SUPPORT_TIMEZONE"])
    return moment.astimezone(zone).strftime("%d %b %Y, %H:%M")


def _tick_at(live_server, moment: datetime) -> str:
    """Run the timer once at the first whole minute after ``moment`` (``--at`` has minutes)."""
    at = (moment.astimezone(UTC) + timedelta(minutes=1)).replace(second=0, microsecond=0)
    return live_server.cli("tickets", "tick", "--at", at.strftime("%Y-%m-%dT%H:%M"))


def _open_in_queue(tab, tier: int, category: str, title: str):
    """The tier's queue filtered by category; returns the link to ``title`` on whichever page
    it is (zero matches when it is not in that queue)."""
    tab.goto(f"/requests/queue?tier={tier}")
    expect(tab.get_by_role("heading", level=1, name=f"Tier {tier} queue")).to_be_visible()
    tab.get_by_label("Category").select_option(label=category)
    tab.get_by_role("button", name="Filter").click()
    tab.wait_for_url(re.compile(r"[?&]category=\w+"))
    expect(tab.get_by_label("Category")).to_have_value(re.compile(r"\w+"))
    link = tab.get_by_role("link", name=title, exact=True)
    number = 1
    while link.count() == 0:
        following = tab.get_by_role("navigation", name="Pages").get_by_role("link", name="Next")
        if following.count() == 0:
            break
        number += 1
        following.click()
        tab.wait_for_url(re.compile(rf"[?&]page={number}\b"))
    return link


def test_member_submits_a_request_and_sees_the_promise(page, live_server):
    uid = unique()
    name = f"Rhea Requester {uid}"
    sign_in(page, account(live_server, "member", name), name)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Submit a request").click()
    expect(page.get_by_role("heading", level=1, name="Submit a request")).to_be_visible()
    check_accessibility(page, context="request form")

    # Without a subject the form comes back with the error next to the field, nothing lost.
    page.get_by_label("Category").select_option(label="App Functionality")
    page.get_by_label("Something minor is wrong").check()
    description = f"Since the last update no watering reminder has arrived on my phone. {uid}"
    page.get_by_label("Description").fill(description)
    page.get_by_role("button", name="Submit request").click()
    error = page.locator("#subject-error")
    expect(error).to_have_text("Enter a subject.")
    subject_box = page.get_by_label("Subject")
    expect(subject_box).to_have_attribute("aria-invalid", "true")
    expect(subject_box).to_have_attribute("aria-describedby", re.compile(r"\bsubject-error\b"))
    expect(page.get_by_label("Description")).to_have_value(description)
    expect(page.get_by_label("Something minor is wrong")).to_be_checked()
    expect(page.get_by_label("Category")).to_have_value("app")
    check_accessibility(page, context="request form with an error")

    # Typing the subject suggests help articles (once the background indexer has built the
    # index: the form asks once per subject, so wait for the index first).
    _wait_for_search_index(page, "Reminders not arriving")
    page.get_by_label("Subject").press_sequentially("Reminders not arriving", delay=20)
    suggestions = page.get_by_role("list", name="These articles might help")
    suggestion = suggestions.get_by_role("link", name="Reminders not arriving", exact=True)
    expect(suggestion).to_be_visible(timeout=INDEX_TIMEOUT)
    assert suggestion.get_attribute("href").startswith("/")
    check_accessibility(page, context="request form with suggestions")
    # Opening a suggestion is logged as a deflection; the form stays as it was.
    with (
        page.context.expect_page() as opened,
        page.expect_response(
            lambda r: r.url.endswith("/requests/deflection") and r.request.method == "POST"
        ) as logged,
    ):
        suggestion.click()
    assert logged.value.status == 204
    opened.value.close()
    with live_server.app.app_context():
        outcomes = db.session.scalars(
            db.select(TicketDeflection.outcome).where(
                TicketDeflection.query == "Reminders not arriving",
                TicketDeflection.article_url == suggestion.get_attribute("href"),
            )
        ).all()
    assert "clicked" in outcomes

    subject = f"Reminders not arriving {uid}"
    page.get_by_label("Subject").fill(subject)
    page.get_by_role("button", name="Submit request").click()
    flash = page.get_by_text(
        re.compile(r"Thank you\. Your request #\d+ is with our support team\.")
    )
    expect(flash).to_be_visible()
    ticket_id = int(re.search(r"/requests/(\d+)$", page.url).group(1))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"#{ticket_id} {subject}")
    expect(page.locator("#ticket-status")).to_have_text("New")
    promise = re.compile(
        r"^We will reply by (today at|tomorrow at|(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day)"
        r" \d\d:\d\d\.$"
    )
    expect(page.locator("#ticket-promise")).to_have_text(promise)
    expect(page.locator(".ticket-message-body").first).to_contain_text(description)
    check_accessibility(page, context="request page")

    # The promised time is the Medium first-response deadline, in the support time zone.
    with live_server.app.app_context():
        created = db.session.get(Ticket, ticket_id).created_at
    due = rules.first_response_due(_policy(live_server), "medium", created)
    zone = ZoneInfo(live_server.app.config["SUPPORT_TIMEZONE"])
    local_due = due.astimezone(zone)
    assert local_due.weekday() < 5 and 9 <= local_due.hour <= 17, local_due
    assert due - created >= timedelta(hours=8)
    expect(page.locator("#ticket-promise")).to_contain_text(local_due.strftime("%H:%M"))

    page.get_by_role("link", name="My requests").click()
    expect(page.get_by_role("heading", level=1, name="My requests")).to_be_visible()
    row = page.get_by_role("row").filter(
        has=page.get_by_role("link", name=f"#{ticket_id} {subject}", exact=True)
    )
    expect(row).to_have_count(1)
    expect(row.get_by_role("cell").nth(1)).to_have_text("App Functionality")
    expect(row.get_by_role("cell").nth(2)).to_have_text("New")
    expect(row.get_by_role("cell").nth(3)).to_have_text(promise)
    expect(row.get_by_role("cell").nth(3)).to_contain_text(local_due.strftime("%H:%M"))
    check_accessibility(page, context="my requests")


def test_agent_claims_and_the_timer_escalates_through_the_tiers(page, tabs, live_server):
    uid = unique()
    requester = f"Tom Tester {uid}"
    member = tabs.open()
    sign_in(member, account(live_server, "member", requester), requester)
    subject = f"Export stops half way {uid}"
    ticket_id = _submit_request(
        member, subject, "Data and Privacy", "Something minor is wrong",
        "The CSV export of my garden stops at 50 percent every time.",
    )  # fmt: skip
    title = f"#{ticket_id} {subject}"

    agent = f"Ada Agent {uid}"
    sign_in(page, account(live_server, "agent_t1", agent), agent)
    link = _open_in_queue(page, 1, "Data and Privacy", title)
    expect(link).to_have_count(1)
    row = page.get_by_role("row").filter(has=link)
    expect(row).to_contain_text("Medium")
    expect(row).to_contain_text("Nobody")
    expect(page.locator("#tier-1-tab")).to_have_attribute("aria-current", "page")
    check_accessibility(page, context="tier 1 queue")
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)

    page.get_by_role("button", name="Claim this ticket").click()
    expect(page.get_by_text(f"You have claimed #{ticket_id}.")).to_be_visible()
    expect(page.locator("#ticket-assignee")).to_have_text(agent)
    expect(page.locator("#ticket-status")).to_have_text("Open")
    expect(page.get_by_role("button", name="Claim this ticket")).to_have_count(0)

    # The SLA timeline: targets and due times computed with the policy in force.
    policy = _policy(live_server)
    created = datetime.fromisoformat(page.locator("#ticket-tier time").get_attribute("datetime"))
    first_due = rules.first_response_due(policy, "medium", created)
    calendar1 = policy.calendar_for_tier(1)
    flag_due = calendar1.add(created, policy.tier1_flag_after)
    tier2_at = calendar1.add(created, policy.tier1_escalate_after)
    expect(page.locator("#ticket-tier")).to_have_text(
        f"Tier 1 since {_local(live_server, created)}"
    )
    expect(page.locator("#sla-first-response")).to_have_text(
        f"Due {_local(live_server, first_due)}"
    )
    expect(page.locator("#next-timer")).to_have_text(_local(live_server, flag_due))
    expect(page.locator("#sla-state")).to_have_text("On time")
    timeline = page.locator("#timeline")
    expect(timeline.locator("li")).to_have_count(3)
    expect(timeline.locator("li").nth(0)).to_contain_text(f"created by {requester}")
    expect(timeline.locator("li").nth(1)).to_contain_text(f"assigned by {agent}")
    expect(timeline.locator("li").nth(2)).to_contain_text(f"status by {agent}")
    check_accessibility(page, context="agent ticket page")

    # 30 minutes of Tier 1 time: flagged, still at Tier 1.
    assert "tier1_attempt_exceeded" in _tick_at(live_server, flag_due)
    page.reload()
    expect(page.locator("#ticket-flags")).to_have_text("tier1 attempt exceeded")
    expect(page.locator("#ticket-tier")).to_contain_text("Tier 1 since")
    flagged = timeline.locator("li", has_text="flagged")
    expect(flagged).to_have_count(1)
    expect(flagged).to_contain_text("by the timer (rule tier1_attempt_exceeded)")
    expect(page.locator("#next-timer")).to_have_text(_local(live_server, tier2_at))

    # An hour of Tier 1 time: the ticket moves to Tier 2 (and the Tier 1 agent lets go of it).
    assert "tier1_to_tier2" in _tick_at(live_server, tier2_at)
    page.reload()
    expect(page.locator("#ticket-tier")).to_have_text(
        f"Tier 2 since {_local(live_server, tier2_at)}"
    )
    escalated = timeline.locator("li", has_text="escalated")
    expect(escalated).to_have_count(1)
    expect(escalated).to_contain_text("by the timer (rule tier1_to_tier2)")
    expect(escalated).to_contain_text("from tier 1")
    expect(escalated).to_contain_text("to tier 2")
    expect(page.locator("#ticket-assignee")).to_have_text("Nobody")
    check_accessibility(page, context="agent ticket page at Tier 2")

    expect(_open_in_queue(page, 1, "Data and Privacy", title)).to_have_count(0)
    expect(_open_in_queue(page, 2, "Data and Privacy", title)).to_have_count(1)

    # One business day of Tier 2 time after reaching Tier 2: Tier 3 (flagged at 4 hours on the way).
    tier3_at = add_business_days(
        policy.calendar_for_tier(2), tier2_at, policy.tier2_escalate_after_business_days
    )
    assert "tier2_to_tier3" in _tick_at(live_server, tier3_at)
    page.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("#ticket-tier")).to_have_text(
        f"Tier 3 since {_local(live_server, tier3_at)}"
    )
    expect(escalated).to_have_count(2)
    expect(escalated.nth(1)).to_contain_text("by the timer (rule tier2_to_tier3)")
    expect(escalated.nth(1)).to_contain_text("from tier 2")
    expect(timeline.locator("li", has_text="rule tier2_attempt_exceeded")).to_have_count(1)
    expect(page.locator("#ticket-flags")).to_contain_text("tier2 attempt exceeded")
    expect(page.locator("#escalate-form")).to_have_count(0)
    expect(_open_in_queue(page, 2, "Data and Privacy", title)).to_have_count(0)
    expect(_open_in_queue(page, 3, "Data and Privacy", title)).to_have_count(1)


def test_requester_cannot_open_another_persons_request(page, tabs, live_server):
    uid = unique()
    owner = f"Olga Owner {uid}"
    sign_in(page, account(live_server, "member", owner), owner)
    subject = f"Refund for a double charge {uid}"
    ticket_id = _submit_request(
        page, subject, "Billing and Payments", "A question or an idea",
        "I was charged twice for Premium this month.",
    )  # fmt: skip
    assert page.goto(f"/requests/{ticket_id}").status == 200

    snoop = f"Sam Snoop {uid}"
    other = tabs.open()
    sign_in(other, account(live_server, "member", snoop), snoop)
    response = other.goto(f"/requests/{ticket_id}")
    assert response.status == 404, response.status
    expect(other.get_by_role("heading", level=1)).to_have_text(NOT_FOUND)
    expect(other.get_by_text(subject)).to_have_count(0)
    check_accessibility(other, context="404 for another person's request")
    # The agents' page of the ticket is for support staff only.
    assert other.goto(f"/requests/{ticket_id}/work").status == 403
    expect(other.get_by_role("heading", level=1)).to_have_text("You can't open this page")
    expect(other.get_by_text(subject)).to_have_count(0)
    other.goto("/requests/")
    expect(other.get_by_role("heading", level=1, name="My requests")).to_be_visible()
    expect(other.get_by_text(subject)).to_have_count(0)


def test_thread_author_escalates_a_forum_thread(page, tabs, live_server):
    uid = unique()
    asker = f"Fern Forum {uid}"
    sign_in(page, account(live_server, "member", asker), asker)
    title = f"My plant photos vanished after the update {uid}"

    page.goto("/community/")
    page.locator("ul.forum-categories").get_by_role("link", name="General", exact=True).click()
    page.locator("#new-thread").click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Your question or message").fill(
        "All photos in my grow journal are grey boxes."
    )
    page.get_by_role("button", name="Post thread").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    thread_path = "/community/t/" + re.search(r"/community/t/(\d+)$", page.url).group(1)
    # A new member's first thread waits for review; it can't be escalated yet.
    expect(page.get_by_role("link", name="Escalate to support")).to_have_count(0)

    # A moderator approves it through the review queue.
    moderator_name = f"Max Moderator {uid}"
    moderator = tabs.open()
    sign_in(moderator, account(live_server, "moderator", moderator_name), moderator_name)
    moderator.goto("/community/moderation/queue")
    item = moderator.locator("a[id^=review-]", has_text=title)
    while item.count() == 0:
        following = moderator.get_by_role("navigation", name="Pages").get_by_role(
            "link", name="Next"
        )
        assert following.count(), f"{title!r} is not in the review queue"
        following.click()
    item.click()
    moderator.get_by_role("button", name="Claim").click()
    expect(moderator.get_by_text("You are handling this item.")).to_be_visible()
    moderator.get_by_role("button", name="Approve", exact=True).click()
    expect(moderator.get_by_text("Done: approve.")).to_be_visible()

    page.goto(thread_path)
    page.get_by_role("button", name="Escalate to support").click()
    expect(page.get_by_role("heading", level=1, name="Escalate to support")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(title)
    check_accessibility(page, context="escalate thread confirmation")
    page.get_by_label("Category").select_option(label="App Functionality")
    page.get_by_label("A core feature is broken").check()
    page.get_by_role("button", name="Escalate to support").click()

    flash = page.get_by_text(
        re.compile(r"Escalated to support as #\d+\. A support agent is on it\.")
    )
    expect(flash).to_be_visible()
    ticket_id = int(re.search(r"/requests/(\d+)$", page.url).group(1))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"#{ticket_id} {title}")
    expect(page.locator("#ticket-status")).to_have_text("New")
    expect(page.locator("#ticket-promise")).to_contain_text("We will reply by")
    expect(page.locator(".ticket-message-body").first).to_contain_text(
        "All photos in my grow journal are grey boxes."
    )
    page.get_by_role("link", name="My requests").click()
    expect(page.get_by_role("link", name=f"#{ticket_id} {title}", exact=True)).to_be_visible()

    # The thread stays public and says a support agent is on it; no second escalation.
    page.goto(thread_path)
    expect(page.get_by_role("status").filter(has_text="A support agent is on it")).to_have_text(
        f"A support agent is on it (request #{ticket_id})."
    )
    expect(page.get_by_role("button", name="Escalate to support")).to_have_count(0)
    check_accessibility(page, context="escalated thread")
    visitor = tabs.open()
    visitor.goto(thread_path)
    expect(visitor.get_by_text(f"A support agent is on it (request #{ticket_id}).")).to_be_visible()
