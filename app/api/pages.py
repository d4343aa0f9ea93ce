"""Pages outside ``/api/v1``: API tokens on the account page (CSRF-protected forms) and the
widget demo page."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from app.accounts.permissions import require
from app.api import services
from app.api.forms import CreateTokenForm, RevokeTokenForm
from app.errors import DomainError
from app.models import utcnow
from app.outbox import commit
from app.request_args import page_arg

bp = Blueprint("api_pages", __name__)


def _own_token_or_404(token_id: int):
    try:
        return services.get_own_token(current_user, token_id)
    except DomainError:
        abort(404)


@bp.route("/account/api-tokens", methods=["GET", "POST"])
@require("api.tokens")
def tokens():
    form = CreateTokenForm()
    if form.validate_on_submit():
        try:
            created = services.create_token(
                current_user,
                form.name.data,
                utcnow(),
                max_active=current_app.config["API_MAX_TOKENS_PER_USER"],
            )
        except DomainError as error:
            form.name.errors = [*form.name.errors, error.message]
        else:
            commit()
            # Shown once, on this response only: it is never stored in clear, not even in a flash.
            response = render_template(
                "api/token_created.html", token=created.token, plain=created.plain
            )
            return response, 201, {"Cache-Control": "no-store"}
    listing = services.list_tokens(current_user, page=page_arg())
    status = 422 if form.errors else 200
    return render_template("api/tokens.html", form=form, listing=listing), status


@bp.route("/account/api-tokens/<int:token_id>/revoke", methods=["GET", "POST"])
@require("api.tokens")
def revoke(token_id: int):
    token = _own_token_or_404(token_id)
    form = RevokeTokenForm()
    if form.validate_on_submit():
        services.revoke_token(current_user, token.id, utcnow())
        commit()
        flash(f"The token “{token.name}” is revoked. Apps using it are signed out.", "success")
        return redirect(url_for("api_pages.tokens"))
    return render_template("api/revoke_token.html", token=token, form=form)


@bp.route("/api/demo")
def demo():
    """A mock app screen that loads the help widget: tooltips and the first-run tour."""
    return render_template("api/demo.html")
