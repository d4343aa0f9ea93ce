"""Wiki pages, their append-only revisions, old-title redirects, watchers and link targets.

What search reads (``doc_type`` ``wiki_page``): :class:`WikiPage` ``title``, ``slug``,
``is_deleted``, ``is_public``, ``protection``, ``updated_at`` and ``current_revision`` (the
latest *visible* accepted revision, never a hidden one) with its ``body_text``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false, select
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from app.accounts.models import User
from app.extensions import db


class WikiPage(db.Model):
    __tablename__ = "wiki_page"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The URL segment, from the title (see ``rules.slugify``); old ones live in WikiRedirect.
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    #: The head of the history: moved only by a compare-and-swap in ``revisions.append_revision``.
    #: NULL while the page's first revision waits for review.
    current_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("wiki_revision.id", use_alter=True)
    )
    #: Bumped with every move of the head (an optimistic version for other readers).
    version: Mapped[int] = mapped_column(default=0)
    #: ``none``, ``semi`` (contributors and up) or ``full`` (moderators only).
    protection: Mapped[str] = mapped_column(String(10), default="none")
    #: Soft delete: the page and its history stay; moderators can restore it.
    is_deleted: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    #: Time of the last accepted change (edit, rename, delete, restore, protect, hide).
    updated_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    head: Mapped[WikiRevision | None] = relationship(
        foreign_keys=[current_revision_id], post_update=True
    )
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    @property
    def is_public(self) -> bool:
        """Readable by everybody: not deleted and with at least one accepted revision."""
        return not self.is_deleted and self.current_revision_id is not None

    @property
    def current_revision(self) -> WikiRevision | None:
        """The public text: the head, or the latest accepted revision that isn't hidden."""
        head = self.head
        if head is None or not head.is_hidden:
            return head
        return object_session(self).scalar(
            select(WikiRevision)
            .where(
                WikiRevision.page_id == self.id,
                WikiRevision.status == "accepted",
                WikiRevision.is_hidden.is_(False),
            )
            .order_by(WikiRevision.number.desc())
            .limit(1)
        )

    def __repr__(self) -> str:
        return f"<WikiPage {self.id} {self.slug!r}>"


class WikiRevision(db.Model):
    """One saved state of a page. Append-only: content is never changed once accepted."""

    __tablename__ = "wiki_revision"
    __table_args__ = (
        # A second guard against forks: two revisions can never both follow the same one.
        UniqueConstraint("page_id", "number"),
        Index("ix_wiki_revision_recent", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("wiki_page.id", ondelete="CASCADE"))
    #: 1, 2, 3 ... along the history chain; NULL for pending and rejected revisions.
    number: Mapped[int | None]
    #: The previous revision in the chain (for a pending one: the revision it was based on).
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("wiki_revision.id"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime]
    #: create, edit, revert, rollback, rename, delete, restore, protect.
    kind: Mapped[str] = mapped_column(String(20))
    #: accepted (in the chain), pending (held for review), approved (a held edit whose
    #: accepted copy is in the chain) or rejected.
    status: Mapped[str] = mapped_column(String(10), default="accepted")
    #: The page title at this revision (renames show in the history).
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(300), default="")
    #: Markdown source.
    body: Mapped[str] = mapped_column(Text)
    #: Sanitised HTML from ``app.markup`` (wiki links resolved when it was rendered).
    html: Mapped[str] = mapped_column(Text)
    #: Plain text of ``html`` for search.
    body_text: Mapped[str] = mapped_column(Text)
    #: Size of ``body`` in bytes (UTF-8) and the change from the parent.
    size: Mapped[int]
    size_delta: Mapped[int]
    #: True when the save was merged automatically with an edit made in between.
    merged: Mapped[bool] = mapped_column(default=False)
    #: The random token of the edit form; unique, so a resubmitted form saves nothing twice.
    edit_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: Hidden by a moderator: the content and summary are shown to moderators only.
    is_hidden: Mapped[bool] = mapped_column(default=False)
    hidden_at: Mapped[datetime | None]
    hidden_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    page: Mapped[WikiPage] = relationship(foreign_keys=[page_id])
    parent: Mapped[WikiRevision | None] = relationship(remote_side=[id])
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    hidden_by: Mapped[User | None] = relationship(foreign_keys=[hidden_by_id])

    def __repr__(self) -> str:
        return f"<WikiRevision {self.id} page={self.page_id} #{self.number} {self.status}>"


class WikiRedirect(db.Model):
    """An old slug of a renamed page; ``/wiki/<old>`` redirects to the page until a new page
    takes the title (so renames never reserve titles), unless a moderator kept it."""

    __tablename__ = "wiki_redirect"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("wiki_page.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]
    #: Kept by a moderator when renaming: the old title stays this page's, no new page takes it.
    kept: Mapped[bool] = mapped_column(default=False, server_default=false())

    page: Mapped[WikiPage] = relationship()


class WikiWatch(db.Model):
    """Someone who is e-mailed when the page changes."""

    __tablename__ = "wiki_watch"
    __table_args__ = (UniqueConstraint("page_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("wiki_page.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime]

    user: Mapped[User] = relationship()


class WikiLink(db.Model):
    """A ``[[link]]`` from a page's current text to a slug, so that creating, renaming or
    deleting a page can re-render the pages that link to it (missing ↔ existing)."""

    __tablename__ = "wiki_link"

    page_id: Mapped[int] = mapped_column(
        ForeignKey("wiki_page.id", ondelete="CASCADE"), primary_key=True
    )
    target_slug: Mapped[str] = mapped_column(String(200), primary_key=True, index=True)
