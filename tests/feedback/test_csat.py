"""Satisfaction after a solved ticket: every eligibility rule, the delay, one decision per
ticket, attribution, and the follow-up of bad ratings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db


@pytest.fixture
def people(factory):
    return {
        "requester": factory.user(),
        "agent": factory.user("agent_t1"),
        "other_agent": factory.user("agent_t2"),
        "lead": factory.user("admin"),
    }


def test_asked_a_day_after_solving_by_mail_attributed_to_the_last_public_replier(
    app, surveys, people, now
):
    from app.outbox import commit
    from app.tickets import workspace
    from app.tickets.models import Ticket

    ticket_id = surveys.solved_ticket(people["requester"], people["agent"], now)
    with app.app_context():
        # The second agent writes only an internal note: the rating stays the first agent's.
        ticket = db.session.get(Ticket, ticket_id)
        workspace.agent_reply(db.session.merge(people["other_agent"]), ticket, "note",
                              now + timedelta(minutes=5), internal=True)  # fmt: skip
        commit()
    surveys.tick(now + timedelta(hours=23, minutes=59))
    assert surveys.survey(ticket_id) is None
    assert not [m for m in surveys.mails_to(people["requester"].email)
                if "How did we do" in m["Subject"]]  # fmt: skip

    result = surveys.tick(now + timedelta(hours=24))
    assert result["satisfaction surveys"] == {"sent": 1}
    survey = surveys.survey(ticket_id)
    assert (survey.state, survey.agent_id, survey.channel) == ("sent", people["agent"].id, "web")
    mail = surveys.mails_to(people["requester"].email)[-1]
    assert mail["Subject"] == f"[#{ticket_id}] How did we do?"
    paths = surveys.links(mail)
    assert any(p.startswith("/feedback/rate/") and p.endswith("rating=good") for p in paths)
    assert any(p.startswith("/feedback/rate/") and p.endswith("rating=bad") for p in paths)
    assert any(p.startswith("/feedback/opt-out/") for p in paths)


def test_at_most_once_per_ticket(surveys, people, now):
    ticket_id = surveys.solved_ticket(people["requester"], people["agent"], now)
    later = now + timedelta(days=1)
    surveys.tick(later)
    surveys.tick(later + timedelta(hours=1))
    surveys.tick(later + timedelta(days=2))
    assert len([m for m in surveys.mails_to(people["requester"].email)
                if m["Subject"].endswith("How did we do?")]) == 1  # fmt: skip
    assert surveys.survey(ticket_id).state == "sent"


def test_reopened_before_the_delay_is_not_asked_then_asked_a_day_after_the_new_solve(
    app, surveys, people, now
):
    from app.accounts.models import User
    from app.outbox import commit
    from app.tickets import services, workspace
    from app.tickets.models import Ticket

    ticket_id = surveys.solved_ticket(people["requester"], people["agent"], now)
    with app.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        services.reopen(
            db.session.get(User, people["requester"].id), ticket, now + timedelta(hours=3)
        )
        commit()
    surveys.tick(now + timedelta(days=1, hours=1))
    assert surveys.survey(ticket_id) is None
    with app.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        workspace.agent_reply(db.session.get(User, people["agent"].id), ticket, "Try again now",
                              now + timedelta(days=2), status_after="solved")  # fmt: skip
        commit()
    surveys.tick(now + timedelta(days=2, hours=23))
    assert surveys.survey(ticket_id) is None
    surveys.tick(now + timedelta(days=3))
    assert surveys.survey(ticket_id).state == "sent"


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("no_public_reply", "no_public_reply"),
        ("staff_requester", "staff_requester"),
        ("opted_out", "opted_out"),
        ("merged", "closed_as_excluded"),
        ("spam", "closed_as_excluded"),
    ],
)
def test_each_exclusion_is_recorded_and_sends_nothing(
    app, surveys, people, factory, now, case, reason
):
    from app.accounts.models import User
    from app.feedback import services as feedback
    from app.outbox import commit
    from app.tickets import workspace
    from app.tickets.models import Ticket

    requester = factory.user("agent_t3") if case == "staff_requester" else people["requester"]
    ticket_id = surveys.solved_ticket(
        requester, people["agent"], now, reply=None if case == "no_public_reply" else True
    )
    with app.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        agent = db.session.get(User, people["agent"].id)
        if case == "opted_out":
            feedback.set_opt_out(db.session.get(User, requester.id), True, now)
        elif case == "merged":
            target = factory.ticket(requester, now)
            workspace.merge(agent, ticket, target, now + timedelta(minutes=1))
            ticket.status, ticket.solved_at = "closed", now  # closed as a duplicate after solving
        elif case == "spam":
            ticket.flags = [*ticket.flags, "spam"]
        commit()
    surveys.tick(now + timedelta(days=1))
    survey = surveys.survey(ticket_id)
    assert (survey.state, survey.skip_reason) == ("skipped", reason)
    assert not [m for m in surveys.mails_to(requester.email) if "How did we do" in m["Subject"]]


def test_staff_and_reply_rules_are_settings(app, surveys, people, factory, now):
    app.config.update(CSAT_SKIP_STAFF=False, CSAT_REQUIRE_PUBLIC_REPLY=False)
    staff_requester = factory.user("agent_t3")
    ticket_id = surveys.solved_ticket(staff_requester, people["agent"], now, reply=None)
    surveys.tick(now + timedelta(days=1))
    assert surveys.survey(ticket_id).state == "sent"


def test_the_delay_is_a_setting_and_old_tickets_are_never_surveyed(app, surveys, people, now):
    app.config.update(CSAT_DELAY_HOURS=2.0, CSAT_SEND_WINDOW_DAYS=1)
    old = surveys.solved_ticket(people["requester"], people["agent"], now - timedelta(days=5))
    fresh = surveys.solved_ticket(people["requester"], people["agent"], now)
    surveys.tick(now + timedelta(hours=2))
    assert surveys.survey(old) is None
    assert surveys.survey(fresh).state == "sent"


def test_a_chat_that_ends_is_asked_at_once(app, surveys, people, now):
    from app.feedback.csat import request_rating
    from app.outbox import commit
    from app.tickets.models import Ticket

    ticket_id = surveys.solved_ticket(people["requester"], people["agent"], now)
    with app.app_context():
        survey = request_rating(db.session.get(Ticket, ticket_id), now)
        assert (survey.state, survey.source, survey.channel) == ("sent", "chat", "chat")
        commit()
        assert request_rating(db.session.get(Ticket, ticket_id), now) is None
    assert surveys.mails_to(people["requester"].email)[-1]["Subject"].endswith("How did we do?")


def test_a_bad_rating_is_logged_on_the_ticket_and_waits_for_the_lead(
    app, client, auth, surveys, people, now
):
    from app.feedback import csat
    from app.outbox import commit
    from app.tickets.models import TicketEvent

    ticket_id = surveys.solved_ticket(people["requester"], people["agent"], now)
    surveys.tick(now + timedelta(days=1))
    with app.app_context():
        survey = csat.survey_of_user(db.session.merge(people["requester"]),
                                     surveys.survey(ticket_id).id)  # fmt: skip
        csat.answer(
            survey, "bad", "It took too long", "Three days!", "page", now + timedelta(days=2)
        )
        commit()
        kinds = db.session.scalars(
            select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket_id)
        ).all()
        assert "csat_rated" in kinds

    auth.login(people["agent"])
    page = client.get(f"/requests/{ticket_id}/work")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "It took too long" in text and "Three days!" in text and "waiting for follow-up" in text
    assert "rated the support bad" in text
    assert client.get("/feedback/follow-ups").status_code == 403

    auth.switch_to(people["lead"])
    listing = client.get("/feedback/follow-ups").get_data(as_text=True)
    assert f"#{ticket_id}" in listing
    survey_id = surveys.survey(ticket_id).id
    assert client.post(f"/feedback/follow-ups/{survey_id}").status_code == 302
    assert f"#{ticket_id}" not in client.get("/feedback/follow-ups").get_data(as_text=True)
    assert surveys.survey(ticket_id).followed_up_by_id == people["lead"].id


def test_admins_see_the_rules_in_force(app, client, auth, people):
    app.config["CSAT_DELAY_HOURS"] = 36.0
    auth.login(people["lead"])
    page = client.get("/feedback/settings").get_data(as_text=True)
    assert "CSAT_DELAY_HOURS" in page and "36.0" in page and "NPS_SAMPLE_SHARE" in page
    auth.switch_to(people["agent"])
    assert client.get("/feedback/settings").status_code == 403
