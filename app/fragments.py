"""Rendered parts of pages that every reader of one role sees alike, shared between requests.

The anonymous page cache (:mod:`app.pagecache`) keeps whole pages, so it never serves a signed-in
reader: their page carries their name, their CSRF token, their vote and their flash messages.
Most of such a page is nobody's in particular, though (an article's text, its staff links, the
related articles): a view renders that part once through :func:`shared_fragment` and puts the
reader's own parts around it on every request.

A fragment is keyed by the same *content version* as the page cache, so it is dropped by the very
same commits (any change readers see), on every host with Redis, and by the role it was rendered
for, since staff links and internal articles differ by role and only by role. A fragment is
rendered with the page cache's token placeholder, so it holds nobody's CSRF token; each reader's
own token is put in when it is used.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from flask import current_app, g, render_template
from markupsafe import Markup

from app.pagecache import TOKEN_PLACEHOLDER, cache, content_version


def shared_fragment(name: str, parts: tuple, render: Callable[[], dict | None]) -> dict | None:
    """``render()``'s result for ``parts`` (what it depends on besides content: a slug, a role),
    kept until the content changes.

    ``render`` returns a dict of :class:`~markupsafe.Markup` (rendered templates) and plain
    values, or None (nothing to show: not kept). Markup values come back with this reader's
    CSRF token in place of the placeholder.
    """
    app = current_app._get_current_object()
    if not app.extensions.get("page_cache_on"):
        return render()
    raw = "|".join((content_version(), name, *map(str, parts)))
    key = "fragment:" + hashlib.sha256(raw.encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = _render_without_token(app, render)
        if found is None:
            return None
        cache.set(key, found, timeout=app.config["PAGE_CACHE_SECONDS"])
    return {name: _with_reader_token(value) for name, value in found.items()}


def rendered_part(template: str, **context) -> Markup:
    """A partial template rendered for :func:`shared_fragment`, to be placed in a page as is.

    The one place a rendered template is marked safe: it is the output of an autoescaped Jinja
    template, so every value in it is escaped already, and the only unescaped HTML in it is what
    the template itself marked safe (the sanitised HTML stored by :mod:`app.markup`).
    """
    return Markup(render_template(template, **context))  # noqa: S704 (escaped by Jinja)


def _render_without_token(app, render: Callable[[], dict | None]) -> dict | None:
    """``render()`` with the placeholder as everybody's CSRF token (``generate_csrf`` returns
    what ``g`` holds), then this request's own token as it was."""
    field = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    missing = object()
    own = g.pop(field, missing)
    setattr(g, field, TOKEN_PLACEHOLDER)
    try:
        return render()
    finally:
        g.pop(field, None)
        if own is not missing:
            setattr(g, field, own)


def _with_reader_token(value):
    if isinstance(value, Markup) and TOKEN_PLACEHOLDER in value:
        from flask_wtf.csrf import generate_csrf

        # A token is URL-safe text: putting it in adds no markup.
        return Markup(str(value).replace(TOKEN_PLACEHOLDER, generate_csrf()))  # noqa: S704
    return value
