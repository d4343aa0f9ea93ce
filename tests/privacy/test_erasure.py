"""Erasure's rules beyond the done-when test: a re-run is harmless, a rollback keeps
everything (files too), the author's choice to delete unquoted replies, one placeholder that
cannot sign in."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.errors import DomainError
from app.extensions import db
from app.outbox import commit
from app.privacy.erasure import PLACEHOLDER_EMAIL, erase_person

from .conftest import MARKERS


def _counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def _posts(thread_id: int) -> list[tuple[int, int, str]]:
    posts = db.metadata.tables["forum_post"]
    rows = db.session.execute(
        select(posts.c.id, posts.c.author_id, posts.c.body)
        .where(posts.c.thread_id == thread_id)
        .order_by(posts.c.id)
    )
    return [tuple(row) for row in rows]


def test_erasing_twice_is_harmless(app, person, now):
    with app.app_context():
        first = erase_person(person.user_id, now=now)
        commit()
        before = _counts()
        second = erase_person(person.user_id, now=now)
        commit()
        assert first.changed and not second.changed and second.counts == {}
        assert _counts() == before


def test_a_rollback_keeps_everything_including_files(app, person, now):
    """Erasure is one transaction: a crash before the commit leaves the person whole, and
    the attachment on disk is only deleted once the erasure commits."""
    folder = Path(app.config["TICKET_ATTACHMENT_DIR"])
    with app.app_context():
        before = _counts()
        erase_person(person.user_id, now=now)
        db.session.rollback()
        assert _counts() == before
        assert any(MARKERS["attachment"].encode() in p.read_bytes() for p in folder.iterdir())
        erase_person(person.user_id, now=now)
        commit()
    assert not any(MARKERS["attachment"].encode() in p.read_bytes() for p in folder.iterdir())


def test_posts_stay_under_one_placeholder_that_cannot_sign_in(app, client, auth, person,
                                                              factory, now):  # fmt: skip
    second = factory.user(display_name="Second Leaver")
    factory.reply(person.ids["thread"], second, "Repot in spring, not summer.", now=now)
    with app.app_context():
        erase_person(person.user_id, now=now)
        erase_person(second.id, now=now)
        commit()
        users = db.metadata.tables["user_account"]
        (placeholder_id,) = db.session.scalars(
            select(users.c.id).where(users.c.email == PLACEHOLDER_EMAIL)
        ).all()
        authors = {author for _id, author, _body in _posts(person.ids["thread"])}
        assert placeholder_id in authors and person.user_id not in authors
        with pytest.raises(DomainError):
            erase_person(placeholder_id, now=now)
    response = client.post("/account/login", data={"email": PLACEHOLDER_EMAIL, "password": "!"})
    assert response.status_code != 302


def test_delete_posts_deletes_only_unquoted_replies(app, person, now):
    with app.app_context():
        before = _posts(person.ids["thread"])
        erase_person(person.user_id, delete_posts=True, now=now)
        commit()
        after = _posts(person.ids["thread"])
    bodies = [body for _id, _author, body in after]
    assert len(after) == len(before) - 1
    assert "Unquoted little follow-up about basil pots." not in bodies
    assert person.public_post_text in bodies  # the opening post stays
    assert "Watering at dawn works best for basil." in bodies  # quoted by someone: stays


def test_ticket_events_change_only_inside_the_unlock(app, factory, now):
    """The database keeps refusing changes to the event log, except inside erasure's unlock
    (which leaves no key behind for the next transaction)."""
    import sqlalchemy as sa

    from app.privacy.erasure import ticket_events_unlocked

    factory.ticket(factory.user(), now=now)
    events = db.metadata.tables["ticket_event"]
    change = sa.update(events).values(rule="changed")
    with app.app_context():
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            db.session.execute(change)
        db.session.rollback()
        with ticket_events_unlocked("erasure"):
            assert db.session.execute(change).rowcount >= 1
        commit()
        assert set(db.session.scalars(select(events.c.rule))) == {"changed"}
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            db.session.execute(sa.delete(events))
        db.session.rollback()


def test_an_agents_team_data(app, factory, now, tmp_path):
    """An agent's own training and pulse records go; what they wrote for the team stays under
    the placeholder; their metric figures move to the placeholder; the export has them all."""
    import zipfile

    from sqlalchemy import insert

    from app.privacy.export import build_export

    agent = factory.user("agent_t2", display_name="Agent Brindlewick")
    assigned = factory.ticket(factory.user(), now=now)
    tables = db.metadata.tables

    def add(name, **values):
        return db.session.execute(insert(tables[name]).values(**values)).inserted_primary_key[0]

    with app.app_context():
        path = add("team_training_path", key="onboarding", title="Onboarding", kind="path",
                   created_at=now)  # fmt: skip
        module = add("team_training_module", path_id=path, position=1, title="SLA",
                     created_at=now)  # fmt: skip
        add("team_quiz_attempt", module_id=module, user_id=agent.id, score=9, passed=True,
            answers={"q1": "brindlewick answer"}, created_at=now)  # fmt: skip
        add("metrics_pulse_receipt", user_id=agent.id, month=now.date().replace(day=1))
        meeting = add("team_weekly_meeting", week_start=now.date(), created_at=now)
        note = add(
            "team_meeting_note",
            meeting_id=meeting,
            author_id=agent.id,
            body="Backlog is down.",
            body_html="<p>Backlog is down.</p>",
            created_at=now,
        )
        add("metrics_day", day=now.date(), category="app", priority="low", channel="web",
            tier=2, agent_id=agent.id, measure="solved", count=3)  # fmt: skip
        add("chat_agent_presence", user_id=agent.id, status="online", last_active_at=now)
        tickets = tables["ticket"]
        db.session.execute(
            tickets.update().where(tickets.c.id == assigned).values(assignee_id=agent.id)
        )
        commit()
        with zipfile.ZipFile(build_export(agent.id, tmp_path)) as archive:
            team = archive.read("team.json").decode()
        assert "brindlewick answer" in team and "Backlog is down." in team
        report = erase_person(agent.id, now=now)
        commit()
        assert report.counts["team_quiz_attempt"]["deleted"] == 1
        assert report.counts["metrics_pulse_receipt"]["deleted"] == 1
        assert report.counts["chat_agent_presence"]["deleted"] == 1
        notes = tables["team_meeting_note"]
        author = db.session.scalar(select(notes.c.author_id).where(notes.c.id == note))
        assert author == report.placeholder_id
        # Their open work goes back to the queue, not to someone who can never act on it.
        assert (
            db.session.scalar(select(tickets.c.assignee_id).where(tickets.c.id == assigned)) is None
        )
        days = tables["metrics_day"]
        assert set(db.session.scalars(select(days.c.agent_id))) == {report.placeholder_id}
