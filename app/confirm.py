"""The confirmation step of a destructive action posted from a form (``_confirm.html``).

The first POST is checked as usual, then answered with a page that says what will happen and
posts the same fields again with ``confirm=1``; only that second POST acts. Plain HTML: it
works from the keyboard, with a screen reader and without JavaScript.
"""

from __future__ import annotations

from flask import render_template, request


def confirmed() -> bool:
    """Whether this POST comes from a confirmation page."""
    return request.form.get("confirm") == "1"


def confirm_page(form, *, carry, stylesheet: str, action_url: str | None = None, **context):
    """The confirmation page; nothing has changed yet.

    :param form: the posted form (for its CSRF token).
    :param carry: ``(name, value)`` pairs to post again; empty values are left out.
    :param stylesheet: the feature's static CSS file, e.g. ``css/forum.css``.
    :param action_url: where the confirmation posts (default: where the first POST went).
    :param context: ``heading``, ``summary``, ``button``, ``cancel_url``, optional ``items``
        and ``links`` (see ``_confirm.html``).
    """
    return render_template(
        "_confirm.html",
        form=form,
        carry=[(name, value) for name, value in carry if value not in (None, "")],
        action_url=action_url or request.path,
        stylesheets=[stylesheet],
        **context,
    )
