"""The request edge of help-center sessions: every help-center page served (cached copies
included) is counted in its session, without a database write (``app/metrics/sessions.py``)."""

from __future__ import annotations

from flask import Flask, g, request

from app.accounts.permissions import role_is_staff
from app.metrics import sessions
from app.models import utcnow

#: Blueprints whose pages are "the help center" people help themselves with.
HELP_CENTER_BLUEPRINTS = frozenset({"kb", "wiki", "forum", "search"})
#: Moving through a troubleshooting guide's steps reloads its page: not another article view
#: (the knowledge base's view count skips them too).
GUIDE_STEP_ARGS = frozenset({"step", "solved", "stuck"})


def count_help_center_page(response):
    """After-request hook: count this page in the visitor's session of the day."""
    if (
        request.method != "GET"
        or response.status_code not in (200, 304)
        or response.mimetype != "text/html"
        or request.blueprint not in HELP_CENTER_BLUEPRINTS
    ):
        return response
    # Only a user the request already loaded: asking Flask-Login here could touch the session
    # of an anonymous page served from the cache (and so set a cookie on it).
    user = g.get("_login_user")
    # Who asked, as loaded at sign-in: the view may have committed since (the forum's read mark)
    # and reading the expired user here would load its row again.
    user_id, role = getattr(user, "request_identity", (None, "anonymous"))
    signed_in = user_id is not None
    if signed_in and role_is_staff(role):
        return response  # the team's own reading is not self-service
    slug = ""
    if request.endpoint == "kb.article" and not (GUIDE_STEP_ARGS & request.args.keys()):
        slug = (request.view_args or {}).get("slug", "")
    sessions.record_page_view(
        utcnow(),
        user_agent=request.headers.get("User-Agent"),
        accept_language=request.headers.get("Accept-Language"),
        user_id=user_id,
        article_slug=slug,
    )
    return response


def init_app(app: Flask) -> None:
    from app import tallies

    app.after_request(count_help_center_page)
    tallies.register_flusher(app, sessions.SESSION_TALLY, sessions.write_sessions)
