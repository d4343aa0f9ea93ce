"""Pages of the social channel: connected accounts (admins) and a social ticket's
conversation with its identity link (agents)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from app.accounts.permissions import require
from app.channels.models import ChannelIdentity
from app.channels.social import rules, services, tokens
from app.channels.social.forms import (
    ConnectAccountForm,
    DisconnectForm,
    LinkIdentityForm,
    RotateTokenForm,
)
from app.channels.social.models import SocialDelivery
from app.errors import DomainError, NotFound, form_error
from app.extensions import db
from app.models import utcnow
from app.outbox import commit
from app.tickets.models import Ticket

bp = Blueprint("social", __name__, url_prefix="/channels/social")


def _accounts_page(status: int = 200, connect_form=None, rotate_forms=None):
    rotate_forms = rotate_forms or {}
    listed = services.accounts()
    return render_template(
        "channels/social/accounts.html",
        accounts=listed,
        platforms=rules.PLATFORMS,
        masked=tokens.masked,
        connect_form=connect_form or ConnectAccountForm(),
        rotate_forms={
            a.id: rotate_forms.get(a.id) or RotateTokenForm(prefix=f"rotate-{a.id}") for a in listed
        },
        disconnect_form=DisconnectForm(),
    ), status


@bp.route("/accounts", methods=["GET", "POST"])
@require("tickets.configure")
def accounts():
    form = ConnectAccountForm()
    if form.is_submitted():
        if form.validate():
            try:
                account = services.connect_account(
                    current_user, form.platform.data, form.external_id.data, form.name.data,
                    form.token.data, utcnow(),
                )  # fmt: skip
            except DomainError as error:
                form_error(form, error)
            else:
                commit()
                flash(f"{account.name} is connected.", "success")
                return redirect(url_for("social.accounts"))
        return _accounts_page(422, connect_form=form)
    return _accounts_page()


@bp.route("/accounts/<int:account_id>/token", methods=["POST"])
@require("tickets.configure")
def rotate_token(account_id: int):
    form = RotateTokenForm(prefix=f"rotate-{account_id}")
    if form.validate_on_submit():
        try:
            account = services.rotate_token(current_user, account_id, form.token.data, utcnow())
        except NotFound:
            abort(404)
        except DomainError as error:
            form_error(form, error)
        else:
            commit()
            flash(f"The token of {account.name} was replaced.", "success")
            return redirect(url_for("social.accounts"))
    try:
        services.get_account(current_user, account_id)
    except NotFound:
        abort(404)
    return _accounts_page(422, rotate_forms={account_id: form})


@bp.route("/accounts/<int:account_id>/disconnect", methods=["POST"])
@require("tickets.configure")
def disconnect(account_id: int):
    if not DisconnectForm().validate_on_submit():
        abort(400)
    try:
        account = services.disconnect_account(current_user, account_id, utcnow())
    except NotFound:
        abort(404)
    commit()
    flash(f"{account.name} is disconnected; its token was deleted.", "success")
    return redirect(url_for("social.accounts"))


def _conversation_page(ticket_id: int, status: int = 200, form=None):
    try:
        conversation = services.conversation_for_agent(current_user, ticket_id)
    except NotFound:
        abort(404)
    deliveries = db.session.scalars(
        select(SocialDelivery)
        .where(SocialDelivery.ticket_id == ticket_id)
        .order_by(SocialDelivery.id.desc())
    ).all()
    return render_template(
        "channels/social/conversation.html",
        ticket=db.session.get(Ticket, ticket_id),
        conversation=conversation,
        identity=db.session.get(ChannelIdentity, conversation.identity_id),
        deliveries=deliveries,
        platforms=rules.PLATFORMS,
        kinds=rules.KINDS,
        form=form or LinkIdentityForm(),
    ), status


@bp.route("/tickets/<int:ticket_id>")
@require("tickets.work")
def conversation(ticket_id: int):
    return _conversation_page(ticket_id)


@bp.route("/tickets/<int:ticket_id>/link", methods=["POST"])
@require("tickets.work")
def link_identity(ticket_id: int):
    form = LinkIdentityForm()
    if form.validate_on_submit():
        try:
            services.link_identity(current_user, ticket_id, form.email.data, utcnow())
        except NotFound:
            abort(404)
        except DomainError as error:
            form_error(form, error)
        else:
            commit()
            flash("Linked: this person's next messages go to that requester.", "success")
            return redirect(url_for("social.conversation", ticket_id=ticket_id))
    return _conversation_page(ticket_id, 422, form)
