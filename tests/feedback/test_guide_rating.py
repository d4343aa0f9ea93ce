"""The optional rating after a troubleshooting guide ends: asked under the outcome, only for
this browser's outcome, once answered shown as given; a bad one feeds the report, not the
team lead's follow-up list."""

from __future__ import annotations

import pytest

GUIDE = "/articles/cant-sign-in"


@pytest.fixture
def synced(runner):
    result = runner.invoke(args=["content", "sync", "--quiet"])
    assert result.exit_code == 0, result.output


def _finish_guide(client, solved: bool) -> str:
    data = {"step": 3, "yes": "1"} if solved else {"step": 7, "no": "1"}
    if not solved:
        for step in range(1, 7):
            client.post(f"{GUIDE}/guide", data={"step": step, "no": "1"})
    response = client.post(f"{GUIDE}/guide", data=data)
    assert response.status_code == 302
    return response.location


def _outcome_id(app):
    from sqlalchemy import func, select

    from app.extensions import db
    from app.kb.models import GuideOutcome

    with app.app_context():
        return db.session.scalar(select(func.max(GuideOutcome.id)))


def test_rating_a_guide_after_its_outcome(app, client, synced):
    from sqlalchemy import select

    from app.extensions import db
    from app.feedback.models import CsatSurvey
    from app.feedback.queries import bad_ratings, bad_reasons

    assert 'id="guide-rating"' not in client.get(GUIDE).get_data(as_text=True)
    outcome_page = _finish_guide(client, solved=False)
    html = client.get(outcome_page).get_data(as_text=True)
    assert 'id="guide-rating-form"' in html and "How would you rate this guide?" in html
    outcome_id = _outcome_id(app)

    # Another browser can't rate this browser's outcome.
    stranger = app.test_client()
    assert stranger.post(f"/feedback/guides/{outcome_id}/rating",
                         data={"rating": "good"}).status_code == 404  # fmt: skip
    invalid = client.post(f"/feedback/guides/{outcome_id}/rating", data={"rating": "so-so"})
    assert invalid.status_code == 422

    saved = client.post(f"/feedback/guides/{outcome_id}/rating",
                        data={"rating": "bad", "reason": "The problem isn't solved"})  # fmt: skip
    assert saved.status_code == 302 and saved.location.endswith("stuck=7#guide-rating")
    assert 'id="guide-current-rating"' in client.get(saved.location).get_data(as_text=True)
    with app.app_context():
        survey = db.session.scalar(select(CsatSurvey).where(CsatSurvey.source == "guide"))
        assert (survey.rating, survey.ticket_id, survey.guide_outcome_id) == (
            "bad", None, outcome_id,
        )  # fmt: skip
        assert bad_ratings(1).total == 0  # not an agent's follow-up
        assert bad_reasons(survey.rated_at, survey.rated_at.replace(year=2100)) == [
            ("The problem isn't solved", 1)
        ]


def test_not_asked_of_a_person_who_opted_out(app, client, auth, factory, synced):
    member = factory.user()
    auth.login(member)
    client.post("/feedback/preferences", data={"opted_out": "y"})
    html = client.get(_finish_guide(client, solved=True)).get_data(as_text=True)
    assert "Glad that fixed it" in html and 'id="guide-rating"' not in html
    response = client.post(f"/feedback/guides/{_outcome_id(app)}/rating", data={"rating": "good"})
    assert response.status_code == 404, response.get_data(as_text=True)[-3000:]
