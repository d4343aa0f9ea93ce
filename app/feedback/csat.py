"""Satisfaction after an interaction (CSAT): deciding, asking, answering, following up.

A solved ticket is decided once, :data:`CSAT_DELAY_HOURS` after it was solved, by
:func:`run_due` (registered as a job of ``flask tickets tick``): the decision is a
:class:`CsatSurvey` row, ``sent`` (an e-mail with rating links goes out; the request page and
the app ask too) or ``skipped`` with the rule that said no. A chat that ends asks at once
through :func:`request_rating`.

Explicit inputs (acting user, ``now``), ``flush`` only; the caller commits.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import exists, select

from app.accounts.models import User
from app.accounts.permissions import is_staff
from app.errors import DomainError, NotFound
from app.extensions import db
from app.feedback import rules, tokens
from app.feedback.models import BAD, RATINGS, SENT, SKIPPED, CsatAnswer, CsatSurvey
from app.feedback.services import is_opted_out
from app.mail import OutgoingMail, site_link
from app.outbox import record_mail
from app.tickets.catalog import CLOSED, SOLVED
from app.tickets.models import Ticket, TicketMessage
from app.tickets.sla import clock

COMMENT_MAX = 2000
VIAS = ("email", "page", "api")


class SurveyNotFound(NotFound):
    """No such survey for this person (someone else's looks exactly like a missing one)."""

    def __init__(self) -> None:
        super().__init__("We couldn't find that survey.")


def csat_rules() -> rules.CsatRules:
    config = current_app.config
    return rules.CsatRules(
        require_public_reply=config["CSAT_REQUIRE_PUBLIC_REPLY"],
        skip_staff=config["CSAT_SKIP_STAFF"],
        excluded_close_reasons=frozenset(config["CSAT_EXCLUDED_CLOSE_REASONS"]),
    )


def last_public_agent_id(ticket: Ticket) -> int | None:
    """The agent who replied publicly last: the rating is attributed to them."""
    return db.session.scalar(
        select(TicketMessage.author_id)
        .where(
            TicketMessage.ticket_id == ticket.id,
            TicketMessage.from_agent.is_(True),
            TicketMessage.internal.is_(False),
        )
        .order_by(TicketMessage.created_at.desc(), TicketMessage.id.desc())
        .limit(1)
    )


def closed_as(ticket: Ticket) -> str | None:
    """Why a ticket was closed, when for a reason that excludes a survey. A merged ticket is a
    duplicate; tickets flagged ``spam`` (by a future spam filter or an agent) count as spam."""
    if ticket.merged_into_id is not None:
        return "merged"
    if "spam" in (ticket.flags or []):
        return "spam"
    return None


def facts_for(ticket: Ticket) -> rules.CsatFacts:
    requester = ticket.requester
    return rules.CsatFacts(
        status=ticket.status,
        closed_as=closed_as(ticket),
        has_public_agent_reply=last_public_agent_id(ticket) is not None,
        requester_exists=requester is not None,
        requester_is_staff=requester is not None and is_staff(requester),
        requester_opted_out=requester is not None and is_opted_out(requester.id),
        already_surveyed=db.session.scalar(
            select(exists().where(CsatSurvey.ticket_id == ticket.id))
        ),
    )


def decide(ticket: Ticket, now: datetime, source: str = "ticket") -> CsatSurvey | None:
    """Take the one decision for ``ticket``: ask (and mail the requester) or skip with a reason.

    :returns: the new survey row, or None when the ticket was decided before.
    """
    facts = facts_for(ticket)
    reason = rules.csat_skip_reason(facts, csat_rules())
    if reason == "already_surveyed":
        return None
    survey = CsatSurvey(
        ticket_id=ticket.id,
        source=source,
        channel=ticket.channel if source == "ticket" else source,
        respondent_id=ticket.requester_id,
        agent_id=last_public_agent_id(ticket),
        state=SKIPPED if reason else SENT,
        skip_reason=reason,
        created_at=now,
        link_nonce=secrets.token_urlsafe(16),
    )
    db.session.add(survey)
    db.session.flush()
    if survey.state == SENT:
        _mail_survey(survey, ticket, now)
    return survey


def request_rating(ticket: Ticket, now: datetime) -> CsatSurvey | None:
    """Ask at once about an interaction that just ended (a live chat calls this when the chat
    closes; the chat's ticket carries the conversation and the agent). The same rules apply,
    except the delay after solving.

    :returns: the survey row, or None if this ticket was surveyed before.
    """
    return decide(ticket, now, source="chat")


def due_tickets(now: datetime, limit: int = 500) -> list[Ticket]:
    """Solved (or since closed) tickets whose survey delay has passed and that were never
    decided; only those solved within ``CSAT_SEND_WINDOW_DAYS`` of it."""
    config = current_app.config
    due_before = now - timedelta(hours=config["CSAT_DELAY_HOURS"])
    window_start = due_before - timedelta(days=config["CSAT_SEND_WINDOW_DAYS"])
    query = (
        select(Ticket)
        .where(
            Ticket.status.in_((SOLVED, CLOSED)),
            Ticket.solved_at.is_not(None),
            Ticket.solved_at <= due_before,
            Ticket.solved_at > window_start,
            ~exists().where(CsatSurvey.ticket_id == Ticket.id),
        )
        .order_by(Ticket.solved_at, Ticket.id)
        .limit(limit)
    )
    if db.engine.dialect.name == "postgresql":
        # Several hosts may tick at once: each decides different tickets.
        query = query.with_for_update(skip_locked=True, of=Ticket)
    return list(db.session.scalars(query))


def run_due(now: datetime) -> dict[str, int]:
    """Decide every ticket whose survey is due (the timer job); the caller commits.

    :returns: counts by outcome (``sent`` and each skip reason).
    """
    counts: dict[str, int] = {}
    for ticket in due_tickets(now):
        survey = decide(ticket, now)
        if survey is not None:
            key = survey.skip_reason or SENT
            counts[key] = counts.get(key, 0) + 1
    return counts


def _mail_survey(survey: CsatSurvey, ticket: Ticket, now: datetime) -> None:
    requester = ticket.requester
    token = tokens.sign(tokens.CSAT, survey.id, survey.link_nonce)
    good = site_link("feedback.rate", token=token, rating="good")
    bad = site_link("feedback.rate", token=token, rating="bad")
    opt_out = site_link("feedback.opt_out", token=tokens.sign(tokens.OPT_OUT, requester.id))
    body = (
        f"Hello {requester.display_name},\n\n"
        f"Your request \u201c{ticket.subject}\u201d ({ticket.ref}) was solved. "
        "How would you rate the support you received?\n\n"
        f"Good, I'm satisfied: {good}\n\n"
        f"Bad, I'm unsatisfied: {bad}\n\n"
        "Each link opens a page where you confirm your rating and may add a comment.\n\n"
        f"Don't ask me for feedback again: {opt_out}\n\n"
        "GrowgrEbuddy Support\n"
    )
    subject = f"[{ticket.ref}] How did we do?"
    record_mail(OutgoingMail(requester.email, subject, body), now)


# --- answering -------------------------------------------------------------------------------


def survey_from_token(token: str) -> CsatSurvey:
    """The survey a rating link names.

    :raises SurveyNotFound: forged, edited or stale link, or a skipped survey.
    """
    found = tokens.read(tokens.CSAT, token)
    survey = db.session.get(CsatSurvey, found[0]) if found else None
    if survey is None or survey.state != SENT or survey.link_nonce != found[1]:
        raise SurveyNotFound()
    return survey


def ticket_of(survey: CsatSurvey) -> Ticket | None:
    return db.session.get(Ticket, survey.ticket_id) if survey.ticket_id is not None else None


def link_expired(survey: CsatSurvey, now: datetime) -> bool:
    return now - survey.created_at > timedelta(days=current_app.config["CSAT_LINK_DAYS"])


def survey_for_requester(user: User, ticket_id: int) -> CsatSurvey | None:
    """The asked survey of the person's own ticket (None if it wasn't asked or isn't theirs)."""
    survey = db.session.scalar(select(CsatSurvey).where(CsatSurvey.ticket_id == ticket_id))
    if survey is None or survey.state != SENT or survey.respondent_id != user.id:
        return None
    return survey


def may_change(survey: CsatSurvey) -> bool:
    """Whether an answer is taken now (first answer always; a change until the ticket closes;
    a guide's rating from the same browser any time)."""
    ticket = ticket_of(survey)
    closed = ticket is not None and ticket.status == CLOSED
    return rules.may_change_rating(survey.rating is not None, closed)


def answer(
    survey: CsatSurvey,
    rating: str,
    reason: str | None,
    comment: str | None,
    via: str,
    now: datetime,
) -> CsatAnswer:
    """Record an answer (a first one, or a change of mind while the ticket is open).

    A bad rating logs ``csat_rated`` on the ticket and waits in the team lead's follow-up
    list (until they mark it done); a later good rating takes it off that list.

    :raises DomainError: unknown rating or reason, comment too long, ticket closed.
    """
    if rating not in RATINGS:
        raise DomainError("Choose good or bad.", "rating")
    reason = (reason or "").strip() or None
    if reason is not None and (
        rating != BAD or reason not in current_app.config["CSAT_BAD_REASONS"]
    ):
        raise DomainError("Choose one of the reasons listed.", "reason")
    comment = (comment or "").strip() or None
    if comment is not None and len(comment) > COMMENT_MAX:
        raise DomainError(f"Use at most {COMMENT_MAX} characters.", "comment")
    if comment is not None and "\x00" in comment:
        raise DomainError("Use plain text: this contains characters we can't store.", "comment")
    if via not in VIAS:
        raise DomainError(f"Unknown channel {via!r}.", "via")
    if not may_change(survey):
        raise DomainError("This request is closed, so its rating can no longer be changed.")
    changed = survey.rating != rating or survey.reason != reason
    survey.rating, survey.reason, survey.comment, survey.rated_at = rating, reason, comment, now
    if rating == BAD and changed:
        survey.followed_up_at = None  # a new bad answer needs a new look
        survey.followed_up_by_id = None
    record = CsatAnswer(
        survey_id=survey.id, rating=rating, reason=reason, comment=comment, via=via,
        created_at=now,
    )  # fmt: skip
    db.session.add(record)
    ticket = ticket_of(survey)
    if changed and ticket is not None:
        clock.log_event(
            ticket, ticket.requester, "csat_rated", now,
            after={"rating": rating, "reason": reason, "via": via},
        )  # fmt: skip
    db.session.flush()
    return record


def answer_by_link(
    token: str,
    rating: str,
    reason: str | None,
    comment: str | None,
    now: datetime,
    *,
    may_reuse: bool,
) -> CsatSurvey:
    """Answer from the e-mail's link. The link votes once: after its first answer only the
    browser that gave it (``may_reuse``, kept in that browser's session) may change the
    answer through it; anyone else must sign in and use the request page.

    :raises SurveyNotFound: bad link. :raises DomainError: used or expired link, bad input.
    """
    survey = survey_from_token(token)
    if link_expired(survey, now):
        raise DomainError("This link has expired. Rate the request from its page instead.")
    if survey.link_used_at is not None and not may_reuse:
        raise DomainError(
            "This link was already used. Sign in and open the request to change your rating."
        )
    answer(survey, rating, reason, comment, "email", now)
    if survey.link_used_at is None:
        survey.link_used_at = now
    db.session.flush()
    return survey


def pending_for(user: User) -> list[CsatSurvey]:
    """Asked, unanswered surveys of the person (the app shows them)."""
    return list(
        db.session.scalars(
            select(CsatSurvey)
            .where(
                CsatSurvey.respondent_id == user.id,
                CsatSurvey.state == SENT,
                CsatSurvey.rating.is_(None),
            )
            .order_by(CsatSurvey.created_at.desc(), CsatSurvey.id.desc())
            .limit(20)
        )
    )


def survey_of_user(user: User, survey_id: int) -> CsatSurvey:
    """:raises SurveyNotFound: no such asked survey of this person."""
    survey = db.session.get(CsatSurvey, survey_id)
    if survey is None or survey.state != SENT or survey.respondent_id != user.id:
        raise SurveyNotFound()
    return survey


# --- follow-up of bad ratings ----------------------------------------------------------------


def mark_followed_up(lead: User, survey_id: int, now: datetime) -> CsatSurvey:
    """The team lead has followed up a bad rating (logged on the ticket).

    :raises SurveyNotFound: no such bad rating.
    """
    survey = db.session.get(CsatSurvey, survey_id)
    if survey is None or survey.rating != BAD or survey.ticket_id is None:
        raise SurveyNotFound()
    if survey.followed_up_at is None:
        survey.followed_up_at = now
        survey.followed_up_by_id = lead.id
        ticket = db.session.get(Ticket, survey.ticket_id)
        clock.log_event(ticket, lead, "csat_followed_up", now, after={"survey_id": survey.id})
    db.session.flush()
    return survey
