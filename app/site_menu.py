"""The page frame's menus, rendered once per role per process instead of on every page.

Every page's header holds the main sections and, for a signed-in person, the places their role
gives them: about thirty ``url_for`` calls and a dozen permission checks, a fifth of a signed-in
article's rendering. Neither depends on anything but the role (permissions are the role's,
:func:`app.accounts.permissions.role_of`), the application's root path and which section the
page is in, and routes never change while a process runs, so each variant is rendered once and
kept for the life of the process. The person's own parts (name, profile link, sign-out token)
stay in ``base.html``, rendered per request.
"""

from __future__ import annotations

from flask import Flask, current_app, request, url_for
from flask_login import current_user
from markupsafe import Markup

from app.accounts.permissions import role_of
from app.fragments import rendered_part

#: The header's sections: endpoint, label, and the path prefix that marks it current.
SECTIONS = (
    ("kb.home", "Help Center", "/"),
    ("forum.index", "Community", "/community"),
    ("wiki.index", "Wiki", "/wiki"),
    ("search.index", "Search", "/search"),
    ("tickets.new", "Submit a request", "/requests/new"),
)


def _current_section(path: str) -> int | None:
    for index, (_endpoint, _label, prefix) in enumerate(SECTIONS):
        if (prefix == "/" and path == "/") or (prefix != "/" and path.startswith(prefix)):
            return index
    return None


def _kept(key: tuple, render) -> Markup:
    kept = current_app.extensions["site_menus"]
    found = kept.get(key)
    if found is None:
        found = kept[key] = render()
    return found


def main_sections() -> Markup:
    """The header's section links, the current one marked (``aria-current``)."""
    current = _current_section(request.path)

    def render() -> Markup:
        links = [
            (url_for(endpoint), label, index == current)
            for index, (endpoint, label, _prefix) in enumerate(SECTIONS)
        ]
        return rendered_part("_main_sections.html", links=links)

    return _kept(("sections", request.script_root, current), render)


def role_places() -> Markup:
    """The signed-in person's menu entries that their role gives them (agent queue, team,
    metrics ...); their profile, account and sign-out entries are added per request."""
    role = role_of(current_user)
    return _kept(("places", request.script_root, role), lambda: rendered_part("_role_places.html"))


def init_app(app: Flask) -> None:
    app.extensions["site_menus"] = {}
    app.jinja_env.globals.update(main_sections=main_sections, role_places=role_places)
