"""The dashboard's CSAT and NPS come from the feedback feature's tables: the surveys sent in the
range with their ratings, and each touched quarter's NPS wave (textbook NPS arithmetic)."""

from __future__ import annotations

from datetime import UTC, datetime

from app.extensions import db
from app.feedback.models import CsatSurvey, NpsInvitation, NpsWave
from app.metrics.satisfaction import feedback_figures, quarters_between
from app.outbox import commit


def _survey(created_at, rating, state="sent"):
    return CsatSurvey(
        source="ticket", channel="web", state=state, created_at=created_at, rating=rating,
        link_nonce=f"n{created_at.timestamp():.0f}{rating}",
    )  # fmt: skip


def test_quarters_between_touches_each_quarter_once():
    start, end = datetime(2026, 2, 10, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC)
    assert quarters_between(start, end) == ["2026-Q1", "2026-Q2", "2026-Q3"]
    new_year = datetime(2026, 12, 30, tzinfo=UTC), datetime(2027, 1, 2, tzinfo=UTC)
    assert quarters_between(*new_year) == ["2026-Q4", "2027-Q1"]


def test_the_registered_provider_reads_the_feedback_tables(app, factory):
    inside = datetime(2026, 11, 5, 12, tzinfo=UTC)
    people = [factory.user() for _ in range(11)]
    with app.app_context():
        assert app.extensions["metrics_feedback"] is feedback_figures
        rows = [
            _survey(inside, "good"),
            _survey(inside, "good"),
            _survey(inside, "bad"),
            _survey(inside, None),  # asked, not answered
            _survey(inside, None, state="skipped"),  # never asked
            _survey(datetime(2026, 9, 1, tzinfo=UTC), "bad"),
        ]  # before the range
        db.session.add_all(rows)
        wave = NpsWave(quarter="2026-Q4", started_at=inside, sample_share=0.1, active_count=200,
                       eligible_count=150)  # fmt: skip
        db.session.add(wave)
        db.session.flush()
        for score, person in enumerate(people):  # 0-10 once each: NPS -45.45
            db.session.add(NpsInvitation(
                wave_id=wave.id, user_id=person.id, invited_at=inside, link_nonce=f"w{score}",
                score=score, answered_at=inside,
            ))  # fmt: skip
        db.session.add(NpsInvitation(wave_id=wave.id, user_id=None, invited_at=inside,
                                     link_nonce="unanswered"))  # fmt: skip
        commit()
        figures = feedback_figures(
            datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
        )
        assert figures["csat"] == (2, 1, 4)
        [(label, scores, invited)] = figures["nps"]
        assert (label, sorted(scores), invited) == ("2026-Q4", list(range(11)), 12)
