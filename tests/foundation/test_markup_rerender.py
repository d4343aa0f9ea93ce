"""`flask markup rerender` brings the stored HTML of every feature in line with the renderer."""

from __future__ import annotations

from sqlalchemy import select, update

from app.extensions import db
from app.markup import render

STALE = "<p>old renderer</p>"


def test_rerender_renders_forum_tickets_and_wiki_again(app, factory, runner, now):
    from app.forum.models import ForumCategory, ForumPost
    from app.forum.services import create_thread
    from app.outbox import OutboxEvent, commit
    from app.tickets.models import Ticket, TicketMessage
    from app.tickets.services import create_ticket
    from app.tickets.workspace import agent_reply
    from app.wiki.models import WikiRevision
    from app.wiki.services import create_page

    member = factory.user("moderator")
    agent = factory.user("agent_t1")
    body = "## Step\n\n![pixel](https://tracker.example/p.gif) *ok*"
    with app.app_context():
        author = db.session.merge(member)
        category = db.session.scalars(select(ForumCategory)).first()
        create_thread(author, category, "Wilting basil", body, now)
        ticket = create_ticket(
            author, subject="Pump", description=body, category="app", impact="minor",
            channel="web", now=now,
        )  # fmt: skip
        agent_reply(db.session.merge(agent), ticket, body, now)
        create_page(author, "Basil care", body, "", now)
        commit()
        for model, column in (
            (ForumPost, "body_html"),
            (Ticket, "description_html"),
            (TicketMessage, "body_html"),
            (WikiRevision, "html"),
        ):
            db.session.execute(update(model).values({column: STALE}))
        db.session.execute(db.delete(OutboxEvent))
        db.session.commit()

    result = runner.invoke(args=["markup", "rerender"])
    assert result.exit_code == 0, result.output

    expected = render(body)
    assert "<img" not in expected and "<em>ok</em>" in expected
    with app.app_context():
        assert {p.body_html for p in db.session.scalars(select(ForumPost))} == {expected}
        assert {t.description_html for t in db.session.scalars(select(Ticket))} == {expected}
        assert {m.body_html for m in db.session.scalars(select(TicketMessage))} == {expected}
        assert STALE not in {r.html for r in db.session.scalars(select(WikiRevision))}
        # Search hears about every document whose text changed.
        kinds = {e.payload.get("type") for e in db.session.scalars(select(OutboxEvent))}
        assert {"forum_thread", "wiki_page"} <= kinds
    second = runner.invoke(args=["markup", "rerender"])
    assert "already rendered" in second.output
