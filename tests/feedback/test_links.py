"""The e-mail's rating links and the request page: a GET never votes, the link votes once,
the person may change their mind until the ticket closes, nobody rates what isn't theirs."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db


@pytest.fixture
def asked(surveys, factory, now):
    """A requester whose solved ticket's survey was sent, and the mail's good and bad links."""
    requester, agent = factory.user(), factory.user("agent_t1")
    ticket_id = surveys.solved_ticket(requester, agent, now)
    surveys.tick(now + timedelta(days=1))
    mail = [m for m in surveys.mails_to(requester.email) if "How did we do" in m["Subject"]][-1]
    links = surveys.links(mail)
    good = next(p for p in links if p.endswith("rating=good"))
    bad = next(p for p in links if p.endswith("rating=bad"))
    return {"requester": requester, "agent": agent, "ticket_id": ticket_id, "good": good,
            "bad": bad, "opt_out": next(p for p in links if "/opt-out/" in p)}  # fmt: skip


def test_a_get_only_shows_the_confirm_page(client, surveys, asked):
    # What a mail scanner does: fetch every link, twice, with any method that has no body.
    for _ in range(2):
        for link in (asked["good"], asked["bad"]):
            page = client.get(link)
            assert page.status_code == 200
            assert 'id="rating-form"' in page.get_data(as_text=True)
            assert client.head(link).status_code == 200
    survey = surveys.survey(asked["ticket_id"])
    assert survey.rating is None and survey.link_used_at is None
    # The clicked rating is chosen on the page, so the person only confirms.
    assert 'checked id="rating-1"' in client.get(asked["bad"]).get_data(as_text=True)


def test_confirming_records_the_rating_once_per_link(app, client, surveys, asked):
    path = asked["good"].split("?")[0]
    done = client.post(path, data={"rating": "good", "reason": "", "comment": "Quick and kind"})
    assert done.status_code == 200 and 'id="rating-saved"' in done.get_data(as_text=True)
    survey = surveys.survey(asked["ticket_id"])
    assert (survey.rating, survey.comment) == ("good", "Quick and kind")
    assert survey.link_used_at is not None

    # The same browser may change its mind through the link while the ticket is open ...
    changed = client.post(path, data={"rating": "bad", "reason": "It took too long"})
    assert changed.status_code == 200
    assert surveys.survey(asked["ticket_id"]).rating == "bad"

    # ... anyone else holding the link (a forwarded mail, a scanner that POSTs) may not.
    stranger = app.test_client()
    refused = stranger.post(path, data={"rating": "good"})
    assert refused.status_code == 422
    assert "already used" in refused.get_data(as_text=True)
    assert "already used" in stranger.get(asked["good"]).get_data(as_text=True)
    assert surveys.survey(asked["ticket_id"]).rating == "bad"

    from app.feedback.queries import answers_of

    with app.app_context():
        history = [(a.rating, a.via) for a in answers_of(surveys.survey(asked["ticket_id"]).id)]
    assert history == [("good", "email"), ("bad", "email")]


def test_no_change_after_the_ticket_closes(app, client, surveys, asked, now):
    from app.outbox import commit
    from app.tickets.models import Ticket
    from app.tickets.sla import clock

    path = asked["good"].split("?")[0]
    assert client.post(path, data={"rating": "good"}).status_code == 200
    with app.app_context():
        ticket = db.session.get(Ticket, asked["ticket_id"])
        clock.set_status(ticket, "closed", now + timedelta(days=3), None)
        commit()
    refused = client.post(path, data={"rating": "bad"})
    assert refused.status_code == 422
    assert "can no longer be changed" in refused.get_data(as_text=True)
    assert surveys.survey(asked["ticket_id"]).rating == "good"


def test_bad_input_is_answered_next_to_the_field(client, surveys, asked):
    path = asked["bad"].split("?")[0]
    for data, message in [
        ({}, "Choose good or bad."),
        ({"rating": "meh"}, "Not a valid choice"),
        ({"rating": "bad", "reason": "I just dislike you"}, "Choose one of the reasons listed."),
        ({"rating": "good", "reason": "It took too long"}, "Choose one of the reasons listed."),
        ({"rating": "bad", "comment": "x" * 2001}, "2000"),
    ]:
        page = client.post(path, data=data)
        assert page.status_code == 422, data
        assert message in page.get_data(as_text=True), data
    assert surveys.survey(asked["ticket_id"]).rating is None


@pytest.mark.parametrize("tamper", ["forged", "edited", "other_purpose"])
def test_a_forged_or_edited_link_is_not_found(app, client, asked, tamper):
    from app.feedback import tokens

    token = asked["good"].split("/")[-1].split("?")[0]
    with app.test_request_context():
        if tamper == "forged":
            token = "W3sxLCJhYmMiXQ.bad-signature"
        elif tamper == "edited":
            token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
        else:  # a valid opt-out signature on the same id is no rating link
            token = tokens.sign(tokens.OPT_OUT, 1, "")
    assert client.get(f"/feedback/rate/{token}").status_code == 404
    assert client.post(f"/feedback/rate/{token}", data={"rating": "good"}).status_code == 404


def test_rating_from_the_request_page(client, auth, surveys, asked, factory):
    auth.login(asked["requester"])
    show = client.get(f"/requests/{asked['ticket_id']}").get_data(as_text=True)
    assert 'id="rating-heading"' in show
    saved = client.post(
        f"/feedback/requests/{asked['ticket_id']}/rating",
        data={"rating": "bad", "reason": "The answer was unclear", "comment": ""},
    )
    assert saved.status_code == 302
    survey = surveys.survey(asked["ticket_id"])
    assert (survey.rating, survey.reason) == ("bad", "The answer was unclear")
    assert "You rated this request" in client.get(f"/requests/{asked['ticket_id']}").get_data(
        as_text=True
    )
    invalid = client.post(f"/feedback/requests/{asked['ticket_id']}/rating", data={})
    assert invalid.status_code == 422 and "Choose good or bad." in invalid.get_data(as_text=True)

    # Someone else's request: the same answer as a missing one.
    auth.switch_to(factory.user())
    assert (
        client.post(
            f"/feedback/requests/{asked['ticket_id']}/rating", data={"rating": "good"}
        ).status_code
        == 404
    )
    assert surveys.survey(asked["ticket_id"]).rating == "bad"


def test_no_rating_form_before_the_survey_is_asked(client, auth, surveys, factory, now):
    requester, agent = factory.user(), factory.user("agent_t1")
    ticket_id = surveys.solved_ticket(requester, agent, now)
    auth.login(requester)
    assert 'id="rating-heading"' not in client.get(f"/requests/{ticket_id}").get_data(as_text=True)
    assert (
        client.post(f"/feedback/requests/{ticket_id}/rating", data={"rating": "good"}).status_code
        == 404
    )
