"""Weekly meeting pages (figures from tickets, flags, notes, action items carried over) and
the monthly review with product and development (ranked by affected users, decisions)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

from app.models import utcnow
from app.team import rules


def _this_monday():
    return rules.week_start(utcnow().date())


def _last_week(days: float) -> datetime:
    """A time ``days`` after last week's Monday 00:00 UTC."""
    start = datetime.combine(_this_monday() - timedelta(days=7), time(0), tzinfo=UTC)
    return start + timedelta(days=days)


def test_weekly_page_is_for_the_team_only(client, auth, factory):
    assert client.get("/team/weekly").status_code == 302
    auth.login(factory.user("member"))
    assert client.get("/team/weekly").status_code == 403
    assert client.get(f"/team/weekly/{_this_monday().isoformat()}").status_code == 403


def test_weekly_page_figures_are_last_weeks_and_kept(client, auth, factory):
    member = factory.user()
    for day in (1, 2, 3):
        factory.ticket(member, now=_last_week(day))
    factory.ticket(member, now=_last_week(-3))  # the week before: backlog only
    auth.login(factory.user("agent_t1"))
    page = client.get("/team/weekly", follow_redirects=True)
    html = page.get_data(as_text=True)
    assert page.request.path == f"/team/weekly/{_this_monday().isoformat()}"
    assert re.search(r'id="figure-volume">3<', html)
    assert re.search(r'id="figure-backlog">4<', html)
    assert "No replies" in html
    # Kept as made: a later ticket in last week does not change this week's page.
    factory.ticket(member, now=_last_week(4))
    html = client.get(f"/team/weekly/{_this_monday().isoformat()}").get_data(as_text=True)
    assert re.search(r'id="figure-volume">3<', html)
    # A date inside the week leads to its Monday; a future week or a bad date is a 404.
    thursday = _this_monday() - timedelta(days=4)
    moved = client.get(f"/team/weekly/{thursday.isoformat()}")
    assert moved.status_code == 302 and moved.location.endswith(
        f"/team/weekly/{(_this_monday() - timedelta(days=7)).isoformat()}"
    )
    future = _this_monday() + timedelta(days=7)
    assert client.get(f"/team/weekly/{future.isoformat()}").status_code == 404
    assert client.get("/team/weekly/2026-02-30").status_code == 404


def test_notes_and_action_items_carried_over_until_done(client, auth, factory):
    lead = factory.user("admin")
    owner = factory.user("agent_t2", display_name="Olu Owner")
    auth.login(lead)
    last = (_this_monday() - timedelta(days=7)).isoformat()
    this = _this_monday().isoformat()
    empty = client.post(f"/team/weekly/{last}/notes", data={"body": " "})
    assert empty.status_code == 422 and 'id="body-error"' in empty.get_data(as_text=True)
    client.post(f"/team/weekly/{last}/notes", data={"body": "Refund macro **unclear**"})
    no_owner = client.post(
        f"/team/weekly/{last}/actions",
        data={"text": "Rewrite refund macro", "due_on": "2026-12-20"},
    )
    assert no_owner.status_code == 422 and 'id="owner-error"' in no_owner.get_data(as_text=True)
    client.post(f"/team/weekly/{last}/actions", data={
        "text": "Rewrite refund macro", "owner": str(owner.id), "due_on": "2026-12-20",
    })  # fmt: skip
    html = client.get(f"/team/weekly/{last}").get_data(as_text=True)
    assert "Refund macro <strong>unclear</strong>" in html and "Olu Owner" in html
    html = client.get(f"/team/weekly/{this}").get_data(as_text=True)
    assert "Rewrite refund macro" in html and "Carried over" in html
    assert "Refund macro" not in html  # notes stay with their week
    item_id = re.search(r'id="action-(\d+)"', html).group(1)
    client.post(f"/team/weekly/{this}/actions/{item_id}/done")
    html = client.get(f"/team/weekly/{this}").get_data(as_text=True)
    assert "Rewrite refund macro" in html and ">Done<" in html  # done this week: still listed
    auth.switch_to(owner)
    # Next week's page (once it exists) no longer carries it.
    with client.application.app_context():
        from app.extensions import db
        from app.outbox import commit
        from app.team import meetings

        user = db.session.merge(owner)
        later = meetings.weekly_meeting(user, _this_monday() + timedelta(days=7),
                                        utcnow() + timedelta(days=7))  # fmt: skip
        commit()
        assert [item.text for item in meetings.actions_for(later)] == []


