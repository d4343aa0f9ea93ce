"""Troubleshooting guides step by step: "Did this solve it?", outcomes counted in the DB."""

from __future__ import annotations

from app.kb import feedback, services

GUIDE = "/articles/cant-sign-in"


def _counts(app):
    with app.app_context():
        return feedback.outcome_counts(services.get_article("cant-sign-in"))


def test_first_visit_shows_step_one_with_the_question(synced, client):
    html = client.get(GUIDE).get_data(as_text=True)
    assert 'id="step-1"' in html and 'id="step-2"' not in html
    assert "Did this solve it?" in html
    assert 'id="step-1-yes"' in html and 'id="step-1-no"' in html


def test_no_moves_to_the_next_step_and_records_nothing(synced, client):
    response = client.post(f"{GUIDE}/guide", data={"step": 1, "no": "1"})
    assert response.status_code == 302
    assert response.location.endswith("?step=2#step-2")
    html = client.get(response.location).get_data(as_text=True)
    assert 'id="step-2-yes"' in html and 'id="step-1-yes"' not in html
    assert "tried" in html
    assert _counts(synced.app).solved == 0 and _counts(synced.app).not_solved == 0


def test_yes_records_a_self_service_success(synced, client):
    response = client.post(f"{GUIDE}/guide", data={"step": 3, "yes": "1"})
    assert response.status_code == 302
    html = client.get(response.location).get_data(as_text=True)
    assert "Glad that fixed it" in html and "Step 3 solved the problem" in html
    counts = _counts(synced.app)
    assert (counts.solved, counts.not_solved, counts.success_rate) == (1, 0, 1.0)


def test_walking_to_the_end_offers_forum_and_support_with_context(synced, client):
    location = GUIDE
    for step in range(1, 7):
        response = client.post(f"{GUIDE}/guide", data={"step": step, "no": "1"})
        location = response.location
    assert location.endswith("step=7#step-7")
    html = client.get(location).get_data(as_text=True)
    assert "No, it still doesn&#39;t work" in html or "No, it still doesn't work" in html
    response = client.post(f"{GUIDE}/guide", data={"step": 7, "no": "1"})
    html = client.get(response.location).get_data(as_text=True)
    assert "Still not working?" in html
    assert (
        'href="/community/new?guide=cant-sign-in&amp;steps=7&amp;category=account'
        '&amp;title=Can%27t%20sign%20in"' in html
    )
    assert 'href="/requests/new?guide=cant-sign-in&amp;steps=7"' in html
    counts = _counts(synced.app)
    assert (counts.solved, counts.not_solved, counts.success_rate) == (0, 1, 0.0)


def test_bad_answers_are_400_not_500(synced, client):
    assert client.post(f"{GUIDE}/guide", data={"step": 99, "no": "1"}).status_code == 400
    assert client.post(f"{GUIDE}/guide", data={"step": "x", "yes": "1"}).status_code == 400
    assert client.post(f"{GUIDE}/guide", data={"step": 2}).status_code == 400
    not_a_guide = client.post("/articles/account-faq/guide", data={"step": 1, "yes": "1"})
    assert not_a_guide.status_code == 400
    assert client.get(f"{GUIDE}?step=abc").status_code == 200
    assert client.get(f"{GUIDE}?step=-4&solved=99").status_code == 200
    assert _counts(synced.app).solved == 0
