"""What agents and requesters read: history sentences, countdowns and the support time zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from app.extensions import db
from app.outbox import commit
from app.tickets import workspace


def _claim(app, agent, ticket_id, now):
    with app.app_context():
        from app.accounts.models import User

        ticket = workspace.get_ticket_for_agent(db.session.get(User, agent.id), ticket_id)
        workspace.claim(db.session.get(User, agent.id), ticket, now)
        commit()


def test_timeline_reads_as_sentences_with_links(app, factory, auth, client, tickets):
    member = factory.user(display_name="Rosa Requester")
    agent = factory.user("agent_t1", display_name="Alex Agent")
    now = datetime.now(UTC) - timedelta(minutes=5)
    ticket_id = tickets.create(member, now, impact="blocked")
    _claim(app, agent, ticket_id, now + timedelta(minutes=1))
    auth.login(agent)
    page = client.get(f"/requests/{ticket_id}/work").get_data(as_text=True)
    history = page.split('id="timeline"', 1)[1].split("</ol>", 1)[0]
    text = re.sub(r"<[^>]+>", "", history)
    assert "Rosa Requester submitted the request on the website" in text
    assert "Alex Agent claimed the ticket" in text
    assert "Alex Agent changed the status from New to Open" in text
    assert "Escalated automatically from Tier 1 to Tier 3" in text
    for raw in ("assignee_id", "claimed True", "forum_thread_id", "entered_at", "None"):
        assert raw not in text
    assert f'href="/community/users/{agent.id}"' in history
    # Times are local (support time zone) and readable, never ISO strings.
    assert not re.search(r">\s*\d{4}-\d\d-\d\dT", history)


def test_countdowns_on_workspace_and_queue(app, factory, auth, client, tickets):
    member = factory.user()
    agent = factory.user("agent_t3")
    now = datetime.now(UTC)
    due_soon = tickets.create(member, now, impact="blocked", subject="Soon")
    late = tickets.create(member, now - timedelta(days=10), impact="broken", subject="Late")
    auth.login(agent)
    work = client.get(f"/requests/{due_soon}/work").get_data(as_text=True)
    assert re.search(r"due in (59 min|1 h)\b", work)
    late_page = client.get(f"/requests/{late}/work").get_data(as_text=True)
    assert re.search(r"breached \d+ d( \d+ h)? ago", late_page)
    queue = client.get("/requests/queue?tier=3").get_data(as_text=True)
    assert re.search(r"due in (59 min|1 h)\b", queue)
    # The countdown carries its deadline so the page can keep it fresh.
    assert re.search(r'data-countdown="\d{4}-\d\d-\d\dT[^"]+"', work)


def test_promise_to_requester_names_the_time_zone(app, factory, auth, client, tickets):
    member = factory.user()
    ticket_id = tickets.create(member, datetime.now(UTC), impact="blocked")
    auth.login(member)
    page = client.get(f"/requests/{ticket_id}").get_data(as_text=True)
    assert re.search(r"We will reply by [^<]*\d\d:\d\d \(Berlin time\)\.", page)
    listing = client.get("/requests/").get_data(as_text=True)
    assert "(Berlin time)" in listing
