"""The common-issues report: volumes with their change, rising topics, searches without
results, guide give-ups, worst articles, feature requests counted once per person, bad rating
reasons; shown to staff, exported, and mailed once per period."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.extensions import db

# The week of Monday 16 November 2026; the week before starts on the 9th.
WEEK = datetime(2026, 11, 16, 9, tzinfo=UTC)
BEFORE = datetime(2026, 11, 9, 9, tzinfo=UTC)
REPORT_AT = datetime(2026, 11, 24, 8, tzinfo=UTC)


@pytest.fixture
def seeded(app, factory, surveys):
    from app.accounts.models import User
    from app.feedback import csat
    from app.forum.models import ForumThread
    from app.forum.thread_actions import merge_threads
    from app.kb.feedback import cast_vote
    from app.kb.models import Article, GuideOutcome
    from app.outbox import commit
    from app.search.services import write_queries
    from app.tickets import workspace
    from app.tickets.models import Ticket

    members = [factory.user() for _ in range(4)]
    agent = factory.user("agent_t1")
    # Volume: 3 billing + 1 bug this week; 1 billing the week before.
    for person in members[:3]:
        factory.ticket(person, WEEK, category="billing", subject="Refund for double charge")
    factory.ticket(members[3], WEEK, category="bug", subject="Reminders crash on sync")
    factory.ticket(members[0], BEFORE, category="billing", subject="Invoice address")
    # Feature requests: a ticket about dark mode and its duplicate by the same person (one
    # request, one person); a forum thread about calendar export with 3 different posters, and
    # a fourth person's duplicate thread merged into it.
    first = factory.ticket(members[0], WEEK, category="feature_request", subject="Dark mode")
    dup = factory.ticket(members[0], WEEK, category="feature_request", subject="Night theme")
    thread = factory.thread(agent, "Calendar export please", category="feature-requests", now=WEEK)
    for person in members[1:3]:
        factory.reply(thread, person, now=WEEK + timedelta(hours=1))
    moderator = factory.user("moderator")
    duplicate = factory.thread(moderator, "Export to calendar", category="feature-requests",
                               now=WEEK)  # fmt: skip
    factory.reply(duplicate, members[3], now=WEEK + timedelta(hours=1))
    article = factory.article(WEEK, "Reminders not arriving", "1. Check\n2. Restart\n")
    with app.app_context():
        staff = db.session.get(User, agent.id)
        workspace.merge(staff, db.session.get(Ticket, dup), first, WEEK + timedelta(hours=2))
        merge_threads(db.session.get(ForumThread, duplicate), db.session.get(ForumThread, thread),
                      db.session.get(User, moderator.id), "same idea", WEEK)  # fmt: skip
        slug = db.session.get(Article, article).slug
        for helpful, person in ((False, members[0]), (False, members[1]), (True, members[2])):
            cast_vote(db.session.get(Article, article), helpful=helpful, reason="", now=WEEK,
                      user_id=person.id)  # fmt: skip
        db.session.add(GuideOutcome(article_id=article, outcome="not_solved", steps_tried=2,
                                    steps_total=2, user_id=None, created_at=WEEK))  # fmt: skip
        write_queries({("dark mode", 0, WEEK.isoformat(), "t1"): 1,
                       ("dark mode", 0, (WEEK + timedelta(hours=1)).isoformat(), "t2"): 1,
                       ("basil", 4, WEEK.isoformat(), "t3"): 1}, WEEK)  # fmt: skip
        commit()
    factory.ticket(members[2], WEEK, category="app", subject="Reminders stopped",
                   guide_slug=slug, guide_steps=2)  # fmt: skip
    # A bad rating with a reason, this week.
    rated = surveys.solved_ticket(members[3], agent, WEEK - timedelta(days=1))
    surveys.tick(WEEK)
    with app.app_context():
        survey = csat.survey_of_user(db.session.get(User, members[3].id),
                                     surveys.survey(rated).id)  # fmt: skip
        csat.answer(survey, "bad", "It took too long", None, "page", WEEK + timedelta(hours=3))
        commit()
    return {"agent": agent, "members": members}


def _build(app):
    from app.feedback import reports

    with app.app_context():
        return reports.build(reports.last_complete_period("weekly", REPORT_AT))


def test_the_report_counts_what_happened(app, seeded):
    report = _build(app)
    # Weeks are the support time zone's (the default policy's Europe/Berlin).
    assert report.period.start == datetime(2026, 11, 16, tzinfo=ZoneInfo("Europe/Berlin"))
    billing = next(r for r in report.volume["category"] if r.label == "Billing and Payments")
    assert (billing.current, billing.previous, billing.change) == (3, 1, 2)
    assert {r.label for r in report.volume["channel"]} >= {"Web form", "E-mail"}
    rising = {r.label: (r.current, r.previous) for r in report.rising_topics}
    assert {r.label for r in report.rising_topics[:3]} == {"charge", "double", "refund"}
    # "Calendar export please" and the merged "Export to calendar" were both new this week.
    assert rising["calendar"] == (2, 0) and rising["export"] == (2, 0)
    # Two new subjects name reminders; the week before, the solved ticket's subject did.
    assert rising["reminders"] == (2, 1)
    assert report.searches_without_results == [("dark mode", 2)]
    assert report.guide_give_ups == [("Reminders not arriving", 2, 2, 2)]
    # No votes the week before: the comparison cells are empty.
    assert report.worst_articles == [("Reminders not arriving", 1, 3, "", "")]
    # agent, two repliers, and the moderator and the member whose thread was merged in
    assert report.feature_requests[0] == ("Calendar export please", "forum", 5)
    # the duplicate ticket is no request of its own, and its requester counts once
    assert report.feature_requests[1:] == [("Dark mode", "ticket", 1)]
    assert report.bad_reasons == [("It took too long", 1)]


def test_staff_page_and_exports(app, client, auth, seeded, factory):
    auth.login(factory.user())
    assert client.get("/feedback/reports/weekly?start=2026-11-16").status_code == 403
    assert 'id="menu-common-issues"' not in client.get("/requests/").get_data(as_text=True)
    auth.switch_to(seeded["agent"])
    assert 'id="menu-common-issues"' in client.get("/requests/").get_data(as_text=True)
    page = client.get("/feedback/reports/weekly?start=2026-11-16")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Calendar export please" in text and "It took too long" in text
    markdown = client.get("/feedback/reports/weekly?start=2026-11-16&format=md")
    assert markdown.mimetype == "text/markdown"
    assert "| Billing and Payments | 3 | 1 | +2 |" in markdown.get_data(as_text=True)
    exported = client.get("/feedback/reports/weekly?start=2026-11-16&format=csv")
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert {
        "period": "weekly-2026-11-16",
        "section": "Ticket volume by category",
        "item": "Billing and Payments",
        "measure": "Previous",
        "value": "1",
    } in rows
    for bad in ("start=2026-11-17", "start=soon", "start=2099-01-05", "format=xls"):
        assert client.get(f"/feedback/reports/weekly?{bad}").status_code == 404
    assert client.get("/feedback/reports/daily").status_code == 404


def test_sent_once_per_period_to_the_configured_list(app, runner, seeded, mailbox):
    app.config["FEEDBACK_REPORT_WEEKLY_TO"] = ["team@growgrebuddy.test", "lead@growgrebuddy.test"]
    first = runner.invoke(args=["reports", "send", "--weekly", "--at", "2026-11-24T08:00"])
    assert "sent to 2 address(es)" in first.output, first.output
    again = runner.invoke(args=["reports", "send", "--weekly", "--at", "2026-11-25T08:00"])
    assert "already sent" in again.output, again.output
    # Mail goes out after the commit, inline within a time budget, else from the drain.
    runner.invoke(args=["outbox", "drain"])
    sent = [m for m in mailbox.messages() if m["Subject"].startswith("Common issues")]
    assert sorted(m["To"] for m in sent) == ["lead@growgrebuddy.test", "team@growgrebuddy.test"]
    assert "Calendar export please" in sent[0].get_content()
    monthly = runner.invoke(args=["reports", "send", "--monthly", "--at", "2026-12-01T08:00"])
    assert "recorded; no recipients configured" in monthly.output
    assert runner.invoke(args=["reports", "send"]).exit_code != 0


def test_csv_cells_never_become_formulas(app, factory):
    from app.feedback import report_rules

    factory.ticket(factory.user(), WEEK, category="bug", subject="=HYPERLINK(evil) crash")
    with app.app_context():
        period = report_rules.last_complete_period("weekly", REPORT_AT)
        report = report_rules.Report(period=period,
                                     bad_reasons=[("=cmd|' /C calc'!A0", 1)])  # fmt: skip
        text = report_rules.to_csv(report)
    assert "'=cmd" in text and "\n=cmd" not in text and ",=cmd" not in text
