"""Feedback operations shared by both surveys: the opt-out and anonymising a person's answers.

Explicit inputs (acting user, ``now``), ``flush`` only, never a commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from app.accounts.models import User
from app.errors import NotFound
from app.extensions import db
from app.feedback import tokens
from app.feedback.models import CsatAnswer, CsatSurvey, FeedbackPreference, NpsInvitation


def is_opted_out(user_id: int | None) -> bool:
    """Whether the person said "Don't ask me for feedback" (honoured by CSAT and NPS alike)."""
    if user_id is None:
        return False
    preference = db.session.get(FeedbackPreference, user_id)
    return preference is not None and preference.opted_out


def opted_out_ids() -> set[int]:
    return set(
        db.session.scalars(
            select(FeedbackPreference.user_id).where(FeedbackPreference.opted_out.is_(True))
        )
    )


def user_from_opt_out_token(token: str) -> User:
    """The person an opt-out link names.

    :raises NotFound: a forged or edited link.
    """
    found = tokens.read(tokens.OPT_OUT, token)
    user = db.session.get(User, found[0]) if found else None
    if user is None:
        raise NotFound("We couldn't find that link.")
    return user


def set_opt_out(user: User, opted_out: bool, now: datetime) -> FeedbackPreference:
    """Record the person's choice; it applies to every survey not yet sent."""
    preference = db.session.get(FeedbackPreference, user.id)
    if preference is None:
        preference = FeedbackPreference(user_id=user.id, opted_out=opted_out, changed_at=now)
        db.session.add(preference)
    elif preference.opted_out != opted_out:
        preference.opted_out = opted_out
        preference.changed_at = now
    db.session.flush()
    return preference


def anonymise_feedback(user_id: int) -> int:
    """Detach a person's answers from them (account deletion): ratings, reasons and scores
    stay for the totals, nothing points at the person any more, and their free-text comments
    (which may name them) are erased. The erasure feature calls this
    before deleting the account; the foreign keys' ``SET NULL`` does the same if it doesn't.

    :returns: how many rows were detached.
    """
    theirs = select(CsatSurvey.id).where(CsatSurvey.respondent_id == user_id)
    db.session.execute(
        update(CsatAnswer).where(CsatAnswer.survey_id.in_(theirs)).values(comment=None)
    )
    surveys = db.session.execute(
        update(CsatSurvey)
        .where(CsatSurvey.respondent_id == user_id)
        .values(respondent_id=None, comment=None)
    ).rowcount
    invitations = db.session.execute(
        update(NpsInvitation).where(NpsInvitation.user_id == user_id).values(user_id=None, why=None)
    ).rowcount
    db.session.execute(
        update(CsatSurvey).where(CsatSurvey.agent_id == user_id).values(agent_id=None)
    )
    preference = db.session.get(FeedbackPreference, user_id)
    if preference is not None:
        db.session.delete(preference)
    db.session.flush()
    return surveys + invitations
