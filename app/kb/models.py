"""Knowledge-base tables: articles with append-only revisions, votes, daily views, guide
outcomes, and the in-app help content (snippets with revisions, tours with ordered steps)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.kb import rules
from app.markup import plain_text


class Article(db.Model):
    """An official article. ``content/`` is its source; browser edits add revisions here."""

    __tablename__ = "kb_article"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    #: ``faq``, ``guide`` or ``video``.
    type: Mapped[str] = mapped_column(String(10))
    #: Section slug (see ``rules.SECTIONS``).
    section: Mapped[str] = mapped_column(String(60), index=True)
    #: Step-by-step troubleshooting guide (``troubleshooting: true``).
    is_troubleshooting: Mapped[bool] = mapped_column(default=False)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    summary: Mapped[str] = mapped_column(String(300), default="")
    #: Slugs of related articles, in the author's order.
    related: Mapped[list] = mapped_column(JSON, default=list)
    #: App screen ids where this article is suggested.
    screens: Mapped[list] = mapped_column(JSON, default=list)
    #: Current Markdown source and its sanitised HTML (rendered once on save).
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    #: Pre-rendered parts: headings (toc), FAQ items, troubleshooting steps, transcript cues.
    structure: Mapped[dict] = mapped_column(JSON, default=dict)
    #: ``app.markup.RENDERER_VERSION`` that made ``body_html``; the sync re-renders on a change.
    rendered_with: Mapped[str] = mapped_column(String(60), default="", server_default="")
    #: Video mapping (src, embed, poster, duration, chapters) for videos, else empty.
    video: Mapped[dict] = mapped_column(JSON, default=dict)
    #: The raw transcript block of a video.
    transcript: Mapped[str] = mapped_column(Text, default="")
    #: Number of the current revision.
    revision_number: Mapped[int] = mapped_column(default=0)
    #: Path of the source file relative to the content folder.
    source_path: Mapped[str] = mapped_column(String(300), default="")
    #: SHA-256 of the source file as last imported (or acknowledged with ``--keep-db``).
    source_hash: Mapped[str] = mapped_column(String(64), default="")
    #: Staff changed the article in the browser since the last import: the sync won't overwrite.
    edited_in_browser: Mapped[bool] = mapped_column(default=False)
    is_archived: Mapped[bool] = mapped_column(default=False)
    archived_at: Mapped[datetime | None]
    #: ``public`` (everyone) or ``internal`` (the support team's own space); the one rule for
    #: who sees what is ``app.accounts.permissions.kb_read_reason`` (``app/kb/visibility.py``).
    visibility: Mapped[str] = mapped_column(
        String(10), default="public", server_default="public", index=True
    )
    #: Internal articles only: roles it is restricted to, comma-separated with a leading and
    #: trailing comma (``,agent_t3,``) so one LIKE finds a role on SQLite and PostgreSQL alike;
    #: empty means all support staff.
    audience: Mapped[str] = mapped_column(String(200), default="", server_default="")
    #: Helpful votes (yes / no), recounted from ``kb_vote`` whenever a vote changes.
    helpful_yes: Mapped[int] = mapped_column(default=0)
    helpful_no: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    @property
    def url_path(self) -> str:
        return f"/articles/{self.slug}"

    @property
    def is_internal(self) -> bool:
        return self.visibility != "public"

    @property
    def audience_roles(self) -> list[str]:
        return [role for role in (self.audience or "").split(",") if role]

    @property
    def section_title(self) -> str:
        return rules.section_title(self.section)

    @property
    def type_label(self) -> str:
        if self.is_troubleshooting:
            return "Troubleshooting guide"
        return rules.TYPE_LABELS.get(self.type, self.type)

    @property
    def body_text(self) -> str:
        """The current body as plain text (for search documents)."""
        return plain_text(self.body_html)

    @property
    def transcript_text(self) -> str:
        """The video transcript's spoken text without time stamps (empty for other types)."""
        return "\n".join(cue["text"] for cue in self.structure.get("cues", []))

    @property
    def helpful_ratio(self) -> float | None:
        """Share of "yes" votes, or None before anybody voted."""
        total = self.helpful_yes + self.helpful_no
        return self.helpful_yes / total if total else None

    def __repr__(self) -> str:
        return f"<Article {self.slug} r{self.revision_number}>"


