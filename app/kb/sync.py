"""``flask content sync``: import ``content/`` into the database, idempotently.

- A new file creates the article (revision 1); a changed file adds a revision; an unchanged file
  adds nothing; a removed file archives the article (nothing is ever deleted).
- An article staff edited in the browser since the last import is never overwritten: a changed
  file is reported as a conflict unless the file now says exactly what the database says (staff
  copied their change into the file), or the operator resolves it with ``accept_file`` (import
  the file as a new revision; the browser revisions stay in the history) or ``keep_db`` (keep
  the browser version for this state of the file).
- Snippets follow the same rules (with revisions); tours are replaced with their ordered steps.
- A file that can't be read is reported and skipped; its article is left as it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from app.kb.content import ArticleSource, ContentSet, read_content
from app.kb.models import Article, Snippet, SnippetRevision, Tour, TourStep
from app.kb.services import add_revision, rerender_stale
from app.markup import RENDERER_VERSION, render
from app.outbox import record_search_change


@dataclass
class SyncReport:
    """What a sync did (or, in a dry run, would do)."""

    #: (action, kind, name) with action ``created``, ``changed``, ``archived``, ``unarchived``,
    #: ``kept`` (browser version kept by ``--keep-db``), ``re-rendered`` (HTML of an older
    #: renderer made again; the text is unchanged).
    actions: list[tuple[str, str, str]] = field(default_factory=list)
    unchanged: int = 0
    #: (slug, explanation) for each article whose browser edit blocks the file.
    conflicts: list[tuple[str, str]] = field(default_factory=list)
    #: (path, message) for each file that couldn't be read.
    errors: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.conflicts and not self.errors

    def names(self, action: str, kind: str = "article") -> list[str]:
        return [name for act, knd, name in self.actions if act == action and knd == kind]

    def lines(self) -> list[str]:
        """Human-readable lines, one per change, then conflicts and errors."""
        out = [f"{action} {kind} {name}" for action, kind, name in self.actions]
        out.append(f"{self.unchanged} unchanged")
        for slug, message in self.conflicts:
            out.append(f"CONFLICT article {slug}: {message}")
        for path, message in self.errors:
            out.append(f"ERROR {path}: {message}")
        return out


def _same_content(article: Article, source: ArticleSource) -> bool:
    return (article.title, article.summary, list(article.tags), article.body) == (
        source.title,
        source.summary,
        source.tags,
        source.body,
    )


def _apply_source(article: Article, source: ArticleSource, now: datetime) -> None:
    """Copy the file-only fields, then add the file's content as a new revision."""
    article.type = source.type
    article.section = source.section
    article.is_troubleshooting = source.troubleshooting
    article.related = list(source.related)
    article.screens = list(source.screens)
    article.video = dict(source.video)
    article.transcript = source.transcript
    article.visibility = source.visibility
    article.audience = source.audience
    article.source_path = source.path
    article.source_hash = source.hash
    article.edited_in_browser = False
    article.is_archived = False
    article.archived_at = None
    add_revision(
        article,
        title=source.title,
        summary=source.summary,
        tags=source.tags,
        body=source.body,
        source="file",
        now=now,
        source_hash=source.hash,
        comment=f"Imported from {source.path}",
    )


def _sync_articles(
    found: ContentSet, report: SyncReport, now: datetime, accept: set[str], keep: set[str]
) -> None:
    existing = {article.slug: article for article in db.session.scalars(select(Article))}
    # A file that failed to parse still exists: its article must not be archived for a typo.
    unreadable = {Path(path).stem for path, _ in found.errors if path.startswith("articles/")}
    for source in found.articles:
        article = existing.pop(source.slug, None)
        if article is None:
            article = Article(
                slug=source.slug,
                title=source.title,
                type=source.type,
                section=source.section,
                revision_number=0,
                helpful_yes=0,
                helpful_no=0,
                created_at=now,
                updated_at=now,
            )
            db.session.add(article)
            db.session.flush()
            _apply_source(article, source, now)
            report.actions.append(("created", "article", source.slug))
            continue
        if article.source_hash == source.hash:
            if article.is_archived:
                article.is_archived = False
                article.archived_at = None
                article.updated_at = now
                record_search_change("article", article.id, now)
                report.actions.append(("unarchived", "article", source.slug))
            else:
                report.unchanged += 1
            continue
        if article.edited_in_browser and not _same_content(article, source):
            if source.slug in keep:
                # The browser version stays; the flag stays too, so the next file change is
                # again a conflict until somebody brings the file and the database together.
                article.source_hash = source.hash
                report.actions.append(("kept", "article", source.slug))
                continue
            if source.slug not in accept:
                report.conflicts.append(
                    (
                        source.slug,
                        f"edited in the browser (revision {article.revision_number}) and "
                        f"{source.path} changed too. Copy the browser change into the file, or "
                        f"run with --accept-file {source.slug} or --keep-db {source.slug}.",
                    )
                )
                continue
        was_archived = article.is_archived
        _apply_source(article, source, now)
        report.actions.append(("unarchived" if was_archived else "changed", "article", source.slug))
    for slug, article in existing.items():
        if article.is_archived or slug in unreadable:
            continue
        article.is_archived = True
        article.archived_at = now
        article.updated_at = now
        record_search_change("article", article.id, now)
        report.actions.append(("archived", "article", slug))


