"""The quarterly survey: sampling limits over four simulated quarters, the in-app prompt with
the e-mail fallback and one reminder, answering from the link, and exact response rates."""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from app.extensions import db


def sign_in_at(app, users, moment):
    """Record a sign-in of each user at ``moment`` (what the login service writes)."""
    from app.accounts.models import User

    with app.app_context():
        db.session.execute(
            update(User).where(User.id.in_([u.id for u in users])).values(last_login_at=moment)
        )
        db.session.commit()


def start_wave(app, moment, seed=7):
    from app.feedback import nps
    from app.outbox import commit

    with app.app_context():
        wave = nps.start_wave(moment, random.Random(seed))
        result = (wave.quarter, wave.active_count, wave.eligible_count)
        commit()
        return result


def invitations(app):
    from app.feedback.models import NpsInvitation

    with app.app_context():
        rows = db.session.scalars(select(NpsInvitation).order_by(NpsInvitation.id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def test_sampling_over_four_quarters_never_asks_anyone_twice_within_90_days(app, factory, surveys):
    from app.accounts.models import User
    from app.feedback import services as feedback
    from app.outbox import commit

    app.config["NPS_SAMPLE_SHARE"] = 0.4
    members = [factory.user() for _ in range(30)]
    staff = factory.user("agent_t1")
    opted_out, inactive, rated = members[0], members[1], members[2]
    with app.app_context():
        feedback.set_opt_out(
            db.session.get(User, opted_out.id), True, datetime(2026, 1, 1, tzinfo=UTC)
        )
        commit()
    # Waves at awkward moments: late in Q1, early in Q2 (less than 90 days later), mid Q3, Q4.
    starts = [
        datetime(2026, 3, 25, 9, tzinfo=UTC),
        datetime(2026, 4, 2, 9, tzinfo=UTC),
        datetime(2026, 8, 15, 9, tzinfo=UTC),
        datetime(2026, 11, 20, 9, tzinfo=UTC),
    ]
    sizes = []
    for number, start in enumerate(starts):
        active = [m for m in members if m is not inactive] + [staff]
        sign_in_at(app, active, start - timedelta(days=3))
        if number == 3:
            # A satisfaction survey 10 days before the wave keeps this person out of it.
            ticket_id = surveys.solved_ticket(rated, staff, start - timedelta(days=11))
            surveys.tick(start - timedelta(days=10))
            assert surveys.survey(ticket_id).state == "sent"
        quarter, active_count, eligible = start_wave(app, start, seed=number)
        sizes.append((quarter, active_count, eligible))
    rows = invitations(app)

    by_user = defaultdict(list)
    for row in rows:
        by_user[row.user_id].append(row.invited_at)
    for user_id, times in by_user.items():
        times.sort()
        for earlier, later in itertools.pairwise(times):
            assert later - earlier >= timedelta(days=90), user_id
    assert opted_out.id not in by_user and inactive.id not in by_user and staff.id not in by_user
    q4 = [row for row in rows if row.invited_at == starts[3]]
    assert rated.id not in {row.user_id for row in q4}

    # 30 active accounts (29 members and the agent) each quarter; 40 % of them asked when that
    # many may be asked. Q2 comes 8 days after Q1, so only those not asked in Q1 may be.
    per_wave = defaultdict(int)
    for row in rows:
        per_wave[row.wave_id] += 1
    counts = [per_wave[wave_id] for wave_id in sorted(per_wave)]
    assert [s[1] for s in sizes] == [30, 30, 30, 30]
    assert counts[0] == 12  # ceil(30 * 0.4)
    assert sizes[1][2] == 28 - 12 and counts[1] == 12
    assert counts[2] == 12 and counts[3] == 12
    with pytest.raises(Exception, match="already started"):
        start_wave(app, starts[3] + timedelta(days=1))


def test_in_app_first_then_one_email_then_one_reminder(app, factory, surveys, mailbox):
    start = datetime(2026, 10, 1, 9, tzinfo=UTC)
    member = factory.user()
    sign_in_at(app, [member], start - timedelta(days=1))
    app.config["NPS_SAMPLE_SHARE"] = 1.0
    start_wave(app, start)

    def nps_mails():
        return [
            m for m in surveys.mails_to(member.email) if "how are we doing" in m["Subject"].lower()
        ]

    for days, expected in [(1, 0), (2.9, 0), (3, 1), (9, 1), (10, 2), (20, 2), (29, 2)]:
        surveys.tick(start + timedelta(days=days))
        assert len(nps_mails()) == expected, days
    assert nps_mails()[1]["Subject"].startswith("Reminder")
    assert invitations(app)[0].reminded_at == start + timedelta(days=10)


def test_an_answer_in_the_app_stops_the_emails(app, client, factory, surveys):
    from app.api import services as api_services
    from app.outbox import commit

    # Pages and the API read the real clock: the wave started four days ago.
    start = datetime.now(UTC) - timedelta(days=4)
    member = factory.user()
    sign_in_at(app, [member], start - timedelta(days=1))
    app.config["NPS_SAMPLE_SHARE"] = 1.0
    start_wave(app, start)
    with app.app_context():
        plain = api_services.create_token(db.session.merge(member), "phone", start).plain
        commit()
    bearer = {"Authorization": f"Bearer {plain}"}
    pending = client.get("/api/v1/surveys/pending", headers=bearer).json["surveys"]
    assert [s["kind"] for s in pending] == ["nps"]
    assert invitations(app)[0].prompted_at is not None
    answered = client.post(f"/api/v1/surveys/nps/{pending[0]['id']}", headers=bearer,
                           json={"score": 9, "why": "Reminders save my basil"})  # fmt: skip
    assert answered.status_code == 200 and answered.json["score"] == 9
    again = client.post(f"/api/v1/surveys/nps/{pending[0]['id']}", headers=bearer,
                        json={"score": 3})  # fmt: skip
    assert again.status_code == 422
    assert client.get("/api/v1/surveys/pending", headers=bearer).json["surveys"] == []
    surveys.tick(start + timedelta(days=12))
    assert not [
        m for m in surveys.mails_to(member.email) if "how are we doing" in m["Subject"].lower()
    ]
    row = invitations(app)[0]
    assert (row.score, row.answered_via, row.why) == (9, "app", "Reminders save my basil")


def test_answering_from_the_email_link(app, client, factory, surveys):
    # Pages and the API read the real clock: the wave started four days ago.
    start = datetime.now(UTC) - timedelta(days=4)
    member = factory.user()
    sign_in_at(app, [member], start - timedelta(days=1))
    app.config["NPS_SAMPLE_SHARE"] = 1.0
    start_wave(app, start)
    surveys.tick(start + timedelta(days=3))
    mail = next(
        m for m in surveys.mails_to(member.email) if "how are we doing" in m["Subject"].lower()
    )
    link = next(p for p in surveys.links(mail) if p.startswith("/feedback/nps/"))

    assert 'id="nps-form"' in client.get(link).get_data(as_text=True)
    assert invitations(app)[0].answered_at is None  # a GET (a mail scanner) never answers
    for data in ({}, {"score": "11"}, {"score": "ten"}):
        assert client.post(link, data=data).status_code == 422
    assert client.post(link, data={"score": "6", "why": "Too many ads"}).status_code == 200
    assert 'id="nps-thanks"' in client.get(link).get_data(as_text=True)
    assert (invitations(app)[0].score, invitations(app)[0].answered_via) == (6, "email")
    tampered = link[:-3] + ("abc" if not link.endswith("abc") else "xyz")
    assert client.get(tampered).status_code == 404


def test_response_rate_and_score_of_a_quarter_are_exact(app, factory):
    from app.feedback import nps, queries
    from app.outbox import commit

    start = datetime(2026, 10, 1, 9, tzinfo=UTC)
    members = [factory.user() for _ in range(5)]
    sign_in_at(app, members, start - timedelta(days=1))
    app.config["NPS_SAMPLE_SHARE"] = 1.0
    start_wave(app, start)
    rows = invitations(app)
    with app.app_context():
        from app.feedback.models import NpsInvitation

        for row, score in zip(rows[:4], (10, 9, 7, 2), strict=True):
            nps.answer(db.session.get(NpsInvitation, row.id), score, None, "app", start)
        commit()
        summary = queries.nps_quarter("2026-Q4")
    assert (summary.invited, summary.answered) == (5, 4)
    assert summary.response_rate == 80.0
    assert summary.score == 25.0  # 2 promoters, 1 detractor of 4


def test_the_timer_starts_each_quarters_wave_once(app, factory, surveys):
    app.config.update(NPS_AUTO_WAVE=True, NPS_SAMPLE_SHARE=1.0)
    start = datetime(2026, 10, 1, 0, 5, tzinfo=UTC)
    member = factory.user()
    sign_in_at(app, [member], start - timedelta(days=1))
    assert surveys.tick(start)["quarterly survey"]["waves"] == 1
    assert surveys.tick(start + timedelta(minutes=1))["quarterly survey"]["waves"] == 0
    assert [row.user_id for row in invitations(app)] == [member.id]
    # The next quarter's first tick starts the next wave (the member was asked 92 days ago).
    sign_in_at(app, [member], start + timedelta(days=91))
    assert surveys.tick(datetime(2027, 1, 1, 0, 5, tzinfo=UTC))["quarterly survey"]["waves"] == 1
    assert len(invitations(app)) == 2
