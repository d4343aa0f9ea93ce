"""A message piped in by the MTA becomes an e-mail ticket; the receipt and the agent's reply
go out threaded; the requester's reply (quote and all) lands in the same ticket, without the
quote; a solved ticket reopens, a closed one gets a follow-up."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

from sqlalchemy import select

from app.channels.models import InboundMessage
from app.extensions import db
from app.outbox import commit
from app.tickets import attachments as files
from app.tickets.models import Ticket, TicketEvent, TicketMessage
from app.tickets.workspace import agent_reply


def letter(
    body,
    *,
    subject="Reminders stopped",
    sender="Ana <ana@example.org>",
    to="support@growgrebuddy.com",
    message_id="<first@example.org>",
    **headers,
) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message["Message-ID"] = message_id
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return bytes(message)


def pipe(runner, raw: bytes):
    result = runner.invoke(args=["mail", "receive"], input=raw)
    assert result.exit_code == 0, result.output
    return result.output


def test_mail_in_reply_out_reply_in_one_ticket(app, runner, mailbox, factory, now):
    assert pipe(runner, letter("My basil reminders stopped after the update.")).startswith("ticket")
    with app.app_context():
        ticket = db.session.scalar(select(Ticket))
        assert ticket.channel == "email" and ticket.requester.email == "ana@example.org"
        assert ticket.description == "My basil reminders stopped after the update."
        ticket_id = ticket.id
    (receipt,) = mailbox.messages()
    assert receipt["To"] == "ana@example.org"
    assert receipt["In-Reply-To"] == "<first@example.org>"
    assert receipt["Auto-Submitted"] == "auto-replied"
    assert receipt["Message-ID"].startswith(f"<ticket.{ticket_id}.receipt.")
    reply_to = receipt["Reply-To"]
    assert reply_to.startswith(f"support+{ticket_id}.") and reply_to.endswith("@growgrebuddy.com")
    assert "We will reply by" in receipt.get_content()

    agent = factory.user("agent_t1")
    with app.app_context():
        agent_reply(agent, db.session.get(Ticket, ticket_id), "Please **restart** the app.", now)
        commit()
    answer = mailbox.messages()[-1]
    assert answer["In-Reply-To"] == "<first@example.org>"
    assert "<first@example.org>" in answer["References"]
    assert receipt["Message-ID"] in answer["References"]
    assert "Auto-Submitted" not in answer
    plain = answer.get_body(("plain",)).get_content()
    rich = answer.get_body(("html",)).get_content()
    assert "Please **restart** the app." in plain
    assert "<strong>restart</strong>" in rich

    quoted = (
        "Thanks, a restart fixed it!\n\n"
        f"On Tue, 24 Nov 2026 at 10:05, GrowgrEbuddy Support <{reply_to}> wrote:\n"
        "> Please **restart** the app.\n>\n> -- \n> Reply to this e-mail\n"
    )
    raw = letter(quoted, subject="Re: " + answer["Subject"], to=reply_to,
                 message_id="<second@example.org>", In_Reply_To=answer["Message-ID"])  # fmt: skip
    assert pipe(runner, raw).startswith("reply")
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Ticket)) == 1
        last = db.session.scalars(select(TicketMessage).order_by(TicketMessage.id.desc())).first()
        assert last.ticket_id == ticket_id and not last.from_agent
        assert last.body == "Thanks, a restart fixed it!"
    # The same message delivered twice changes nothing.
    assert pipe(runner, raw).startswith("duplicate")


def test_each_threading_way_and_who_may_use_it(app, runner, factory, now):
    pipe(runner, letter("Help", message_id="<a1@example.org>"))
    with app.app_context():
        ticket_id = db.session.scalar(select(Ticket.id))
    secret = app.config["SECRET_KEY"]
    from app.channels.email.rules import our_message_id, reply_address

    token = reply_address("support@growgrebuddy.com", ticket_id, secret)
    forged = token.replace(token.split("+")[1].split("@")[0], f"{ticket_id}.aaaaaaaaaaaaaaaa")
    ours = our_message_id(ticket_id, "agent_reply", "abc", "growgrebuddy.com", secret)
    cases = [
        (dict(to=token), "reply"),
        (dict(In_Reply_To=ours), "reply"),
        (dict(subject=f"Re: [#{ticket_id}] help"), "reply"),
        (dict(to=forged), "ticket"),
        (dict(subject=f"[#{ticket_id}] help", sender="eve@example.net"), "ticket"),
        (dict(to=token, sender="eve@example.net"), "ticket"),
        (dict(In_Reply_To=ours, sender="ana@example.org",
              Authentication_Results="mx.growgrebuddy.com; spf=fail; dmarc=fail"), "ticket"),
    ]  # fmt: skip
    app.config["EMAIL_TRUSTED_AUTHSERV_ID"] = "mx.growgrebuddy.com"
    for number, (fields, expected) in enumerate(cases):
        output = pipe(runner, letter("More", message_id=f"<c{number}@example.org>", **fields))
        assert output.startswith(expected), (fields, output)


def solved_ticket(app, runner, factory, now, message_id: str):
    """A ticket opened by mail that an agent solved: the agent and the ticket's id."""
    pipe(runner, letter("Help", message_id=message_id))
    agent = factory.user("agent_t1")
    with app.app_context():
        ticket = db.session.scalar(select(Ticket))
        agent_reply(agent, ticket, "Fixed.", now, status_after="solved")
        commit()
        return agent, ticket.id


