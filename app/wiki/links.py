"""Rendering a revision: ``[[Page title]]`` links become anchors, then ``app.markup`` renders
and sanitises the whole text. Also keeps ``wiki_link`` rows so pages that link to a title are
re-rendered when that title starts or stops existing."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy import delete, select

from app import markup
from app.extensions import db
from app.wiki import rules
from app.wiki.models import WikiLink, WikiPage, WikiRedirect


@dataclass(frozen=True)
class Rendered:
    html: str
    text: str
    targets: frozenset[str]


def existing_slugs(slugs: set[str]) -> set[str]:
    """Which of ``slugs`` lead to a readable page (directly or through a redirect)."""
    if not slugs:
        return set()
    pages = db.session.scalars(
        select(WikiPage.slug).where(
            WikiPage.slug.in_(slugs),
            WikiPage.is_deleted.is_(False),
            WikiPage.current_revision_id.is_not(None),
        )
    ).all()
    redirected = db.session.scalars(
        select(WikiRedirect.slug)
        .join(WikiPage, WikiPage.id == WikiRedirect.page_id)
        .where(WikiRedirect.slug.in_(slugs), WikiPage.is_deleted.is_(False))
    ).all()
    return set(pages) | set(redirected)


def render(body: str) -> Rendered:
    """Markdown with wiki links to sanitised HTML, its plain text and the slugs it links to."""
    targets = {rules.slugify(title) for title in rules.wikilink_targets(body)}
    found = existing_slugs(targets)

    def anchor(title: str, label: str) -> str:
        slug = rules.slugify(title)
        if slug in found:
            return rules.link_html(f"/wiki/{slug}", label, missing=False)
        return rules.link_html("/wiki/new?" + urlencode({"title": title}), label, missing=True)

    html = markup.render(rules.replace_wikilinks(body, anchor), user_content=True)
    return Rendered(html=html, text=markup.plain_text(html), targets=frozenset(targets))


def store_links(page: WikiPage, targets: frozenset[str]) -> None:
    """Remember what the page's current text links to."""
    db.session.execute(delete(WikiLink).where(WikiLink.page_id == page.id))
    db.session.add_all(WikiLink(page_id=page.id, target_slug=slug) for slug in sorted(targets))


def refresh_linking_pages(slugs: set[str]) -> int:
    """Re-render the public revision of every page linking to ``slugs`` (their link turned from
    missing to existing or back). Only the cached HTML changes, never the source.

    :returns: how many revisions were re-rendered.
    """
    if not slugs:
        return 0
    page_ids = db.session.scalars(
        select(WikiLink.page_id).where(WikiLink.target_slug.in_(slugs)).distinct()
    ).all()
    count = 0
    for page in db.session.scalars(select(WikiPage).where(WikiPage.id.in_(page_ids))):
        revision = page.current_revision
        if revision is None:
            continue
        rendered = render(revision.body)
        if rendered.html != revision.html:
            revision.html, revision.body_text = rendered.html, rendered.text
            count += 1
    return count
