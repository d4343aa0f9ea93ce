"""The optional satisfaction rating after a troubleshooting guide ends (services).

"Did this solve it?" records the outcome in the knowledge base; the rating is one more question
under it, for an outcome of this browser only (the caller checks that). A guide rating is a
:class:`CsatSurvey` with ``source`` ``guide`` and no ticket. Flush only; the caller commits.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from app.feedback.csat import SurveyNotFound, answer
from app.feedback.models import SENT, CsatSurvey
from app.feedback.services import is_opted_out
from app.kb.models import Article, GuideOutcome


def guide_outcome_to_rate(
    article_id: int, outcome_ids: list[int]
) -> tuple[int, CsatSurvey | None] | None:
    """The latest of this browser's guide outcomes (``outcome_ids``, kept in its session by the
    knowledge base) for this article, and its rating if given; None when there is none."""
    ids = [i for i in outcome_ids if isinstance(i, int)][-10:]
    if not ids:
        return None
    outcome_id = db.session.scalar(
        select(GuideOutcome.id)
        .where(GuideOutcome.id.in_(ids), GuideOutcome.article_id == article_id)
        .order_by(GuideOutcome.id.desc())
        .limit(1)
    )
    if outcome_id is None:
        return None
    survey = db.session.scalar(select(CsatSurvey).where(CsatSurvey.guide_outcome_id == outcome_id))
    return outcome_id, survey


def rate_guide(
    outcome_id: int,
    user: User | None,
    rating: str,
    reason: str | None,
    comment: str | None,
    now: datetime,
) -> CsatSurvey:
    """The optional rating after a troubleshooting guide ended ("Did this solve it?" recorded
    the outcome; this is one more question). The caller checks the outcome is this browser's.

    :raises SurveyNotFound: no such outcome, or the person opted out of feedback requests.
    :raises DomainError: bad input.
    """
    outcome = db.session.get(GuideOutcome, outcome_id)
    user_id = getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None
    if outcome is None or is_opted_out(user_id):
        raise SurveyNotFound()
    survey = db.session.scalar(select(CsatSurvey).where(CsatSurvey.guide_outcome_id == outcome_id))
    if survey is None:
        survey = CsatSurvey(
            ticket_id=None, guide_outcome_id=outcome_id, source="guide", channel="guide",
            respondent_id=user_id, agent_id=None, state=SENT, created_at=now,
            link_nonce=secrets.token_urlsafe(16),
        )  # fmt: skip
        db.session.add(survey)
        db.session.flush()
    answer(survey, rating, reason, comment, "page", now)
    return survey


def guide_page(survey: CsatSurvey) -> dict:
    """``url_for`` values of the guide's outcome page the rating belongs to."""
    outcome = db.session.get(GuideOutcome, survey.guide_outcome_id)
    article = db.session.get(Article, outcome.article_id)
    key = "solved" if outcome.outcome == "solved" else "stuck"
    return {"slug": article.slug, key: outcome.steps_tried}
