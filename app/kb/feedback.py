"""What readers tell us: helpful votes, page views and troubleshooting-guide outcomes.

Votes are one per account (for anonymous visitors one per browser, and one per connection and
browser within a day, without storing addresses) and can be changed; views are
a count per article per day with no address or visitor stored, counted outside the database and
written every few seconds (``app.tallies``); guide outcomes feed the
self-service success rate.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from app import tallies
from app.extensions import db
from app.kb import rules
from app.kb.models import Article, ArticleViewDay, ArticleVote, GuideOutcome, VoteSalt
from app.kb.services import KbError

REASON_MAX = 500


def find_vote(
    article: Article,
    *,
    user_id: int | None = None,
    visitor_id: str | None = None,
    visitor_hash: str | None = None,
) -> ArticleVote | None:
    """This person's vote on ``article``: by account when signed in, else by browser id, else
    by today's anonymous key."""
    if user_id is not None:
        conditions = [ArticleVote.user_id == user_id]
    else:
        conditions = [
            *([ArticleVote.visitor_id == visitor_id] if visitor_id else []),
            *([ArticleVote.visitor_hash == visitor_hash] if visitor_hash else []),
        ]
    for condition in conditions:
        vote = db.session.scalar(
            select(ArticleVote).where(ArticleVote.article_id == article.id, condition)
        )
        if vote is not None:
            return vote
    return None


def anonymous_key(article: Article, address: str, user_agent: str, now: datetime) -> str:
    """Today's key of an anonymous voter on ``article``: an HMAC under the day's random salt,
    so votes from fresh cookie-less sessions of one connection and browser count once, while
    nothing stored names the address (and keys differ between articles and days)."""
    message = f"{article.id}\n{address}\n{user_agent}".encode()
    return hmac.new(_salt_for(now).encode(), message, hashlib.sha256).hexdigest()


def _salt_for(now: datetime) -> str:
    day = now.date()
    salt = db.session.scalar(select(VoteSalt.salt).where(VoteSalt.day == day))
    if salt is not None:
        return salt
    try:
        with db.session.begin_nested():
            db.session.add(VoteSalt(day=day, salt=secrets.token_hex(32)))
    except IntegrityError:  # another request started the day first
        return db.session.scalar(select(VoteSalt.salt).where(VoteSalt.day == day))
    # A new day: earlier salts go, and with them the keys made from them (votes created before
    # today), so a stored key can never be matched to an address again.
    db.session.execute(delete(VoteSalt).where(VoteSalt.day < day))
    start = datetime.combine(day, time(), tzinfo=UTC)
    db.session.execute(
        update(ArticleVote)
        .where(ArticleVote.visitor_hash.is_not(None), ArticleVote.created_at < start)
        .values(visitor_hash=None)
        .execution_options(synchronize_session=False)
    )
    return db.session.scalar(select(VoteSalt.salt).where(VoteSalt.day == day))


def cast_vote(
    article: Article,
    *,
    helpful: bool,
    reason: str,
    now: datetime,
    user_id: int | None = None,
    visitor_id: str | None = None,
    client: tuple[str, str] | None = None,
) -> ArticleVote:
    """Record or change one person's "Was this helpful?" answer and recount the article.

    :param user_id: the signed-in voter; takes precedence over ``visitor_id``.
    :param visitor_id: the anonymous browser's random id (from the signed session cookie).
    :param client: the anonymous voter's ``(address, user agent)``; only today's salted key
        of it is stored (:func:`anonymous_key`), so a new session from the same connection
        and browser changes that vote instead of adding one.
    :raises KbError: no voter identity, or a reason that is too long.
    """
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise KbError(f"Keep the reason under {REASON_MAX} characters.", field="reason")
    if user_id is None and not visitor_id:
        raise KbError("We couldn't tell who is voting; reload the page and try again.")
    if user_id is not None:
        identity = {"user_id": user_id}
    else:
        key = anonymous_key(article, *client, now) if client is not None else None
        identity = {"visitor_id": visitor_id, "visitor_hash": key}
    vote = find_vote(article, **identity)
    if vote is None:
        vote = ArticleVote(
            article_id=article.id,
            helpful=helpful,
            reason=reason,
            created_at=now,
            updated_at=now,
            **identity,
        )
        try:
            # A savepoint, so a double click racing itself updates instead of failing.
            with db.session.begin_nested():
                db.session.add(vote)
        except IntegrityError:
            vote = find_vote(article, **identity)
    vote.helpful = helpful
    vote.reason = reason
    vote.updated_at = now
    db.session.flush()
    _recount(article)
    return vote


