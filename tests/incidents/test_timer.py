"""The update-due timer to the minute, through ``flask incidents tick --at`` with an injected
time, and the data breach's 72-hour clock."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.incidents.models import IncidentEntry

from .conftest import T0


def _tick(runner, at):
    result = runner.invoke(args=["incidents", "tick", "--at", at.strftime("%Y-%m-%dT%H:%M")])
    assert result.exit_code == 0, result.output
    return result.output


def _kinds(app, incident_id):
    with app.app_context():
        return db.session.scalars(
            select(IncidentEntry.kind)
            .where(IncidentEntry.incident_id == incident_id)
            .order_by(IncidentEntry.id)
        ).all()


def test_reminder_ten_minutes_before_and_a_miss_at_the_minute_each_once(
    app, runner, incidents, mailbox
):
    lead = incidents.lead()
    incident_id = incidents.declare(lead)  # critical: due at 10:30, reminder from 10:20
    minute = timedelta(minutes=1)
    assert _tick(runner, T0 + 19 * minute).startswith("0 reminder(s), 0 missed")
    assert _tick(runner, T0 + 20 * minute).startswith("1 reminder(s), 0 missed")
    assert _tick(runner, T0 + 20 * minute).startswith("0 reminder(s)")  # a second host
    assert _tick(runner, T0 + 29 * minute).startswith("0 reminder(s), 0 missed")
    assert _tick(runner, T0 + 30 * minute).startswith("0 reminder(s), 1 missed")
    assert _tick(runner, T0 + 31 * minute).startswith("0 reminder(s), 0 missed")
    assert _kinds(app, incident_id) == ["declared", "reminder", "missed"]
    to_lead = [m["Subject"] for m in mailbox.messages() if m["To"] == lead.email]
    assert to_lead == [
        "Update due at 11:30 (Berlin time): Plant sync is down",
        "Update overdue: Plant sync is down",
    ]


def test_an_update_moves_the_timer_and_the_rhythm_follows_the_severity(app, runner, incidents,
                                                                        factory):  # fmt: skip
    from app.incidents import services

    app.config["INCIDENT_UPDATE_MINUTES"] = {"critical": 30, "major": 30, "minor": 60}
    lead = incidents.lead()
    incident_id = incidents.declare(lead, severity="minor")  # due 11:00, reminder from 10:50
    assert _tick(runner, T0 + timedelta(minutes=49)).startswith("0 reminder(s)")
    with app.app_context():
        incident = incidents.get(incident_id)
        services.post_update(factory._row(lead), incident, "", T0 + timedelta(minutes=45))
        from app.outbox import commit

        commit()
        assert incidents.get(incident_id).next_update_due_at == T0 + timedelta(minutes=105)
    assert _tick(runner, T0 + timedelta(minutes=60)).startswith("0 reminder(s), 0 missed")
    assert _tick(runner, T0 + timedelta(minutes=95)).startswith("1 reminder(s)")
    with app.app_context():
        entry = db.session.scalars(
            select(IncidentEntry).where(IncidentEntry.kind == "update")
        ).one()
        assert entry.due_at == T0 + timedelta(minutes=60)  # on time: punctuality for reports


def test_the_breach_clock_records_the_missed_authority_deadline_once(app, runner, incidents,
                                                                      client, auth):  # fmt: skip
    lead = incidents.lead()
    aware = T0 - timedelta(hours=5)
    incident_id = incidents.declare(
        lead, kind="data_breach", aware_at=aware, affected_features="e-mail addresses"
    )
    auth.login(lead)
    page = client.get(f"/incidents/{incident_id}").get_data(as_text=True)
    assert "Notify the supervisory authority (GDPR Art. 33) by" in page
    assert "Assess the risk to people" in page
    deadline = aware + timedelta(hours=72)
    output = _tick(runner, deadline - timedelta(minutes=1))
    assert output.endswith("0 authority deadline(s) passed\n")
    assert _tick(runner, deadline).endswith("0 authority deadline(s) passed\n")
    assert _tick(runner, deadline + timedelta(minutes=1)).endswith(
        "1 authority deadline(s) passed\n"
    )
    assert _tick(runner, deadline + timedelta(minutes=2)).endswith(
        "0 authority deadline(s) passed\n"
    )
    assert _kinds(app, incident_id).count("authority_overdue") == 1


def test_a_notified_authority_stops_the_clock_and_checklist_steps_are_timed(
    app, runner, client, auth, incidents
):
    lead = incidents.lead()
    aware = T0 - timedelta(hours=1)
    incident_id = incidents.declare(lead, kind="data_breach", aware_at=aware)
    auth.login(lead)
    assert client.post(f"/incidents/{incident_id}/breach/authority").status_code == 302
    assert client.post(f"/incidents/{incident_id}/breach/step",
                       data={"step": "assess_risk"}).status_code == 302  # fmt: skip
    output = _tick(runner, aware + timedelta(hours=80))
    assert output.endswith("0 authority deadline(s) passed\n")
    with app.app_context():
        incident = incidents.get(incident_id)
        assert incident.authority_notified_at is not None
        assert set(incident.user_notice_steps) == {"assess_risk"}
    page = client.get(f"/incidents/{incident_id}").get_data(as_text=True)
    # Recorded by the page at the real time, days after this test's awareness: late, and shown so.
    assert "Supervisory authority notified" in page and "late by" in page
    assert "done " in page


def test_a_breach_without_the_time_of_awareness_is_refused_by_the_field(client, auth, incidents):
    lead = incidents.lead()
    auth.login(lead)
    from app.forum.cli import seed_categories

    with client.application.app_context():
        seed_categories()
        from app.outbox import commit

        commit()
    response = client.post("/incidents/new", data={
        "kind": "data_breach", "severity": "critical", "title": "Exposed addresses",
        "affected_features": "e-mail addresses", "workaround_url": "change your password",
    })  # fmt: skip
    assert response.status_code == 422
    assert 'id="aware_at-error"' in response.get_data(as_text=True)