def test_ticket_flagged_for_discussion_until_discussed(client, auth, factory):
    ticket_id = factory.ticket(factory.user(), subject="Refund loop for annual plan")
    agent = factory.user("agent_t1")
    auth.login(agent)
    work = client.get(f"/requests/{ticket_id}/work").get_data(as_text=True)
    assert 'id="discuss-at-weekly"' in work
    client.post(f"/team/tickets/{ticket_id}/discuss", data={"reason": "Policy unclear"})
    work = client.get(f"/requests/{ticket_id}/work").get_data(as_text=True)
    assert "Flagged for the weekly meeting: Policy unclear." in work
    this = _this_monday().isoformat()
    html = client.get(f"/team/weekly/{this}").get_data(as_text=True)
    assert "Refund loop for annual plan" in html and "Policy unclear" in html
    flag_id = re.search(r'id="flag-(\d+)"', html).group(1)
    client.post(f"/team/weekly/{this}/flags/{flag_id}/discussed")
    assert "Discussed" in client.get(f"/team/weekly/{this}").get_data(as_text=True)
    assert 'id="discuss-at-weekly"' in client.get(f"/requests/{ticket_id}/work").get_data(
        as_text=True
    )
    assert client.post("/team/tickets/999999/discuss").status_code == 404
    long = client.post(f"/team/tickets/{ticket_id}/discuss", data={"reason": "x" * 301},
                       follow_redirects=True)  # fmt: skip
    assert "Not flagged" in long.get_data(as_text=True)


def test_monthly_review_ranks_by_affected_users_and_keeps_decisions(client, auth, factory):
    now = utcnow()
    people = [factory.user() for _ in range(3)]
    dark = [factory.ticket(p, now=now, category="feature_request", subject="Dark mode")
            for p in people]  # fmt: skip
    factory.ticket(people[0], now=now, category="feature_request", subject="dark  MODE")
    factory.ticket(people[1], now=now, category="feature_request", subject="CSV export")
    crash = factory.ticket(people[2], now=now, category="bug", subject="Crash on photo upload")
    factory.ticket(people[2], now=now, category="app", subject="Not ranked")
    auth.login(factory.user("agent_t3"))
    month = rules.month_key(now.date())
    html = client.get("/team/monthly", follow_redirects=True).get_data(as_text=True)
    assert "Not ranked" not in html
    features = html.split("Feature requests, by affected users")[1].split("</ol>")[0]
    assert features.index("Dark mode") < features.index("CSV export")
    assert "3 affected users" in features and "1 affected user<" in features
    assert f"/requests/{dark[0]}/work" in features
    assert f"/requests/{crash}/work" in html
    bad = client.post(f"/team/monthly/{month}", data={"text": "Build it", "ticket": "999999"})
    assert bad.status_code == 422 and 'id="ticket-error"' in bad.get_data(as_text=True)
    client.post(f"/team/monthly/{month}", data={"text": "Dark mode in Q1", "ticket": dark[0]})
    html = client.get(f"/team/monthly/{month}").get_data(as_text=True)
    assert "Dark mode in Q1" in html
    assert client.get("/team/monthly/2026-13").status_code == 404
    assert client.get("/team/monthly/2999-01").status_code == 404


def test_ticket_panel_suggests_internal_runbooks_and_public_articles(client, auth, factory, now):
    from app.extensions import db
    from app.kb.models import Article
    from app.outbox import commit

    runbook = factory.article(now, "Billing runbook", "Steps.", tags=["runbook", "billing"],
                              section="billing-and-payments")  # fmt: skip
    tier3 = factory.article(now, "Billing data repair", "Steps.", tags=["billing"],
                            section="billing-and-payments")  # fmt: skip
    factory.article(now, "Request a refund", "How.", tags=["refund"],
                    section="billing-and-payments")  # fmt: skip
    with client.application.app_context():
        db.session.get(Article, runbook).visibility = "internal"
        repair = db.session.get(Article, tier3)
        repair.visibility, repair.audience = "internal", ",agent_t3,"
        commit()
    ticket_id = factory.ticket(factory.user(), category="billing", subject="Refund please",
                               description="I want a refund for the annual plan.")  # fmt: skip
    auth.login(factory.user("agent_t1"))
    html = client.get(f"/requests/{ticket_id}/work").get_data(as_text=True)
    internal = html.split('id="panel-internal"')[1].split("</ul>")[0]
    public = html.split('id="panel-public"')[1].split("</ul>")[0]
    assert "Billing runbook" in internal and "Billing data repair" not in internal
    assert "Request a refund" in public and "Billing runbook" not in public
