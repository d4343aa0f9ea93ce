"""Knowledge-base operations: finding articles for the pages, and staff editing with
append-only revisions, restore and stale-save detection. Services take the acting user and
``now``, flush but never commit, and raise :class:`DomainError` for anything a person can fix.

Votes, views and guide outcomes are in :mod:`app.kb.feedback`; the in-app help functions the
API uses (snippets, tours, screen suggestions, content version) in :mod:`app.kb.snippets`,
re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from app.errors import Conflict, DomainError
from app.extensions import db
from app.kb import rules
from app.kb.content import render_article
from app.kb.models import Article, ArticleRevision, ArticleViewDay, Snippet
from app.kb.snippets import (  # noqa: F401  (the API's documented entry points)
    articles_for_screen,
    content_version,
    get_snippet,
    get_snippets,
    get_tour,
    snippets_for_screen,
)
from app.kb.visibility import public_articles_filter, visible_articles_filter
from app.markup import RENDERER_VERSION, render
from app.outbox import record_search_change

TITLE_MAX = 200
SUMMARY_MAX = rules.SUMMARY_MAX
BODY_MAX = rules.BODY_MAX
_BODY_TOO_LONG = f"Keep the article text under {BODY_MAX:,} characters."


class StaleRevision(Conflict):
    """The edit was based on an older revision than the current one; nothing was saved."""

    def __init__(self, current: ArticleRevision) -> None:
        super().__init__(
            f"Someone saved revision {current.number} while you were editing. "
            "Compare the two versions, merge your change and save again."
        )
        self.current = current


# --- Reading -------------------------------------------------------------------------------


def get_article(slug: str) -> Article | None:
    """The article with this slug, archived or not, public or internal: callers check
    :func:`app.kb.visibility.can_read` (the pages answer 404 to people outside its audience)."""
    return db.session.scalar(select(Article).where(Article.slug == slug))


def get_public_article(slug: str) -> Article | None:
    """The public article with this slug (for surfaces everyone sees, e.g. a ticket's guide)."""
    return db.session.scalar(select(Article).where(Article.slug == slug, public_articles_filter()))


def section_articles(section: str, page: int = 1, per_page: int = 20):
    """Live articles of a section, grouped by type (FAQ, guides, videos), then by title."""
    query = (
        select(Article)
        .where(Article.section == section, Article.is_archived.is_(False), public_articles_filter())
        .order_by(Article.type, Article.title)
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def section_counts() -> dict[str, int]:
    """Number of live articles per section slug."""
    rows = db.session.execute(
        select(Article.section, func.count())
        .where(Article.is_archived.is_(False), public_articles_filter())
        .group_by(Article.section)
    ).all()
    return dict(rows)


def popular_articles(
    today: date,
    limit: int = 6,
    days: int = 30,
    *,
    featured: list[str] | tuple[str, ...] = (),
    min_views: int = 0,
) -> list[Article]:
    """Most viewed live articles over the last ``days`` days; most helpful first on a tie.

    While all articles together have fewer than ``min_views`` views in that time, the live
    articles of ``featured`` (slugs, in that order) are returned instead: a fresh install's
    view counts would only repeat "Recently updated".
    """
    since = today - timedelta(days=days)
    if featured:
        seen = db.session.scalar(
            select(func.coalesce(func.sum(ArticleViewDay.count), 0)).where(
                ArticleViewDay.day > since
            )
        )
        if seen < min_views:
            live = db.session.scalars(
                select(Article).where(
                    Article.slug.in_(featured),
                    Article.is_archived.is_(False),
                    public_articles_filter(),
                )
            )
            by_slug = {article.slug: article for article in live}
            return [by_slug[slug] for slug in featured if slug in by_slug][:limit]
    views = func.coalesce(func.sum(ArticleViewDay.count), 0)
    query = (
        select(Article)
        .outerjoin(
            ArticleViewDay,
            (ArticleViewDay.article_id == Article.id) & (ArticleViewDay.day > since),
        )
        .where(Article.is_archived.is_(False), public_articles_filter())
        .group_by(Article.id)
        .order_by(views.desc(), Article.helpful_yes.desc(), Article.title)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def recent_articles(limit: int = 6) -> list[Article]:
    query = (
        select(Article)
        .where(Article.is_archived.is_(False), public_articles_filter())
        .order_by(Article.updated_at.desc(), Article.title)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def related_articles(article: Article, user=None) -> list[Article]:
    """The article's related articles that exist and are live, in the author's order.

    A public article links only to public ones (its page is the same for everybody and may be
    cached); an internal one also to the internal articles ``user`` may read.
    """
    if not article.related:
        return []
    allowed = public_articles_filter() if not article.is_internal else visible_articles_filter(user)
    found = db.session.scalars(
        select(Article).where(
            Article.slug.in_(article.related), Article.is_archived.is_(False), allowed
        )
    ).all()
    by_slug = {item.slug: item for item in found}
    return [by_slug[slug] for slug in article.related if slug in by_slug]


def view_total(article: Article) -> int:
    return db.session.scalar(
        select(func.coalesce(func.sum(ArticleViewDay.count), 0)).where(
            ArticleViewDay.article_id == article.id
        )
    )


# --- Revisions -----------------------------------------------------------------------------


def add_revision(
    article: Article,
    *,
    title: str,
    summary: str,
    tags: list[str],
    body: str,
    source: str,
    now: datetime,
    author_id: int | None = None,
    comment: str = "",
    source_hash: str = "",
) -> ArticleRevision:
    """Make ``article`` show this content as a new revision (the one way content changes).

    Renders the body once, appends the revision and tells search about the change.

    :raises DomainError: the body doesn't fit the article's type (no steps, no questions).
    """
    try:
        body_html, structure = render_article(
            article.type, article.is_troubleshooting, body, article.transcript
        )
    except rules.ContentError as exc:
        raise DomainError(str(exc), field="body") from None
    number = (article.revision_number or 0) + 1
    revision = ArticleRevision(
        article=article,
        number=number,
        title=title,
        summary=summary,
        tags=list(tags),
        body=body,
        source=source,
        source_hash=source_hash,
        author_id=author_id,
        comment=comment[:300],
        created_at=now,
    )
    db.session.add(revision)
    article.title = title
    article.summary = summary
    article.tags = list(tags)
    article.body = body
    article.body_html = body_html
    article.structure = structure
    article.rendered_with = RENDERER_VERSION
    article.revision_number = number
    article.updated_at = now
    db.session.flush()
    record_search_change("article", article.id, now)
    return revision


def current_revision(article: Article) -> ArticleRevision:
    return get_revision(article, article.revision_number)


def get_revision(article: Article, number: int) -> ArticleRevision | None:
    return db.session.scalar(
        select(ArticleRevision).where(
            ArticleRevision.article_id == article.id, ArticleRevision.number == number
        )
    )


def revisions_page(article: Article, page: int = 1, per_page: int = 20):
    """The article's history, newest first."""
    query = (
        select(ArticleRevision)
        .where(ArticleRevision.article_id == article.id)
        .order_by(ArticleRevision.number.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


@dataclass
class Comparison:
    old: ArticleRevision
    new: ArticleRevision
    rows: list
    changed_fields: list[tuple[str, str, str]]


def compare(article: Article, old_number: int, new_number: int) -> Comparison | None:
    """A readable diff between two revisions (any order), or None if one doesn't exist."""
    old, new = get_revision(article, old_number), get_revision(article, new_number)
    if old is None or new is None:
        return None
    fields = []
    for label, before, after in (
        ("Title", old.title, new.title),
        ("Summary", old.summary, new.summary),
        ("Tags", ", ".join(old.tags), ", ".join(new.tags)),
    ):
        if before != after:
            fields.append((label, before, after))
    return Comparison(old, new, rules.diff_rows(old.body, new.body), fields)


def _check_fields(title: str, summary: str, body: str) -> None:
    if not title:
        raise DomainError("Enter a title.", field="title")
    if len(title) > TITLE_MAX:
        raise DomainError(f"Keep the title under {TITLE_MAX} characters.", field="title")
    if not summary:
        raise DomainError("Enter a one-sentence summary.", field="summary")
    if len(summary) > SUMMARY_MAX:
        raise DomainError(f"Keep the summary under {SUMMARY_MAX} characters.", field="summary")
    if not body.strip():
        raise DomainError("The article text can't be empty.", field="body")
    if len(body) > BODY_MAX:
        raise DomainError(_BODY_TOO_LONG, field="body")


def _check_base(article: Article, base_revision: int) -> None:
    if base_revision != article.revision_number:
        raise StaleRevision(current_revision(article))


def save_article(
    article: Article,
    editor,
    *,
    base_revision: int,
    title: str,
    summary: str,
    tags: str | list[str],
    body: str,
    comment: str,
    now: datetime,
) -> ArticleRevision | None:
    """Save a staff edit from the browser as a new revision.

    :param base_revision: the revision number the editor started from.
    :returns: the new revision, or None when nothing changed.
    :raises StaleRevision: someone saved since ``base_revision``; nothing is saved.
    :raises DomainError: a field is empty or too long, or the body lost its steps/questions.
    """
    title, summary = (title or "").strip(), (summary or "").strip()
    body = (body or "").replace("\r\n", "\n").strip() + "\n"
    tags = rules.parse_tags(tags)
    _check_base(article, base_revision)
    _check_fields(title, summary, body)
    if (title, summary, tags, body) == (article.title, article.summary, article.tags, article.body):
        return None
    revision = add_revision(
        article,
        title=title,
        summary=summary,
        tags=tags,
        body=body,
        source="browser",
        now=now,
        author_id=editor.id,
        comment=(comment or "").strip(),
    )
    article.edited_in_browser = True
    return revision


def restore_revision(
    article: Article, editor, *, number: int, base_revision: int, now: datetime
) -> ArticleRevision:
    """Bring back an old revision's content as a new revision (history stays intact).

    :raises DomainError: the revision doesn't exist.
    :raises StaleRevision: the article changed since the confirmation page was shown.
    """
    old = get_revision(article, number)
    if old is None:
        raise DomainError(f"There is no revision {number}.")
    _check_base(article, base_revision)
    revision = add_revision(
        article,
        title=old.title,
        summary=old.summary,
        tags=old.tags,
        body=old.body,
        source="restore",
        now=now,
        author_id=editor.id,
        comment=f"Restored revision {number}",
    )
    article.edited_in_browser = True
    return revision


def preview(article: Article, body: str) -> str:
    """Sanitised HTML of an unsaved body, for the editor's preview.

    :raises DomainError: the body is longer than an article may be; checked before rendering.
    """
    body = body or ""
    if len(body) > BODY_MAX:
        raise DomainError(_BODY_TOO_LONG, field="body")
    return render(body, user_content=False)


def rerender_stale(now: datetime, *, force: bool = False) -> list[tuple[str, str]]:
    """Render again every article and tooltip whose HTML an older renderer made (all with
    ``force``); the source and the history stay as they are.

    :returns: ``(kind, name)`` of each article and tooltip whose HTML changed.
    """
    changed: list[tuple[str, str]] = []
    for model in (Article, Snippet):
        query = select(model)
        if not force:
            query = query.where(model.rendered_with != RENDERER_VERSION)
        for item in db.session.scalars(query):
            if model is Article:
                try:
                    html, structure = render_article(
                        item.type, item.is_troubleshooting, item.body, item.transcript
                    )
                except rules.ContentError:
                    continue  # saved before a rule it now breaks: keep its HTML, fix the text
                if (html, structure) != (item.body_html, item.structure):
                    item.body_html, item.structure = html, structure
                    record_search_change("article", item.id, now)
                    changed.append(("article", item.slug))
            else:
                html = render(item.body, user_content=False)
                if html != item.body_html:
                    item.body_html = html
                    changed.append(("snippet", f"{item.lang}/{item.key}"))
            item.rendered_with = RENDERER_VERSION
    db.session.flush()
    return changed