def test_solved_reopens_closed_gets_a_follow_up(app, runner, factory, now):
    agent, ticket_id = solved_ticket(app, runner, factory, now, "<s1@example.org>")
    pipe(
        runner, letter("Still broken", subject=f"Re: [#{ticket_id}]", message_id="<s2@example.org>")
    )
    with app.app_context():
        assert db.session.get(Ticket, ticket_id).status == "open"
        ticket = db.session.get(Ticket, ticket_id)
        agent_reply(agent, ticket, "Closing.", now + timedelta(days=1), status_after="closed")
        commit()
    output = pipe(
        runner, letter("Again", subject=f"Re: [#{ticket_id}]", message_id="<s3@example.org>")
    )
    assert output.startswith("follow_up")
    with app.app_context():
        follow_up = db.session.scalars(select(Ticket).order_by(Ticket.id.desc())).first()
        assert follow_up.follow_up_of_id == ticket_id and follow_up.channel == "email"
        assert db.session.scalar(select(db.func.count()).select_from(InboundMessage)) == 3


def test_the_receipt_suggests_articles_and_a_reply_carries_its_attachments(
    app, runner, mailbox, factory, now
):
    factory.article(now, "When reminders stop arriving", "Check the notification settings.")
    factory.article(now, "Pruning tomatoes", "Cut the side shoots.")
    pipe(runner, letter("Nothing arrives.", subject="Reminders stopped"))
    receipt = mailbox.messages()[-1].get_content()
    assert "When reminders stop arriving: http" in receipt and "Pruning" not in receipt
    agent = factory.user("agent_t1")
    with app.app_context():
        ticket = db.session.scalar(select(Ticket))
        shot = files.Upload("settings.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
        agent_reply(agent, ticket, "See the screenshot.", now, attachments=[shot])
        commit()
    answer = mailbox.messages()[-1]
    (attached,) = list(answer.iter_attachments())
    assert attached.get_filename() == "settings.png"
    assert attached.get_content_type() == "image/png"
    assert attached.get_content() == b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_agents_download_the_originals_of_a_ticket_and_requesters_cannot(
    app, runner, client, auth, factory
):
    raw = letter("Original text with\nall headers.")
    pipe(runner, raw)
    with app.app_context():
        ticket_id = db.session.scalar(select(Ticket.id))
        record_id = db.session.scalar(select(InboundMessage.id))
    auth.login(factory.user())
    assert client.get(f"/admin/mail/tickets/{ticket_id}/originals").status_code == 403
    assert client.get(f"/admin/mail/messages/{record_id}.eml").status_code == 404
    auth.switch_to(factory.user("agent_t1"))
    work = client.get(f"/requests/{ticket_id}/work")
    assert b'id="ticket-originals"' in work.data
    listing = client.get(f"/admin/mail/tickets/{ticket_id}/originals")
    assert f"/admin/mail/messages/{record_id}.eml".encode() in listing.data
    download = client.get(f"/admin/mail/messages/{record_id}.eml")
    assert download.data == raw and download.mimetype == "message/rfc822"


def test_an_automatic_reply_to_a_solved_or_closed_ticket_is_noted_and_changes_nothing(
    app, runner, mailbox, factory, now
):
    agent, ticket_id = solved_ticket(app, runner, factory, now, "<a1@example.org>")
    sent = len(mailbox.messages())
    away = letter(
        "I am away until Monday.", subject=f"Re: [#{ticket_id}] Fixed",
        message_id="<a2@example.org>", X_Autoreply="yes",
    )  # fmt: skip
    assert pipe(runner, away).startswith("ignored")
    with app.app_context():
        assert db.session.get(Ticket, ticket_id).status == "solved"
        agent_reply(
            agent, db.session.get(Ticket, ticket_id), "Closing.", now, status_after="closed"
        )
        commit()
    # Outlook's answer carries no header, only its subject: no follow-up opens either.
    outlook = letter(
        "Away.", subject=f"Automatic reply: [#{ticket_id}]", message_id="<a3@example.org>"
    )
    assert pipe(runner, outlook).startswith("ignored")
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Ticket)) == 1
        assert db.session.get(Ticket, ticket_id).status == "closed"
        notes = db.session.scalars(
            select(TicketEvent.after).where(
                TicketEvent.ticket_id == ticket_id, TicketEvent.kind == "channel_event"
            )
        ).all()
        assert [note["what"] for note in notes] == ["automatic_reply", "automatic_reply"]
        assert notes[0]["detail"] == "x-autoreply header"
        assert notes[1]["detail"] == "an out-of-office subject"
        outcomes = db.session.scalars(select(InboundMessage.outcome).order_by(InboundMessage.id))
        assert outcomes.all() == ["ticket", "ignored", "ignored"]
    assert len(mailbox.messages()) == sent + 1  # the closing notice only, nothing to the robot
