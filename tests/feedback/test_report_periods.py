"""The common-issues report's periods follow the support time zone (weeks across a DST change,
months at their local boundary), worst articles count the period's votes, rising topics
include the ticket's category and guide, and the team's training form offers them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.feedback import report_rules as rules

BERLIN = "Europe/Berlin"


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "start", "end", "previous_start", "hours", "label"),
    [
        # Summer time ends on Sunday 25 October 2026: that week is 169 hours long.
        (utc(2026, 10, 27, 9), utc(2026, 10, 18, 22), utc(2026, 10, 25, 23), utc(2026, 10, 11, 22),
         169, "Week 2026-W43 (19 Oct – 25 Oct 2026)"),  # noqa: RUF001
        # Summer time starts on Sunday 29 March 2026: 167 hours.
        (utc(2026, 4, 1, 9), utc(2026, 3, 22, 23), utc(2026, 3, 29, 22), utc(2026, 3, 15, 23),
         167, "Week 2026-W13 (23 Mar – 29 Mar 2026)"),  # noqa: RUF001
        # Monday 00:30 in Berlin is still Sunday in UTC: the week just ended is the report's.
        (utc(2026, 11, 22, 23, 30), utc(2026, 11, 15, 23), utc(2026, 11, 22, 23),
         utc(2026, 11, 8, 23), 168, "Week 2026-W47 (16 Nov – 22 Nov 2026)"),  # noqa: RUF001
    ],
)  # fmt: skip
def test_weeks_are_the_support_time_zones(now, start, end, previous_start, hours, label):
    period = rules.last_complete_period(rules.WEEKLY, now, BERLIN)
    assert (period.start, period.end, period.previous_start) == (start, end, previous_start)
    assert period.end - period.start == timedelta(hours=hours)
    assert period.label == label
    assert period.key == f"weekly-{period.first_day:%Y-%m-%d}"
    assert rules.period_starting(rules.WEEKLY, period.first_day, BERLIN) == period


def test_months_begin_at_local_midnight():
    # 00:30 on 1 December in Berlin is 23:30 on 30 November in UTC: November has ended.
    period = rules.last_complete_period(rules.MONTHLY, utc(2026, 11, 30, 23, 30), BERLIN)
    assert period.label == "November 2026" and period.key == "monthly-2026-11-01"
    assert (period.start, period.end) == (utc(2026, 10, 31, 23), utc(2026, 11, 30, 23))
    # October ends an hour later in UTC than it starts (it has the DST change).
    assert period.previous_start == utc(2026, 9, 30, 22)
    # The same instant in UTC still lies in November, whose last complete month is October.
    assert rules.last_complete_period(rules.MONTHLY, utc(2026, 11, 30, 23, 30)).label == (
        "October 2026"
    )
    january = rules.last_complete_period(rules.MONTHLY, utc(2027, 1, 5), BERLIN)
    assert (january.label, january.previous_start) == ("December 2026", utc(2026, 10, 31, 23))


def test_tickets_near_midnight_count_in_their_local_month(app, factory, runner):
    from app.feedback import reports

    person = factory.user()
    # 00:30 on 1 November in Berlin (still 31 October in UTC): November's.
    factory.ticket(person, utc(2026, 10, 31, 23, 30), category="billing", subject="Refund")
    # 00:30 on 1 December in Berlin: December's, not November's.
    factory.ticket(person, utc(2026, 11, 30, 23, 30), category="billing", subject="Refund")
    # 23:30 on 31 October in Berlin: October's.
    factory.ticket(person, utc(2026, 10, 31, 22, 30), category="billing", subject="Refund")
    with app.app_context():
        report = reports.build(reports.last_complete_period("monthly", utc(2026, 12, 2)))
    billing = next(r for r in report.volume["category"] if r.label == "Billing and Payments")
    assert (billing.current, billing.previous) == (1, 1)
    # The command run just after local midnight reports the month that has just ended.
    result = runner.invoke(args=["reports", "send", "--monthly", "--at", "2026-11-30T23:30"])
    assert result.output.startswith("November 2026:"), result.output


def test_report_page_takes_the_local_first_day(app, client, auth, factory):
    auth.login(factory.user("agent_t1"))
    page = client.get("/feedback/reports/monthly?start=2026-11-01")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "November 2026" in text and "start=2026-10-01" in text
    markdown = client.get("/feedback/reports/weekly?start=2026-10-19&format=md")
    assert "Period 2026-10-19 to 2026-10-25 (both included, days in Europe/Berlin)" in (
        markdown.get_data(as_text=True)
    )


def test_worst_articles_count_the_periods_votes(app, factory):
    from app.feedback import reports
    from app.kb.feedback import cast_vote
    from app.kb.models import Article
    from app.outbox import commit

    week = utc(2026, 11, 16, 9)
    before, long_ago = week - timedelta(days=7), week - timedelta(days=60)
    people = [factory.user() for _ in range(5)]
    sync = factory.article(long_ago, "Sync conflicts", "1. Pull\n2. Push\n")
    photos = factory.article(long_ago, "Photo upload fails", "1. Retry\n")
    old = factory.article(long_ago, "Old app version", "1. Update\n")

    def vote(article_id, person, helpful, when):
        cast_vote(db.session.get(Article, article_id), helpful=helpful, reason="", now=when,
                  user_id=person.id)  # fmt: skip

    with app.app_context():
        # Sync: liked the week before (3 of 3), disliked this week (1 of 3), one person
        # changing their mind this week (the vote counts where it was last cast).
        for person in people[:3]:
            vote(sync, person, True, before)
        vote(sync, people[0], False, week)
        vote(sync, people[3], False, week)
        vote(sync, people[4], True, week)
        # Photos: 2 of 4 helpful this week, nothing before.
        for person, helpful in zip(people[:4], (True, False, True, False), strict=True):
            vote(photos, person, helpful, week)
        # An article disliked long ago, and only 2 votes this week: not enough to rank.
        for person in people:
            vote(old, person, False, long_ago)
        vote(old, people[0], False, week)
        vote(old, people[1], False, week)
        commit()
        report = reports.build(reports.last_complete_period("weekly", utc(2026, 11, 24, 8)))
    assert report.worst_articles == [
        ("Sync conflicts", 1, 3, 2, 2),
        ("Photo upload fails", 2, 4, "", ""),
    ]


def test_rising_topics_name_categories_and_guides(app, factory):
    from app.feedback import reports
    from app.kb.models import Article

    week, before = utc(2026, 11, 17, 9), utc(2026, 11, 10, 9)
    person, agent = factory.user(), factory.user("agent_t1")
    guide = factory.article(before, "Reminders not arriving", "1. Check\n2. Restart\n")
    with app.app_context():
        slug = db.session.get(Article, guide).slug
    ids = [
        factory.ticket(person, week, category="billing", subject="Charged twice"),
        factory.ticket(person, week, category="billing", subject="Invoice missing"),
        factory.ticket(person, week, category="app", subject="Silent phone",
                       guide_slug=slug, guide_steps=2),
        factory.ticket(person, week, category="app", subject="Nothing arrives",
                       guide_slug=slug, guide_steps=1),
    ]  # fmt: skip
    factory.ticket(person, before, category="billing", subject="Receipt please")
    # A forum thread brings its title's words (the forum has no tags) and no example ticket.
    factory.thread(agent, "Invoice layout", category="general", now=week)
    with app.app_context():
        report = reports.build(reports.last_complete_period("weekly", utc(2026, 11, 24, 8)))
    rising = {row.label: (row.current, row.previous) for row in report.rising_topics}
    assert rising["guide: Reminders not arriving"] == (2, 0)
    assert rising["category: App Functionality"] == (2, 0)
    assert rising["invoice"] == (2, 0)
    # Billing rose from 1 to 2: a rise of one, still listed (2 uses now).
    assert rising["category: Billing and Payments"] == (2, 1)
    assert report.topic_tickets["guide: Reminders not arriving"] == ids[2:]
    assert report.topic_tickets["invoice"] == [ids[1]]


def test_the_monthly_training_form_offers_the_reports_rising_topics(app, client, auth, factory):
    from app.feedback import reports
    from app.models import utcnow

    with app.app_context():
        month = reports.last_complete_period("monthly", utcnow())
    person = factory.user()
    inside = month.start + timedelta(days=3)
    refunds = [
        factory.ticket(person, inside, category="billing", subject=f"Refund {word}")
        for word in ("request", "overdue", "missing")
    ]
    factory.ticket(person, month.previous_start + timedelta(days=3), subject="Refund")
    with app.app_context():
        offered = app.extensions["rising_topics_provider"]()
    assert offered[0] == {"topic": "category: Billing and Payments", "ticket_ids": refunds}
    assert {"topic": "refund", "ticket_ids": refunds} in offered
    auth.login(factory.user("admin"))
    html = client.get("/team/training/monthly/new").get_data(as_text=True)
    assert 'value="refund"' in html and "refund (3 example tickets)" in html
    chosen = client.get("/team/training/monthly/new?topic=refund").get_data(as_text=True)
    assert 'value="Product update: refund"' in chosen