def _recount(article: Article) -> None:
    rows = dict(
        db.session.execute(
            select(ArticleVote.helpful, func.count())
            .where(ArticleVote.article_id == article.id)
            .group_by(ArticleVote.helpful)
        ).all()
    )
    article.helpful_yes = rows.get(True, 0)
    article.helpful_no = rows.get(False, 0)
    db.session.flush()


def record_view(article_id: int, day: date, user_agent: str | None) -> bool:
    """Count one page view of an article on ``day``; obvious bots are not counted.

    The count is kept outside the database (``app.tallies``) and written by
    :func:`write_views` within seconds, so reading an article never writes.

    :returns: whether the view was counted.
    """
    if rules.is_bot(user_agent):
        return False
    tallies.add(VIEW_TALLY, (article_id, day.isoformat()))
    return True


#: The tally kind of article page views: keys are ``(article id, ISO day)``.
VIEW_TALLY = "kb.view"


def write_views(counts: dict[tuple, int], now: datetime) -> None:
    """Add counted views to each article's daily row (the tally flusher of :data:`VIEW_TALLY`)."""
    existing = set(db.session.scalars(select(Article.id).where(
        Article.id.in_({article_id for article_id, _day in counts})
    )))  # fmt: skip
    for (article_id, day_text), count in sorted(counts.items()):
        if article_id not in existing:
            continue  # deleted since it was read
        day = date.fromisoformat(day_text)
        if _increment(article_id, day, count):
            continue
        try:
            with db.session.begin_nested():
                db.session.add(ArticleViewDay(article_id=article_id, day=day, count=count))
        except IntegrityError:
            # Another flusher created the day's row first; add to it.
            _increment(article_id, day, count)
    db.session.flush()


def _increment(article_id: int, day: date, count: int = 1) -> bool:
    result = db.session.execute(
        update(ArticleViewDay)
        .where(ArticleViewDay.article_id == article_id, ArticleViewDay.day == day)
        .values(count=ArticleViewDay.count + count)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount > 0


def views_on(article: Article, day: date) -> int:
    return db.session.scalar(
        select(func.coalesce(func.sum(ArticleViewDay.count), 0)).where(
            ArticleViewDay.article_id == article.id, ArticleViewDay.day == day
        )
    )


def step_count(article: Article) -> int:
    return len(article.structure.get("steps", []))


def record_guide_outcome(
    article: Article, *, solved: bool, steps_tried: int, now: datetime, user_id: int | None = None
) -> GuideOutcome:
    """Record how a troubleshooting guide ended: solved at a step, or not solved after the last.

    :raises KbError: not a troubleshooting guide, or a step number outside the guide.
    """
    total = step_count(article)
    if not article.is_troubleshooting or total == 0:
        raise KbError("This article isn't a step-by-step troubleshooting guide.")
    if not 1 <= steps_tried <= total:
        raise KbError(f"This guide has steps 1 to {total}.")
    if not solved and steps_tried != total:
        raise KbError("Try the remaining steps first; the next one may fix it.")
    outcome = GuideOutcome(
        article_id=article.id,
        outcome="solved" if solved else "not_solved",
        steps_tried=steps_tried,
        steps_total=total,
        user_id=user_id,
        created_at=now,
    )
    db.session.add(outcome)
    db.session.flush()
    return outcome


@dataclass
class OutcomeCounts:
    solved: int
    not_solved: int

    @property
    def success_rate(self) -> float | None:
        """Self-service success rate: solved / (solved + not solved), None without outcomes."""
        total = self.solved + self.not_solved
        return self.solved / total if total else None


def outcome_counts(
    article: Article | None = None, since: datetime | None = None, until: datetime | None = None
) -> OutcomeCounts:
    """Guide outcomes, for one article or all, optionally within ``[since, until)``."""
    query = select(GuideOutcome.outcome, func.count()).group_by(GuideOutcome.outcome)
    if article is not None:
        query = query.where(GuideOutcome.article_id == article.id)
    if since is not None:
        query = query.where(GuideOutcome.created_at >= since)
    if until is not None:
        query = query.where(GuideOutcome.created_at < until)
    rows = dict(db.session.execute(query).all())
    return OutcomeCounts(rows.get("solved", 0), rows.get("not_solved", 0))
