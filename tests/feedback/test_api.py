"""``/api/v1/surveys``: the app's pending surveys and answers, with the API's one error shape."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db


@pytest.fixture
def asked(app, factory, surveys):
    from app.api import services as api_services
    from app.outbox import commit

    now = datetime.now(UTC) - timedelta(days=2)
    requester, agent = factory.user(), factory.user("agent_t1")
    ticket_id = surveys.solved_ticket(requester, agent, now)
    surveys.tick(now + timedelta(days=1))
    with app.app_context():
        plain = api_services.create_token(db.session.merge(requester), "phone", now).plain
        commit()
    return {"ticket_id": ticket_id, "bearer": {"Authorization": f"Bearer {plain}"},
            "survey_id": surveys.survey(ticket_id).id}  # fmt: skip


def test_pending_then_answered(client, surveys, asked):
    pending = client.get("/api/v1/surveys/pending", headers=asked["bearer"])
    assert pending.status_code == 200
    [item] = pending.json["surveys"]
    assert (item["kind"], item["id"], item["ticket_id"]) == ("csat", asked["survey_id"],
                                                            asked["ticket_id"])  # fmt: skip
    assert "It took too long" in item["reasons"]
    answered = client.post(f"/api/v1/surveys/csat/{asked['survey_id']}", headers=asked["bearer"],
                           json={"rating": "bad", "reason": "It took too long"})  # fmt: skip
    assert answered.status_code == 200 and answered.json["rating"] == "bad"
    assert client.get("/api/v1/surveys/pending", headers=asked["bearer"]).json["surveys"] == []
    # A change of mind while the request is open.
    changed = client.post(f"/api/v1/surveys/csat/{asked['survey_id']}", headers=asked["bearer"],
                          json={"rating": "good", "comment": "They called back"})  # fmt: skip
    assert changed.status_code == 200
    row = surveys.survey(asked["ticket_id"])
    assert (row.rating, row.reason, row.comment) == ("good", None, "They called back")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rating": "meh"}, "rating"),
        ({}, "rating"),
        ({"rating": "bad", "reason": "Not on the list"}, "reason"),
        ({"rating": "good", "comment": "x" * 2001}, "comment"),
        ({"rating": "good", "extra": 1}, "extra"),
    ],
)
def test_bad_answers_get_the_error_shape(client, asked, body, field):
    response = client.post(f"/api/v1/surveys/csat/{asked['survey_id']}", headers=asked["bearer"],
                           json=body)  # fmt: skip
    assert response.status_code == 422
    assert response.json["error"]["code"] == "validation_failed"
    assert field in response.json["error"]["details"]


def test_nobody_answers_what_isnt_theirs(app, client, asked, factory):
    from app.api import services as api_services
    from app.outbox import commit

    with app.app_context():
        other = api_services.create_token(db.session.merge(factory.user()), "phone",
                                          datetime.now(UTC)).plain  # fmt: skip
        commit()
    headers = {"Authorization": f"Bearer {other}"}
    assert client.get("/api/v1/surveys/pending", headers=headers).json["surveys"] == []
    response = client.post(f"/api/v1/surveys/csat/{asked['survey_id']}", headers=headers,
                           json={"rating": "bad"})  # fmt: skip
    assert response.status_code == 404
    assert (
        client.post("/api/v1/surveys/nps/1", headers=headers, json={"score": 3}).status_code == 404
    )
    assert client.get("/api/v1/surveys/pending").status_code == 401
