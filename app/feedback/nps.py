"""The quarterly satisfaction survey (NPS): sampling a wave, asking in the app first, then by
e-mail with one reminder, and recording answers.

Explicit inputs (acting user, ``now``), ``flush`` only; the caller commits.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.accounts.permissions import is_staff
from app.errors import DomainError, NotFound
from app.extensions import db
from app.feedback import rules, tokens
from app.feedback.models import SENT, CsatSurvey, NpsInvitation, NpsWave
from app.feedback.services import opted_out_ids
from app.mail import OutgoingMail, site_link
from app.outbox import record_mail

QUESTION = "How likely are you to recommend GrowgrEbuddy to a friend?"
WHY_MAX = 2000
VIAS = ("app", "email")

#: ``app.extensions["activity_sources"]``: callables ``(since) -> ids`` of accounts active
#: since then beyond signing in (the API registers its token use); features below can't import
#: the API, so it registers itself.
ActivitySource = Callable[[datetime], Iterable[int]]


class InvitationNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("We couldn't find that survey.")


def nps_rules() -> rules.NpsRules:
    config = current_app.config
    return rules.NpsRules(
        active_days=config["NPS_ACTIVE_DAYS"],
        min_days_between=config["NPS_MIN_DAYS_BETWEEN"],
        csat_quiet_days=config["NPS_CSAT_QUIET_DAYS"],
    )


def nps_timers() -> rules.NpsTimers:
    config = current_app.config
    return rules.NpsTimers(
        email_after_days=config["NPS_EMAIL_AFTER_DAYS"],
        reminder_after_days=config["NPS_REMINDER_AFTER_DAYS"],
        response_days=config["NPS_RESPONSE_DAYS"],
    )


def _last_active(since: datetime) -> dict[int, datetime]:
    """Accounts active since ``since`` and when (sign-in; other sources count as ``since``)."""
    rows = db.session.execute(
        select(User.id, User.last_login_at).where(
            User.last_login_at >= since, User.is_suspended.is_(False)
        )
    ).all()
    active = {user_id: at for user_id, at in rows}
    for source in current_app.extensions.get("activity_sources", []):
        for user_id in source(since):
            active.setdefault(user_id, since)
    return active


def candidates(now: datetime) -> list[rules.NpsCandidate]:
    """Every account active within ``NPS_ACTIVE_DAYS``, with the facts sampling needs."""
    since = now - timedelta(days=current_app.config["NPS_ACTIVE_DAYS"])
    active = _last_active(since)
    if not active:
        return []
    last_invited = dict(
        db.session.execute(
            select(NpsInvitation.user_id, func.max(NpsInvitation.invited_at))
            .where(NpsInvitation.user_id.is_not(None))
            .group_by(NpsInvitation.user_id)
        ).all()
    )
    last_csat = dict(
        db.session.execute(
            select(CsatSurvey.respondent_id, func.max(CsatSurvey.created_at))
            .where(CsatSurvey.state == SENT, CsatSurvey.respondent_id.is_not(None))
            .group_by(CsatSurvey.respondent_id)
        ).all()
    )
    opted_out = opted_out_ids()
    users = db.session.scalars(select(User).where(User.id.in_(list(active)))).all()
    return [
        rules.NpsCandidate(
            user_id=user.id,
            last_active_at=active[user.id],
            last_invited_at=last_invited.get(user.id),
            last_csat_at=last_csat.get(user.id),
            opted_out=user.id in opted_out,
            is_staff=is_staff(user),
        )
        for user in users
        if not user.is_suspended
    ]


def start_wave(now: datetime, rng: random.Random | None = None) -> NpsWave:
    """Sample this quarter's wave and invite the sample (asked in the app first).

    :raises DomainError: this quarter already has a wave.
    """
    quarter = rules.quarter_of(now)
    if db.session.scalar(select(NpsWave.id).where(NpsWave.quarter == quarter)) is not None:
        raise DomainError(f"The {quarter} survey has already started.")
    found = candidates(now)
    rule_set = nps_rules()
    eligible = [c.user_id for c in found if rules.nps_skip_reason(c, now, rule_set) is None]
    share = current_app.config["NPS_SAMPLE_SHARE"]
    size = rules.sample_size(len(found), share, len(eligible))
    chosen = rules.choose_sample(eligible, size, rng or random.SystemRandom())
    wave = NpsWave(
        quarter=quarter, started_at=now, sample_share=share, active_count=len(found),
        eligible_count=len(eligible),
    )  # fmt: skip
    db.session.add(wave)
    db.session.flush()
    for user_id in chosen:
        db.session.add(
            NpsInvitation(
                wave_id=wave.id,
                user_id=user_id,
                invited_at=now,
                link_nonce=secrets.token_urlsafe(16),
            )
        )
    db.session.flush()
    return wave


def open_invitation(user: User, now: datetime) -> NpsInvitation | None:
    """The person's unanswered invitation that is still open, if any."""
    since = now - timedelta(days=current_app.config["NPS_RESPONSE_DAYS"])
    return db.session.scalar(
        select(NpsInvitation)
        .where(
            NpsInvitation.user_id == user.id,
            NpsInvitation.answered_at.is_(None),
            NpsInvitation.invited_at >= since,
        )
        .order_by(NpsInvitation.invited_at.desc())
        .limit(1)
    )


