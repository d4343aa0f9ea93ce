"""Read-only look-ups for the wiki pages: find by slug, lists, history and recent changes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from app.accounts.models import User
from app.accounts.permissions import can
from app.extensions import db
from app.wiki import rules
from app.wiki.models import WikiPage, WikiRedirect, WikiRevision


@dataclass
class Lookup:
    """A slug resolved: the page, or the page an old slug redirects to."""

    page: WikiPage | None
    redirect_to: WikiPage | None = None
    #: The redirect was kept by a moderator (no new page may take the title).
    kept: bool = False


def find_page(slug: str) -> Lookup:
    page = db.session.scalar(select(WikiPage).where(WikiPage.slug == slug))
    if page is not None:
        return Lookup(page)
    redirect = db.session.scalar(select(WikiRedirect).where(WikiRedirect.slug == slug))
    if redirect is None:
        return Lookup(None)
    return Lookup(None, redirect.page, kept=redirect.kept)


def list_pages(user, query: str = "", *, deleted: bool = False, page: int = 1, per_page: int = 20):
    """Readable pages by title (``deleted`` lists deleted ones, for moderators)."""
    stmt = select(WikiPage).order_by(func.lower(WikiPage.title), WikiPage.id)
    if deleted and can(user, "wiki.moderate"):
        stmt = stmt.where(WikiPage.is_deleted.is_(True))
    else:
        stmt = stmt.where(WikiPage.is_deleted.is_(False), WikiPage.current_revision_id.is_not(None))
    query = rules.normalise_title(query)[:100]
    if query:
        pattern = "%" + query.lower().replace("\\", "").replace("%", "").replace("_", "") + "%"
        stmt = stmt.where(
            or_(func.lower(WikiPage.title).like(pattern), WikiPage.slug.like(pattern))
        )
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def history(page_obj: WikiPage, *, page: int = 1, per_page: int = 50):
    """Accepted revisions, newest first."""
    return db.paginate(
        select(WikiRevision)
        .where(WikiRevision.page_id == page_obj.id, WikiRevision.status == "accepted")
        .order_by(WikiRevision.number.desc()),
        page=page,
        per_page=per_page,
        error_out=False,
    )


def pending_for(page_obj: WikiPage, user) -> list[WikiRevision]:
    """Held edits of this page the user may see (their own, or all for moderators)."""
    stmt = select(WikiRevision).where(
        WikiRevision.page_id == page_obj.id, WikiRevision.status == "pending"
    )
    if not can(user, "wiki.moderate"):
        if not getattr(user, "is_authenticated", False):
            return []
        stmt = stmt.where(WikiRevision.author_id == user.id)
    return list(db.session.scalars(stmt.order_by(WikiRevision.id)))


def recent_changes(
    user, *, author: str = "", page_title: str = "", page: int = 1, per_page: int = 50
):
    """Accepted revisions across the wiki, newest first, optionally for one author (display
    name) and one page (title or slug). Deleted pages only for moderators."""
    stmt = (
        select(WikiRevision)
        .join(WikiPage, WikiPage.id == WikiRevision.page_id)
        .where(WikiRevision.status == "accepted")
        .order_by(WikiRevision.created_at.desc(), WikiRevision.id.desc())
    )
    if not can(user, "wiki.moderate"):
        stmt = stmt.where(WikiPage.is_deleted.is_(False))
    author = rules.normalise_title(author)
    if author:
        stmt = stmt.join(User, User.id == WikiRevision.author_id).where(
            func.lower(User.display_name) == author.lower()
        )
    page_title = rules.normalise_title(page_title)
    if page_title:
        slug = rules.slugify(page_title)
        stmt = stmt.where(
            or_(WikiPage.slug == slug, func.lower(WikiPage.title) == page_title.lower())
        )
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)