def _sync_snippets(found: ContentSet, report: SyncReport, now: datetime) -> None:
    existing = {(item.key, item.lang): item for item in db.session.scalars(select(Snippet))}
    unreadable = {
        (Path(path).stem, Path(path).parent.name)
        for path, _ in found.errors
        if path.startswith("snippets/")
    }
    for source in found.snippets:
        snippet = existing.pop((source.key, source.lang), None)
        name = f"{source.lang}/{source.key}"
        if snippet is not None and snippet.source_hash == source.hash and not snippet.is_archived:
            report.unchanged += 1
            continue
        action = "changed"
        if snippet is None:
            snippet = Snippet(
                key=source.key,
                lang=source.lang,
                revision_number=0,
                created_at=now,
                title=source.title,
                updated_at=now,
            )
            db.session.add(snippet)
            action = "created"
        elif snippet.is_archived:
            action = "unarchived"
        if snippet.source_hash != source.hash:
            snippet.revision_number = (snippet.revision_number or 0) + 1
            db.session.flush()
            db.session.add(
                SnippetRevision(
                    snippet_id=snippet.id,
                    number=snippet.revision_number,
                    title=source.title,
                    body=source.body,
                    source_hash=source.hash,
                    created_at=now,
                )
            )
        snippet.title = source.title
        snippet.body = source.body
        snippet.body_html = render(source.body, user_content=False)
        snippet.rendered_with = RENDERER_VERSION
        snippet.article_slug = source.article
        snippet.screens = list(source.screens)
        snippet.source_hash = source.hash
        snippet.is_archived = False
        snippet.updated_at = now
        report.actions.append((action, "snippet", name))
    for (key, lang), snippet in existing.items():
        if not snippet.is_archived and (key, lang) not in unreadable:
            snippet.is_archived = True
            snippet.updated_at = now
            report.actions.append(("archived", "snippet", f"{lang}/{key}"))


def _sync_tours(found: ContentSet, report: SyncReport, now: datetime) -> None:
    existing = {tour.name: tour for tour in db.session.scalars(select(Tour))}
    unreadable = {Path(path).stem for path, _ in found.errors if path.startswith("tours/")}
    for source in found.tours:
        tour = existing.pop(source.name, None)
        if tour is not None and tour.content_hash == source.hash and not tour.is_archived:
            report.unchanged += 1
            continue
        action = "changed"
        if tour is None:
            tour = Tour(name=source.name, created_at=now)
            db.session.add(tour)
            action = "created"
        elif tour.is_archived:
            action = "unarchived"
        tour.title = source.title
        tour.description = source.description
        tour.content_hash = source.hash
        tour.is_archived = False
        tour.updated_at = now
        # Old steps go first, so the new ones can take their positions.
        tour.steps.clear()
        db.session.flush()
        tour.steps.extend(
            TourStep(position=index, **step) for index, step in enumerate(source.steps, start=1)
        )
        report.actions.append((action, "tour", source.name))
    for name, tour in existing.items():
        if not tour.is_archived and name not in unreadable:
            tour.is_archived = True
            tour.updated_at = now
            report.actions.append(("archived", "tour", name))


def sync_content(
    content_dir: str | Path,
    now: datetime,
    *,
    accept_file: Iterable[str] = (),
    keep_db: Iterable[str] = (),
) -> SyncReport:
    """Bring the database in line with ``content_dir`` (flushes; the caller commits or, for a
    dry run, rolls back).

    :param accept_file: slugs whose file wins over a browser edit.
    :param keep_db: slugs whose browser version stays although the file changed.
    """
    found = read_content(content_dir)
    report = SyncReport(errors=list(found.errors))
    _sync_articles(found, report, now, set(accept_file), set(keep_db))
    _sync_snippets(found, report, now)
    _sync_tours(found, report, now)
    # HTML an older renderer made (an upgrade changed it): every page shows the new output.
    report.actions.extend(("re-rendered", kind, name) for kind, name in rerender_stale(now))
    db.session.flush()
    return report
