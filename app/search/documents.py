"""One search document per searchable object, built from the features' own models.

Each type has ONE ``document_for(obj)``, used for adding and for updating; it returns None when
the object may not be seen by everybody (archived article, deleted or unpublished wiki page,
hidden or pending forum thread), and the indexer then deletes the document. So the index only
ever holds public content, and a search never needs to know who is asking.

Features never import this module: they record ``record_search_change(type, id, now)`` and the
indexer comes here. A feature that is not installed yet simply has no entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select
from werkzeug.routing import BuildError

from app.extensions import db
from app.forum.services import categories
from app.kb.rules import SECTIONS
from app.search.backend import Document

#: Accepted answers and articles readers found helpful rank a little higher, never a lot.
HELPFUL_BOOST = 1.15
ACCEPTED_BOOST = 1.15


#: Objects read per round trip by a rebuild or a check.
BATCH = 500


@dataclass(frozen=True)
class DocType:
    """How to find and describe one kind of searchable object."""

    name: str
    label: str
    model: Callable[[], type]
    document_for: Callable[[Any], Document | None]
    #: The documents of many objects at once (a rebuild), the same as ``document_for`` each;
    #: reads what every object needs in a few queries rather than a few per object.
    documents_for: Callable[[list], list[Document | None]] | None = None
    #: Loader options (eager loads) for reading every object.
    options: Callable[[], list] | None = None

    def load(self, object_id: int) -> Any | None:
        return db.session.get(self.model(), object_id)

    def all_documents(self, batch: int = BATCH) -> Iterator[Document]:
        model = self.model()
        statement = select(model).order_by(model.id)
        if self.options is not None:
            statement = statement.options(*self.options())
        result = db.session.scalars(statement.execution_options(yield_per=batch))
        for objects in result.partitions():
            if self.documents_for is not None:
                documents = self.documents_for(objects)
            else:
                documents = [self.document_for(obj) for obj in objects]
            yield from (document for document in documents if document is not None)


def route_path(endpoint: str, **values) -> str | None:
    """The path of a page from the application's own routes, without a request.

    Documents are built by the indexer (a background thread or the CLI), where ``url_for``
    needs ``SERVER_NAME``; the route map gives the same path. None when there is no such route.
    """
    try:
        extensions = current_app.extensions
    except RuntimeError:  # no application context
        return None
    # Bound once per application: binding costs twice the build, and a rebuild makes thousands.
    adapter = extensions.get("search_route_adapter")
    if adapter is None:
        adapter = extensions["search_route_adapter"] = current_app.url_map.bind("localhost")
    try:
        return adapter.build(endpoint, values)
    except BuildError:
        return None


def object_path(obj, endpoint: str, **values) -> str:
    """The object's own ``url_path`` when the feature provides one, else its route's path."""
    own = getattr(obj, "url_path", None)
    if own:
        return own
    path = route_path(endpoint, **values)
    if path is None:
        raise LookupError(f"no route {endpoint} for {obj!r}")
    return path


def is_helpful(yes: int, no: int) -> bool:
    """At least three votes and four in five of them "yes"."""
    return yes + no >= 3 and yes >= 4 * no


# --- Knowledge base ------------------------------------------------------------------------


def _article_model():
    from app.kb.models import Article

    return Article


def article_document(article) -> Document | None:
    """An article's document: summary, body and, for videos, the transcript's spoken text.
    Internal articles have none: search is public (staff find them on ``/internal/``)."""
    if article.is_archived or article.visibility != "public":
        return None
    body = "\n\n".join(
        part for part in (article.summary, article.body_text, article.transcript_text) if part
    )
    return Document(
        type="article",
        object_id=article.id,
        title=article.title,
        body=body,
        url=article.url_path,
        date=article.updated_at,
        tags=tuple(article.tags or ()),
        category=article.section,
        section=f"{article.type_label} · {article.section_title}",
        boost=HELPFUL_BOOST if is_helpful(article.helpful_yes, article.helpful_no) else 1.0,
    )


# --- Wiki ----------------------------------------------------------------------------------


def _wiki_model():
    from app.wiki.models import WikiPage

    return WikiPage


def _wiki_options() -> list:
    from sqlalchemy.orm import selectinload

    from app.wiki.models import WikiPage

    return [selectinload(WikiPage.head)]


def wiki_page_document(page) -> Document | None:
    """A wiki page's document from its public revision; None when deleted or never accepted."""
    revision = page.current_revision if page.is_public else None
    if revision is None:
        return None
    return Document(
        type="wiki_page",
        object_id=page.id,
        title=page.title,
        body="\n\n".join(part for part in (revision.summary, revision.body_text) if part),
        url=object_path(page, "wiki.page", slug=page.slug),
        date=page.updated_at,
        category="wiki",
        section="Community wiki",
    )


# --- Forum ---------------------------------------------------------------------------------


def _thread_model():
    from app.forum.models import ForumThread

    return ForumThread


def forum_thread_document(thread) -> Document | None:
    """A thread's document: its title and the text of its publicly visible posts."""
    from app.forum.services import is_thread_public, thread_search_text

    if not is_thread_public(thread):
        return None
    return _thread_document(thread, thread_search_text(thread))


def forum_thread_documents(threads: list) -> list[Document | None]:
    """:func:`forum_thread_document` of many threads, with one query for all their posts."""
    from app.forum.services import is_thread_public, threads_search_text

    texts = threads_search_text([thread.id for thread in threads if is_thread_public(thread)])
    return [
        _thread_document(thread, texts[thread.id]) if thread.id in texts else None
        for thread in threads
    ]


def _thread_document(thread, text: str) -> Document:
    return Document(
        type="forum_thread",
        object_id=thread.id,
        title=thread.title,
        body=text,
        url=object_path(thread, "forum.thread", thread_id=thread.id),
        date=thread.last_activity_at,
        category=thread.category.slug,
        section=f"Community · {thread.category.name}",
        boost=ACCEPTED_BOOST if thread.accepted_post_id else 1.0,
    )


#: Every searchable type, in the order the type filter lists them.
DOC_TYPES: dict[str, DocType] = {
    "article": DocType("article", "Help articles", _article_model, article_document),
    "wiki_page": DocType("wiki_page", "Wiki pages", _wiki_model, wiki_page_document,
                         options=_wiki_options),
    "forum_thread": DocType("forum_thread", "Community threads", _thread_model,
                            forum_thread_document, documents_for=forum_thread_documents),
}  # fmt: skip


def document_for(doc_type: str, object_id: int) -> tuple[str, Document | None]:
    """The document for one object now, or None when it is gone or not public.

    :returns: the index key and the document (None means: delete the key).
    :raises KeyError: an unknown type.
    """
    entry = DOC_TYPES[doc_type]
    obj = entry.load(object_id)
    return f"{doc_type}:{object_id}", (entry.document_for(obj) if obj is not None else None)


def all_documents() -> Iterator[Document]:
    """Every public document of every type, for a rebuild or a check (read in batches)."""
    for entry in DOC_TYPES.values():
        yield from entry.all_documents()


def category_choices() -> list[tuple[str, str]]:
    """``(value, label)`` for the category filter: KB sections, the wiki, forum categories."""
    choices: list[tuple[str, str]] = []
    choices += [(slug, title) for slug, title, _ in SECTIONS]
    if "wiki_page" in DOC_TYPES:
        choices.append(("wiki", "Community wiki"))
    choices += [(c.slug, f"Community · {c.name}") for c in categories()]
    return choices
