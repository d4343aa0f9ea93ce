"""A person with data in every feature, with unique marker words in their private texts."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import insert

from app.extensions import db
from app.outbox import commit

NAME = "Zorblax Quimby"
EMAIL = "zorblax.quimby@example.org"
#: Words that occur only in the person's private texts (and the attachment's bytes).
MARKERS = {
    "ticket": "quixotrellis", "reply": "plumbarvoke", "chat": "snargleview",
    "csat": "vextrombule", "nps": "glimmerquodd", "flag": "frobnitzel",
    "mail": "wuzzlecrank", "attachment": "zindlepox", "deflection": "krabbelmoot",
    "token": "thistlegrom", "social": "yarnspindex",
}  # fmt: skip


@pytest.fixture
def app_config(tmp_path):
    return {"TICKET_ATTACHMENT_DIR": str(tmp_path / "attachments"), "FORUM_PREMODERATE_POSTS": 0}


@dataclass
class Person:
    user_id: int
    email: str = EMAIL
    name: str = NAME
    ids: dict[str, int] = field(default_factory=dict)
    public_post_text: str = "Morning watering fixed my basil, thanks all."


def _add(table_name: str, /, **values) -> int:
    table = db.metadata.tables[table_name]
    return db.session.execute(insert(table).values(**values)).inserted_primary_key[0]


@pytest.fixture
def person(app, factory, now) -> Person:
    """Zorblax Quimby: an account, a ticket with an attachment on disk and replies, forum
    thread, reply, like, flag and subscription, a wiki page and watch, a KB vote and guide
    outcome, a chat, an inbound e-mail (original kept), a social conversation, CSAT and NPS
    answers, a deflection, an API token, a session, a tour; and others who mention them."""
    from app.channels.email.receiving import store_original
    from app.search.indexer import drain_all
    from app.tickets.attachments import store

    user = factory.user(email=EMAIL, display_name=NAME, created_at=now - timedelta(days=400))
    other = factory.user(display_name="Other Gardener", created_at=now - timedelta(days=400))
    agent = factory.user("agent_t1", display_name="Agent Avery")
    p = Person(user.id)
    thread = factory.thread(user, title="Basil drooping after repotting",
                            body=p.public_post_text, now=now)  # fmt: skip
    quoted = factory.reply(thread, user, "Watering at dawn works best for basil.", now=now)
    factory.reply(thread, other, f"{NAME} wrote:\n> Watering at dawn works best for basil.\n\n"
                  "Agreed!", now=now)  # fmt: skip
    factory.reply(thread, user, "Unquoted little follow-up about basil pots.", now=now)
    page = factory.wiki_page(user, "Basil watering schedule", "# Basil\n\nDawn is best.\n",
                             now=now)  # fmt: skip
    article = factory.article(now, "Watering reminders", "Set them in Settings.")
    ticket = factory.ticket(
        user, now=now, subject=f"Reminders for {NAME}",
        description=f"My private note: {MARKERS['ticket']} happened again.",
    )  # fmt: skip
    with app.app_context():
        t = now
        _add(
            "ticket_message",
            ticket_id=ticket,
            author_id=user.id,
            internal=False,
            from_agent=False,
            body=f"More detail {MARKERS['reply']} here.",
            body_html=f"<p>More detail {MARKERS['reply']} here.</p>",
            created_at=t,
        )
        _add(
            "ticket_message",
            ticket_id=ticket,
            author_id=agent.id,
            internal=False,
            from_agent=True,
            body=f"Hi {NAME}, please write to {EMAIL} again.",
            body_html=f"<p>Hi {NAME}</p>",
            created_at=t,
        )
        stored = store(f"log {MARKERS['attachment']}".encode())
        p.ids["attachment"] = _add(
            "ticket_attachment",
            ticket_id=ticket,
            uploader_id=user.id,
            stored_name=stored,
            filename=f"{MARKERS['attachment']}.pdf",
            content_type="application/pdf",
            size=12,
            created_at=t,
        )
        _add(
            "ticket_deflection",
            user_id=user.id,
            query=f"why {MARKERS['deflection']}",
            article_url="/a",
            outcome="helped",
            created_at=t,
        )
        posts = db.metadata.tables["forum_post"]
        post_ids = [row.id for row in db.session.execute(
            posts.select().where(posts.c.thread_id == thread)).all()]  # fmt: skip
        _add("forum_like", post_id=post_ids[-1], user_id=user.id, created_at=t)
        _add(
            "forum_flag",
            post_id=post_ids[2],
            flagger_id=user.id,
            reason="spam",
            note=f"odd {MARKERS['flag']}",
            weight=1.0,
            created_at=t,
        )
        _add("wiki_watch", page_id=page, user_id=user.id, created_at=t)
        _add(
            "kb_vote", article_id=article, user_id=user.id, helpful=True, created_at=t, updated_at=t
        )
        outcome = _add(
            "kb_guide_outcome",
            article_id=article,
            user_id=user.id,
            outcome="solved",
            steps_tried=2,
            steps_total=3,
            created_at=t,
        )
        chat_ticket = factory.ticket(user, now=now, subject="Chat", channel="chat",
                                     description="chat started")  # fmt: skip
        conversation = _add(
            "chat_conversation", ticket_id=chat_ticket, requester_id=user.id,
            access_digest=secrets.token_hex(16), origin="site", status="ended", agent_id=agent.id,
            queued_at=t, created_at=t,
        )  # fmt: skip
        _add(
            "chat_message",
            conversation_id=conversation,
            seq=1,
            role="customer",
            author_id=user.id,
            body=f"chat {MARKERS['chat']}",
            body_html=f"<p>chat {MARKERS['chat']}</p>",
            created_at=t,
        )
        identity = _add(
            "channel_identity",
            kind="email",
            address=EMAIL,
            user_id=user.id,
            display_name=NAME,
            created_at=t,
            last_seen_at=t,
        )
        raw = (f"From: {NAME} <{EMAIL}>\r\nSubject: help\r\n\r\n{MARKERS['mail']}\r\n").encode()
        _add(
            "channel_inbound",
            channel="email",
            source="imap",
            external_id="<m1@example.org>",
            identity_id=identity,
            received_at=t,
            outcome="ticket",
            ticket_id=ticket,
            raw_path=store_original(raw),
        )
        social_identity = _add(
            "channel_identity",
            kind="facebook",
            address="fb:9911",
            handle="zorblaxq",
            user_id=user.id,
            created_at=t,
            last_seen_at=t,
        )
        account = _add(
            "social_account",
            platform="facebook",
            external_id="page1",
            name="Page",
            token_ciphertext="x",
            token_hint="x",
            token_set_at=t,
            connected_at=t,
        )
        _add("social_conversation", ticket_id=chat_ticket, account_id=account, kind="dm",
             public=False, participant_id="fb:9911",
             permalink=f"https://fb.example/{MARKERS['social']}",
             identity_id=social_identity, last_inbound_at=t)  # fmt: skip
        survey = _add(
            "csat_survey",
            ticket_id=ticket,
            guide_outcome_id=None,
            source="ticket",
            channel="web",
            respondent_id=user.id,
            agent_id=agent.id,
            state="answered",
            created_at=t,
            rating="good",
            comment=f"fine {MARKERS['csat']}",
            link_nonce=secrets.token_hex(8),
        )
        _add(
            "csat_answer",
            survey_id=survey,
            rating="good",
            comment=f"fine {MARKERS['csat']}",
            via="web",
            created_at=t,
        )
        wave = _add(
            "nps_wave",
            quarter="2026-Q4",
            started_at=t,
            sample_share=1.0,
            active_count=1,
            eligible_count=1,
        )
        _add(
            "nps_invitation",
            wave_id=wave,
            user_id=user.id,
            invited_at=t,
            score=9,
            why=f"good {MARKERS['nps']}",
            link_nonce=secrets.token_hex(8),
        )
        _add("search_query_log", query=f"{NAME.lower()} basil", result_count=1, created_at=t)
        _add(
            "api_token",
            user_id=user.id,
            name=f"phone {MARKERS['token']}",
            prefix="hc_ab",
            token_hash=secrets.token_hex(32),
            created_at=t,
        )
        _add(
            "login_session",
            user_id=user.id,
            token_hash=secrets.token_hex(32),
            created_at=t,
            user_agent="Mozilla/5.0 Gardenphone",
        )
        _add(
            "tour_progress",
            tour_name="welcome",
            user_id=user.id,
            status="done",
            last_step="end",
            started_at=t,
            updated_at=t,
        )
        _add("feedback_preference", user_id=user.id, opted_out=True, changed_at=t)
        commit()
        drain_all(now)
    p.ids.update(thread=thread, quoted=quoted, page=page, ticket=ticket, chat_ticket=chat_ticket,
                 article=article, outcome=outcome, other=other.id, agent=agent.id)  # fmt: skip
    return p
