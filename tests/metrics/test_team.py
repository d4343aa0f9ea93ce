"""Quality audits of a weekly random sample, and the anonymous team pulse."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.metrics.models import PulseAnswer, PulseReceipt, QualityAudit
from tests.metrics.conftest import berlin

WEEK = "2026-03-02"


@pytest.fixture
def app_config(tmp_path):
    return {
        "TICKET_ATTACHMENT_DIR": str(tmp_path / "attachments"),
        "METRICS_AUDIT_SAMPLE_SIZE": 2,
        "METRICS_AUDIT_CRITERIA": ["Accuracy", "Tone"],
    }


@pytest.fixture
def solved_week(factory, desk):
    """Three tickets solved in the week of 2 March 2026 and one solved the week after."""
    requester = factory.user()
    agent = factory.user(role="agent_t3", display_name="Ana Agent")
    ids = []
    for day in (2, 3, 4, 10):
        ticket_id = desk.create(requester, berlin(2026, 3, day, 9), impact="question")
        desk.assign(agent, ticket_id, agent.id, berlin(2026, 3, day, 9, 1))
        desk.solve(requester, ticket_id, berlin(2026, 3, day, 10))
        ids.append(ticket_id)
    desk.update(berlin(2026, 3, 10, 11))
    return {"ids": ids, "agent": agent}


def test_a_lead_draws_the_weekly_sample_and_reviews_it(app, client, auth, factory, solved_week):
    lead = factory.user(role="admin")
    auth.login(lead)
    assert client.post("/metrics/quality", data={"week": WEEK}).status_code == 302
    with app.app_context():
        audits = list(db.session.scalars(select(QualityAudit)))
    assert len(audits) == 2
    assert {a.ticket_id for a in audits} <= set(solved_week["ids"][:3])  # not next week's
    assert {a.agent_id for a in audits} == {solved_week["agent"].id}
    # Drawing again tops up to the size only: nothing changes.
    client.post("/metrics/quality", data={"week": WEEK})
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(QualityAudit)) == 2
    page = client.get(f"/metrics/quality?week={WEEK}").get_data(as_text=True)
    assert f"#{audits[0].ticket_id}" in page and "Ana Agent" in page

    form = client.get(f"/metrics/quality/{audits[0].id}").get_data(as_text=True)
    assert "Accuracy" in form and "Tone" in form
    saved = client.post(f"/metrics/quality/{audits[0].id}",
                        data={"c0": "4", "c1": "3", "comment": "Clear and kind."})  # fmt: skip
    assert saved.status_code == 302
    with app.app_context():
        audit = db.session.get(QualityAudit, audits[0].id)
        assert audit.ratings == {"Accuracy": 4, "Tone": 3}
        assert audit.score == pytest.approx((3.5 - 1) / 3)
        assert audit.reviewer_id == lead.id
    page = client.get(f"/metrics/quality?week={WEEK}").get_data(as_text=True)
    assert 'id="audit-scores"' in page and "83 %" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"c0": "4", "comment": ""}, "c1", "Rate \u201cTone\u201d from 1 to 4."),
        ({"c0": "5", "c1": "3"}, "c0", "Rate \u201cAccuracy\u201d from 1 to 4."),
        ({"c0": "4", "c1": "\u0663"}, "c1", "Rate \u201cTone\u201d from 1 to 4."),
        ({"c0": "4", "c1": "3", "comment": "x" * 2001}, "comment", "under 2000 characters"),
    ],
)
def test_a_bad_review_is_refused_next_to_its_field(app, client, auth, factory, solved_week,
                                                  data, field, message):  # fmt: skip
    auth.login(factory.user(role="admin"))
    client.post("/metrics/quality", data={"week": WEEK})
    with app.app_context():
        audit_id = db.session.scalar(select(QualityAudit.id))
    answer = client.post(f"/metrics/quality/{audit_id}", data=data)
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html
    with app.app_context():
        assert db.session.get(QualityAudit, audit_id).score is None


def test_only_leads_audit(client, auth, factory, solved_week, app):
    auth.login(factory.user(role="admin"))
    client.post("/metrics/quality", data={"week": WEEK})
    with app.app_context():
        audit_id = db.session.scalar(select(QualityAudit.id))
    auth.switch_to(solved_week["agent"])
    assert client.get("/metrics/quality").status_code == 403
    assert client.post("/metrics/quality", data={"week": WEEK}).status_code == 403
    assert client.get(f"/metrics/quality/{audit_id}").status_code == 403
    auth.switch_to(factory.user(role="admin"))
    assert client.get("/metrics/quality/999999").status_code == 404


def test_a_future_week_cannot_be_sampled(client, auth, factory):
    auth.login(factory.user(role="admin"))
    answer = client.post("/metrics/quality", data={"week": "2999-01-05"})
    assert answer.status_code == 422
    assert "has not started" in answer.get_data(as_text=True)


def test_the_pulse_is_anonymous_once_a_month_and_shown_from_five_answers(app, client, auth,
                                                                        factory):  # fmt: skip
    staff = [factory.user(role="agent_t1") for _ in range(5)]
    for number, person in enumerate(staff[:4]):
        auth.switch_to(person) if number else auth.login(person)
        answer = client.post("/metrics/pulse", data={"score": str(number + 2),
                                                     "comment": f"note {number}"})  # fmt: skip
        assert answer.status_code == 302
    again = client.post("/metrics/pulse", data={"score": "5"})
    assert again.status_code == 422 and "already" in again.get_data(as_text=True)
    page = client.get("/metrics/pulse").get_data(as_text=True)
    assert "Too few answers to show" in page and "note 1" not in page
    auth.switch_to(staff[4])
    client.post("/metrics/pulse", data={"score": "4", "comment": ""})
    page = client.get("/metrics/pulse").get_data(as_text=True)
    assert "3.6" in page  # (2 + 3 + 4 + 5 + 4) / 5
    assert "note 0" in page and "note 3" in page
    with app.app_context():
        columns = set(PulseAnswer.__table__.columns.keys())
        assert columns == {"key", "month", "score", "comment"}  # nothing names the person
        receipts = db.session.scalars(select(PulseReceipt)).all()
        assert {r.user_id for r in receipts} == {p.id for p in staff}
        assert len({r.month for r in receipts}) == 1


@pytest.mark.parametrize(
    ("score", "message"), [("", "Choose from 1 to 5."), ("6", "Choose from 1 to 5."), ("3", None)]
)
def test_pulse_answers_off_the_scale_are_refused(client, auth, factory, score, message):
    auth.login(factory.user(role="agent_t2"))
    answer = client.post("/metrics/pulse", data={"score": score})
    if message is None:
        assert answer.status_code == 302
    else:
        assert answer.status_code == 422
        assert 'id="score-error"' in answer.get_data(as_text=True)


def test_members_have_no_pulse(client, auth, factory):
    auth.login(factory.user())
    assert client.get("/metrics/pulse").status_code == 403