def mark_prompted(invitation: NpsInvitation, now: datetime) -> None:
    if invitation.prompted_at is None:
        invitation.prompted_at = now
        db.session.flush()


def invitation_of_user(user: User, invitation_id: int, now: datetime) -> NpsInvitation:
    """:raises InvitationNotFound: not the person's open invitation."""
    invitation = db.session.get(NpsInvitation, invitation_id)
    if invitation is None or invitation.user_id != user.id:
        raise InvitationNotFound()
    return invitation


def invitation_from_token(token: str) -> NpsInvitation:
    """:raises InvitationNotFound: forged, edited or stale link."""
    found = tokens.read(tokens.NPS, token)
    invitation = db.session.get(NpsInvitation, found[0]) if found else None
    if invitation is None or invitation.link_nonce != found[1]:
        raise InvitationNotFound()
    return invitation


def is_expired(invitation: NpsInvitation, now: datetime) -> bool:
    return now - invitation.invited_at > timedelta(days=current_app.config["NPS_RESPONSE_DAYS"])


def answer(invitation: NpsInvitation, score, why: str | None, via: str, now: datetime) -> None:
    """Record the 0-10 score and the optional why (once per invitation).

    :raises DomainError: score missing or out of range, answered already, invitation expired.
    """
    if isinstance(score, str) and score.strip().isdecimal() and len(score.strip()) <= 2:
        score = int(score.strip())
    if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= 10:
        raise DomainError("Choose a number from 0 to 10.", "score")
    why = (why or "").strip() or None
    if why is not None and len(why) > WHY_MAX:
        raise DomainError(f"Use at most {WHY_MAX} characters.", "why")
    if why is not None and "\x00" in why:
        raise DomainError("Use plain text: this contains characters we can't store.", "why")
    if via not in VIAS:
        raise DomainError(f"Unknown channel {via!r}.", "via")
    if invitation.answered_at is not None:
        raise DomainError("You have already answered this survey. Thank you!")
    if is_expired(invitation, now):
        raise DomainError("This survey has ended.")
    invitation.score, invitation.why = score, why
    invitation.answered_at, invitation.answered_via = now, via
    db.session.flush()


def _mail(invitation: NpsInvitation, user: User, now: datetime, reminder: bool) -> None:
    link = site_link(
        "feedback.nps_answer", token=tokens.sign(tokens.NPS, invitation.id, invitation.link_nonce)
    )
    opt_out = site_link("feedback.opt_out", token=tokens.sign(tokens.OPT_OUT, user.id))
    opening = "A reminder: we'd still love" if reminder else "We'd love"
    body = (
        f"Hello {user.display_name},\n\n"
        f"{opening} to hear from you. {QUESTION}\n\n"
        f"Answer (one question, 0 to 10, and an optional why): {link}\n\n"
        f"Don't ask me for feedback again: {opt_out}\n\n"
        "GrowgrEbuddy\n"
    )
    subject = "Reminder: how are we doing?" if reminder else "How are we doing?"
    record_mail(OutgoingMail(user.email, subject, body), now)


def run_due(now: datetime) -> dict[str, int]:
    """The timer job: start this quarter's wave (``NPS_AUTO_WAVE``), then e-mail the invited
    who haven't answered in the app, and remind once. Opting out stops both."""
    counts = {"waves": 0, "emails": 0, "reminders": 0}
    quarter = rules.quarter_of(now)
    if (
        current_app.config["NPS_AUTO_WAVE"]
        and db.session.scalar(select(NpsWave.id).where(NpsWave.quarter == quarter)) is None
    ):
        try:
            with db.session.begin_nested():
                start_wave(now)
            counts["waves"] = 1
        except IntegrityError:  # another timer host started this quarter's wave just now
            pass
    timers = nps_timers()
    since = now - timedelta(days=timers.response_days)
    query = select(NpsInvitation).where(
        NpsInvitation.answered_at.is_(None),
        NpsInvitation.invited_at >= since,
        NpsInvitation.user_id.is_not(None),
        NpsInvitation.reminded_at.is_(None),
    )
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    opted_out = opted_out_ids()
    for invitation in db.session.scalars(query.order_by(NpsInvitation.id)):
        step = rules.nps_next_step(
            invitation.invited_at, invitation.emailed_at, invitation.reminded_at, False, now,
            timers,
        )  # fmt: skip
        if step is None or invitation.user_id in opted_out:
            continue
        user = db.session.get(User, invitation.user_id)
        if step == "email":
            invitation.emailed_at = now
            counts["emails"] += 1
        else:
            invitation.reminded_at = now
            counts["reminders"] += 1
        _mail(invitation, user, now, reminder=step == "remind")
    db.session.flush()
    return counts