class ArticleRevision(db.Model):
    """One saved state of an article. Append-only: restore and archive add rows, never edit."""

    __tablename__ = "kb_article_revision"
    __table_args__ = (UniqueConstraint("article_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_article.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(300), default="")
    tags: Mapped[list] = mapped_column(JSON, default=list)
    body: Mapped[str] = mapped_column(Text, default="")
    #: ``file`` (sync), ``browser`` (staff edit) or ``restore``.
    source: Mapped[str] = mapped_column(String(10))
    #: Hash of the file a ``file`` revision came from.
    source_hash: Mapped[str] = mapped_column(String(64), default="")
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    comment: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime]

    article: Mapped[Article] = relationship()
    author = relationship("User")


class ArticleVote(db.Model):
    """ "Was this article helpful?": one per account; for anonymous visitors one per browser
    and, within a day, one per connection and browser (``visitor_hash``)."""

    __tablename__ = "kb_vote"
    __table_args__ = (
        UniqueConstraint("article_id", "user_id", name="uq_kb_vote_article_user"),
        UniqueConstraint("article_id", "visitor_id", name="uq_kb_vote_article_visitor"),
        UniqueConstraint("article_id", "visitor_hash", name="uq_kb_vote_article_visitor_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_article.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    #: Random id kept in the anonymous visitor's signed session cookie (never an IP address).
    visitor_id: Mapped[str | None] = mapped_column(String(64))
    #: Anonymous votes only: HMAC of (article, address, user agent) under the day's random
    #: salt (:class:`VoteSalt`). Cleared when the day's salt is replaced; never an address.
    visitor_hash: Mapped[str | None] = mapped_column(String(64))
    helpful: Mapped[bool]
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class VoteSalt(db.Model):
    """The random salt of anonymous vote keys for one (UTC) day; only the current day's is
    kept, so a key from an earlier day can't be linked to an address any more."""

    __tablename__ = "kb_vote_salt"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))


class ArticleViewDay(db.Model):
    """Page views of one article on one (UTC) day. No address, no visitor id: just a count."""

    __tablename__ = "kb_view_day"
    __table_args__ = (UniqueConstraint("article_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_article.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    count: Mapped[int] = mapped_column(default=0)


class GuideOutcome(db.Model):
    """How a troubleshooting guide ended for one reader: ``solved`` at a step, or ``not_solved``
    after the last one (the self-service success rate counts these)."""

    __tablename__ = "kb_guide_outcome"
    __table_args__ = (Index("ix_kb_guide_outcome_article_created", "article_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_article.id", ondelete="CASCADE"))
    #: ``solved`` or ``not_solved``.
    outcome: Mapped[str] = mapped_column(String(12))
    #: Steps the reader tried (for ``solved``, the step that solved it).
    steps_tried: Mapped[int]
    steps_total: Mapped[int]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]


class Snippet(db.Model):
    """An in-app help tooltip in one language (``content/snippets/<lang>/<key>.md``)."""

    __tablename__ = "kb_snippet"
    __table_args__ = (UniqueConstraint("key", "lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120))
    lang: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    #: ``app.markup.RENDERER_VERSION`` that made ``body_html``; the sync re-renders on a change.
    rendered_with: Mapped[str] = mapped_column(String(60), default="", server_default="")
    #: Slug of the full article this tooltip points to.
    article_slug: Mapped[str] = mapped_column(String(120), default="")
    screens: Mapped[list] = mapped_column(JSON, default=list)
    revision_number: Mapped[int] = mapped_column(default=0)
    source_hash: Mapped[str] = mapped_column(String(64), default="")
    is_archived: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    @property
    def article_url_path(self) -> str | None:
        return f"/articles/{self.article_slug}" if self.article_slug else None


class SnippetRevision(db.Model):
    __tablename__ = "kb_snippet_revision"
    __table_args__ = (UniqueConstraint("snippet_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    snippet_id: Mapped[int] = mapped_column(ForeignKey("kb_snippet.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    source_hash: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime]


class Tour(db.Model):
    """An onboarding tour (``content/tours/<name>.yaml``) with its ordered steps."""

    __tablename__ = "kb_tour"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: SHA-256 of the YAML file; changes whenever the tour does.
    content_hash: Mapped[str] = mapped_column(String(64))
    is_archived: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    steps: Mapped[list[TourStep]] = relationship(
        back_populates="tour",
        order_by="TourStep.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class TourStep(db.Model):
    __tablename__ = "kb_tour_step"
    __table_args__ = (UniqueConstraint("tour_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tour_id: Mapped[int] = mapped_column(ForeignKey("kb_tour.id", ondelete="CASCADE"))
    position: Mapped[int]
    #: The step's id within the tour (``id`` in the YAML).
    key: Mapped[str] = mapped_column(String(80))
    #: DOM element id in the app the step points at.
    target: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    #: ``top``, ``bottom``, ``left`` or ``right``.
    placement: Mapped[str] = mapped_column(String(10), default="bottom")

    tour: Mapped[Tour] = relationship(back_populates="steps")
