"""One "Don't ask me for feedback" setting honoured by both surveys; deleting an account keeps
its answers for the totals, anonymised."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from app.extensions import db


def _activate(app, user, moment):
    from app.accounts.models import User

    with app.app_context():
        db.session.execute(update(User).where(User.id == user.id).values(last_login_at=moment))
        db.session.commit()


def test_the_mail_link_opts_out_of_both_surveys(app, client, factory, surveys, now):
    from app.feedback import nps
    from app.feedback.models import NpsInvitation
    from app.outbox import commit

    requester, agent = factory.user(), factory.user("agent_t1")
    first = surveys.solved_ticket(requester, agent, now)
    surveys.tick(now + timedelta(days=1))
    mail = next(m for m in surveys.mails_to(requester.email) if "How did we do" in m["Subject"])
    link = next(p for p in surveys.links(mail) if p.startswith("/feedback/opt-out/"))

    assert 'id="confirm-opt-out"' in client.get(link).get_data(as_text=True)  # GET asks only
    second = surveys.solved_ticket(requester, agent, now + timedelta(days=2))
    surveys.tick(now + timedelta(days=3))
    assert surveys.survey(second).state == "sent"

    assert 'id="opted-out"' in client.post(link).get_data(as_text=True)
    third = surveys.solved_ticket(requester, agent, now + timedelta(days=4))
    surveys.tick(now + timedelta(days=5))
    assert (surveys.survey(third).state, surveys.survey(third).skip_reason) == (
        "skipped", "opted_out",
    )  # fmt: skip
    assert surveys.survey(first).state == "sent"

    # The quarterly survey: never sampled, however large the share.
    app.config["NPS_SAMPLE_SHARE"] = 1.0
    start = now + timedelta(days=60)
    _activate(app, requester, start - timedelta(days=1))
    with app.app_context():
        nps.start_wave(start, random.Random(1))
        commit()
        assert db.session.scalars(select(NpsInvitation)).all() == []


def test_opting_out_after_an_invitation_stops_its_emails(app, client, auth, factory, surveys):
    from app.feedback import nps
    from app.outbox import commit

    start = datetime(2026, 7, 1, 9, tzinfo=UTC)
    member = factory.user()
    _activate(app, member, start - timedelta(days=1))
    app.config["NPS_SAMPLE_SHARE"] = 1.0
    with app.app_context():
        nps.start_wave(start, random.Random(1))
        commit()
    auth.login(member)
    account = client.get("/account/").get_data(as_text=True)
    assert (
        'id="feedback-preferences"' in account
        and "checked" not in account.split('id="feedback-preferences"')[1].split("</section>")[0]
    )
    assert client.post("/feedback/preferences", data={"opted_out": "y"}).status_code == 302
    assert 'name="opted_out" value="y" checked' in client.get("/account/").get_data(as_text=True)
    surveys.tick(start + timedelta(days=12))
    assert not [m for m in surveys.mails_to(member.email) if "doing" in m["Subject"]]

    # And back: the person may be asked again.
    client.post("/feedback/preferences", data={})
    from app.feedback.services import is_opted_out

    with app.app_context():
        assert is_opted_out(member.id) is False


def test_deleting_an_account_keeps_its_answers_anonymised(app, factory, surveys, now):
    from app.accounts.models import User
    from app.feedback import csat, queries
    from app.feedback.models import CsatAnswer
    from app.feedback.services import anonymise_feedback
    from app.outbox import commit

    requester, agent = factory.user(), factory.user("agent_t1")
    ticket_id = surveys.solved_ticket(requester, agent, now)
    surveys.tick(now + timedelta(days=1))
    with app.app_context():
        survey = csat.survey_of_user(db.session.get(User, requester.id),
                                     surveys.survey(ticket_id).id)  # fmt: skip
        csat.answer(survey, "bad", "It took too long", "I am Jane, call me", "page", now)
        commit()
        assert anonymise_feedback(requester.id) == 1
        commit()
        summary = queries.csat_summary(now, now + timedelta(days=2))
        assert (summary.asked, summary.bad) == (1, 1)
        assert queries.bad_reasons(now, now + timedelta(days=2)) == [("It took too long", 1)]
        answers = db.session.scalars(select(CsatAnswer)).all()
        assert [a.comment for a in answers] == [None]
    row = surveys.survey(ticket_id)
    assert (row.respondent_id, row.rating, row.comment) == (None, "bad", None)
