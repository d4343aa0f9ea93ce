"""Help-center sessions: counted while pages are served, written by the tally flusher.

A page view never writes: it adds one to a tally (``app.tallies``, the machinery of article
view counts) keyed by the UTC day, the unsalted browser digest
(:func:`app.metrics.rules.browser_digest`: user agent and first preferred language, never the
address), the signed-in account (0 for visitors), the minute and the article read (if any).
Within seconds :func:`write_sessions` salts each digest with the day's random salt
(:func:`app.metrics.rules.session_key`) and adds the views to that day's
:class:`~app.metrics.models.HelpSession`, so only salted keys ever reach the database.

A visitor who reads anonymously and then signs in (to open a request, say) gets a second
session under their account; the anonymous one of the same browser and day is then attributed
to the account too, so "followed by a request within 24 h" sees it. Salts are deleted an hour
after their day ends (late tallies of that day are dropped): keys of two days cannot be linked.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app import tallies
from app.extensions import db
from app.kb.models import Article
from app.kb.rules import is_bot
from app.metrics import rules
from app.metrics.models import HelpSession, HelpSessionArticle, SessionSalt

log = logging.getLogger(__name__)

#: The tally kind of help-center page views:
#: ``(UTC day, browser digest, account id or 0, ISO minute, article slug or "")``.
SESSION_TALLY = "metrics.session"
#: A day's salt outlives the day by this much, for tallies counted just before midnight.
SALT_GRACE = timedelta(hours=1)
#: A request of the same person up to this long after a session (or an article view) follows it.
FOLLOW_WINDOW = timedelta(hours=24)


def record_page_view(
    now: datetime,
    *,
    user_agent: str | None,
    accept_language: str | None,
    user_id: int | None,
    article_slug: str = "",
) -> bool:
    """Count one help-center page view in this browser's (or person's) session of the day.

    :param article_slug: the knowledge-base article the page shows, if any.
    :returns: whether it was counted (obvious bots are not).
    """
    if is_bot(user_agent):  # the rule of article view counts: both skip the same visits
        return False
    minute = now.replace(second=0, microsecond=0)
    digest = rules.browser_digest(user_agent, accept_language)
    key = (now.date().isoformat(), digest, user_id or 0, minute.isoformat(), article_slug)
    tallies.add(SESSION_TALLY, key)
    return True


def salt_for(day: date) -> str:
    """The day's salt, created by the first flusher that needs it."""
    salt = db.session.scalar(select(SessionSalt.salt).where(SessionSalt.day == day))
    if salt is not None:
        return salt
    try:
        with db.session.begin_nested():
            db.session.add(SessionSalt(day=day, salt=secrets.token_hex(32)))
    except IntegrityError:  # another process made it first
        pass
    return db.session.scalar(select(SessionSalt.salt).where(SessionSalt.day == day))


def forget_old_salts(now: datetime) -> int:
    """Delete the salts of days that ended more than :data:`SALT_GRACE` ago.

    :returns: salts deleted.
    """
    result = db.session.execute(
        delete(SessionSalt).where(SessionSalt.day < (now - SALT_GRACE).date())
    )
    return result.rowcount or 0


@dataclass
class _Visit:
    """One browser-day-person's views of one flush."""

    first: datetime
    last: datetime
    views: int = 0
    #: slug -> [first view, last view, views]
    articles: dict[str, list] = field(default_factory=dict)

    def add(self, at: datetime, views: int, slug: str) -> None:
        self.first, self.last = min(self.first, at), max(self.last, at)
        self.views += views
        if slug:
            seen = self.articles.setdefault(slug, [at, at, 0])
            seen[0], seen[1], seen[2] = min(seen[0], at), max(seen[1], at), seen[2] + views


def write_sessions(counts: dict[tuple, int], now: datetime) -> None:
    """Add counted page views to their sessions (the tally flusher of :data:`SESSION_TALLY`)."""
    oldest = (now - SALT_GRACE).date()
    visits: dict[tuple[date, str, int], _Visit] = {}
    for (day_text, digest, user_id, minute, slug), views in counts.items():
        day, at = date.fromisoformat(day_text), datetime.fromisoformat(minute)
        if day < oldest:
            log.info("session views of %s dropped: the day's salt is gone", day)
            continue
        visit = visits.setdefault((day, digest, int(user_id)), _Visit(at, at))
        visit.add(at, views, slug)
    slugs = {slug for visit in visits.values() for slug in visit.articles}
    article_ids = {}
    if slugs:
        article_ids = dict(
            db.session.execute(
                select(Article.slug, Article.id).where(Article.slug.in_(slugs))
            ).all()
        )
    salts = {day: salt_for(day) for day in {day for day, _, _ in visits}}
    for (day, digest, user_id), visit in sorted(visits.items(), key=lambda item: item[1].first):
        person = str(user_id) if user_id else ""
        session = _add_to_session(day, rules.session_key(salts[day], digest, person), visit)
        if user_id:
            session.user_id = user_id
            _attribute_anonymous_start(day, rules.session_key(salts[day], digest), user_id, visit)
        for slug, (first, last, views) in visit.articles.items():
            if slug in article_ids:
                _add_article(session, article_ids[slug], first, last, views)
    forget_old_salts(now)
    db.session.flush()


def _add_to_session(day: date, key: str, visit: _Visit) -> HelpSession:
    def find() -> HelpSession | None:
        return db.session.scalar(
            select(HelpSession).where(HelpSession.day == day, HelpSession.key == key)
        )

    session = find()
    if session is None:
        try:
            with db.session.begin_nested():
                session = HelpSession(
                    day=day, key=key, first_seen_at=visit.first, last_seen_at=visit.last,
                    follow_until=visit.last + FOLLOW_WINDOW, views=visit.views,
                )  # fmt: skip
                db.session.add(session)
            return session
        except IntegrityError:  # another process's flush created it first
            session = find()
    session.first_seen_at = min(session.first_seen_at, visit.first)
    session.last_seen_at = max(session.last_seen_at, visit.last)
    session.follow_until = session.last_seen_at + FOLLOW_WINDOW
    session.views += visit.views
    return session


def _attribute_anonymous_start(day: date, key: str, user_id: int, visit: _Visit) -> None:
    """The same browser's anonymous session of the day, begun before this person signed in,
    is theirs: a request they open afterwards follows it."""
    anonymous = db.session.scalar(
        select(HelpSession).where(
            HelpSession.day == day, HelpSession.key == key, HelpSession.user_id.is_(None),
            HelpSession.first_seen_at <= visit.first,
        )
    )  # fmt: skip
    if anonymous is not None:
        anonymous.user_id = user_id


def _add_article(
    session: HelpSession, article_id: int, first: datetime, last: datetime, views: int
) -> None:
    db.session.flush()  # the session's id

    def find() -> HelpSessionArticle | None:
        return db.session.scalar(
            select(HelpSessionArticle).where(
                HelpSessionArticle.session_id == session.id,
                HelpSessionArticle.article_id == article_id,
            )
        )

    seen = find()
    if seen is None:
        try:
            with db.session.begin_nested():
                db.session.add(HelpSessionArticle(
                    session_id=session.id, article_id=article_id, first_viewed_at=first,
                    follow_until=last + FOLLOW_WINDOW, views=views,
                ))  # fmt: skip
            return
        except IntegrityError:  # another process's flush added it first
            seen = find()
    seen.first_viewed_at = min(seen.first_viewed_at, first)
    seen.follow_until = max(seen.follow_until, last + FOLLOW_WINDOW)
    seen.views += views
