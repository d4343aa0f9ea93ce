"""The person's forum posts and wiki edits during erasure: which search documents to rebuild,
and which replies may be deleted instead of anonymised (Discourse's choice for the author)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from app import outbox
from app.extensions import db
from app.privacy.rows import Deletion, delete_rows, table


def searchable_of(user_id: int) -> dict[str, set[int]]:
    """The search documents that show the person's name or words: their threads (and the
    threads they replied in) and the wiki pages they edited."""
    posts, threads, revisions = table("forum_post"), table("forum_thread"), table("wiki_revision")
    thread_ids = set(
        db.session.scalars(select(posts.c.thread_id).where(posts.c.author_id == user_id))
    )
    thread_ids |= set(
        db.session.scalars(select(threads.c.id).where(threads.c.author_id == user_id))
    )
    page_ids = set(
        db.session.scalars(select(revisions.c.page_id).where(revisions.c.author_id == user_id))
    )
    return {"forum_thread": thread_ids, "wiki_page": page_ids}


def _quoted(name: str, body: str, thread_id: int, post_id: int) -> bool:
    """Another post of the thread quotes this one (the reply box's ``Name wrote:`` + ``> ``)."""
    posts = table("forum_post")
    first = next((line for line in body.splitlines() if line.strip()), "")
    marker = f"{name} wrote:"
    quoting = db.session.scalars(
        select(posts.c.body).where(
            posts.c.thread_id == thread_id, posts.c.id != post_id,
            posts.c.body.contains(marker, autoescape=True),
        )
    )  # fmt: skip
    return any(f"> {first}" in other for other in quoting)


def delete_unquoted_replies(user_id: int, deletion: Deletion) -> None:
    """Delete the person's replies nobody quoted; opening posts (the thread depends on them)
    and quoted replies stay, to be anonymised."""
    posts, threads, users = table("forum_post"), table("forum_thread"), table("user_account")
    name = db.session.scalar(select(users.c.display_name).where(users.c.id == user_id))
    rows = db.session.execute(
        select(posts.c.id, posts.c.thread_id, posts.c.body).where(
            posts.c.author_id == user_id, posts.c.is_opening.is_(False)
        )
    ).all()
    doomed = [post_id for post_id, thread_id, body in rows
              if not _quoted(name, body, thread_id, post_id)]  # fmt: skip
    if not doomed:
        return
    db.session.execute(
        update(threads).where(threads.c.accepted_post_id.in_(doomed)).values(accepted_post_id=None)
    )
    delete_rows(posts, doomed, deletion)


def reindex(searchable: dict[str, set[int]], scrubbed: dict[str, set], now: datetime) -> None:
    """Ask search to rebuild every document that held the person's name or words."""
    posts, revisions = table("forum_post"), table("wiki_revision")
    threads = set(searchable.get("forum_thread", ())) | set(scrubbed.get("forum_thread", ()))
    pages = set(searchable.get("wiki_page", ()))
    if scrubbed.get("forum_post"):
        threads |= set(
            db.session.scalars(
                select(posts.c.thread_id).where(posts.c.id.in_(scrubbed["forum_post"]))
            )
        )
    if scrubbed.get("wiki_revision"):
        pages |= set(
            db.session.scalars(
                select(revisions.c.page_id).where(revisions.c.id.in_(scrubbed["wiki_revision"]))
            )
        )
    pages |= set(scrubbed.get("wiki_page", ()))
    changes = [("forum_thread", thread_id) for thread_id in sorted(threads)]
    changes += [("wiki_page", page_id) for page_id in sorted(pages)]
    changes += [("article", article_id) for article_id in sorted(scrubbed.get("kb_article", ()))]
    for doc_type, object_id in changes:
        # "purge": the index files must not keep the old version of the document either.
        outbox.record("search", {"type": doc_type, "id": object_id, "purge": True}, now)
