"""Sign-up, sign-in, sign-out, password change and reset pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user

from app.accounts import registration, services
from app.accounts.forms import (
    ChangePasswordForm,
    ConfirmRegistrationForm,
    LoginForm,
    LogoutForm,
    RegisterForm,
    ResetPasswordForm,
    ResetRequestForm,
)
from app.accounts.permissions import require
from app.errors import DomainError, form_error
from app.extensions import limiter
from app.mail import site_link
from app.models import utcnow
from app.outbox import commit, parked_events

bp = Blueprint("accounts", __name__, url_prefix="/account")


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ch in target for ch in "\r\n\t\\"):
        return None
    return target


def _sign_in(user) -> str | None:
    """Sign in; returns where to go instead of the usual page, when a hook says so.

    ``app.extensions["sign_in_hooks"]``: ``hook(user, now) -> url | None`` in the sign-in's
    transaction (privacy: signing in during an erasure's cooling-off cancels it, and says so).
    """
    # A fresh session on every sign-in, so a session id planted before it is worth nothing.
    session.clear()
    now = utcnow()
    services.start_login_session(user, now, request.headers.get("User-Agent", ""))
    login_user(user)
    session.permanent = True
    targets = [hook(user, now) for hook in current_app.extensions.get("sign_in_hooks", [])]
    return next((target for target in targets if target), None)


def _account_key() -> str:
    """The per-account limit counts attempts on one account *from one client*: a stranger's
    wrong passwords slow the stranger down, never the owner signing in from elsewhere. The
    per-address limit still caps every client across all accounts."""
    account = services.normalise_email(request.form.get("email", ""))
    return f"account:{account}:{get_remote_address()}"


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTER_LIMIT_PER_IP"], methods=["POST"])
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            registration.start_registration(
                form.email.data,
                form.display_name.data,
                form.password.data,
                utcnow(),
                {
                    "confirm": lambda token: site_link(
                        "accounts.confirm_registration", token=token
                    ),
                    "login": lambda: site_link("accounts.login"),
                    "reset": lambda: site_link("accounts.reset_request"),
                },
            )
        except DomainError as error:
            form_error(form, error)
        else:
            commit()
            # The same page whether or not the address has an account: only its owner learns.
            return render_template("accounts/register_sent.html", email=form.email.data)
    return render_template("accounts/register.html", form=form), 200 if not form.errors else 422


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
def confirm_registration(token: str):
    # Opening the link shows a button: mail scanners that fetch links create nothing.
    try:
        registration.check_registration_token(token, utcnow())
        if request.method == "POST" and ConfirmRegistrationForm().validate_on_submit():
            user = registration.confirm_registration(token, utcnow())
            _sign_in(user)
            commit()
            flash(f"Welcome, {user.display_name}! Your account is ready.", "success")
            return redirect(url_for("kb.home"))
    except DomainError as error:
        return render_template("accounts/register_invalid.html", message=error.message), 410
    return render_template("accounts/register_confirm.html", form=ConfirmRegistrationForm())


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], methods=["POST"], key_func=_account_key
)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except DomainError as error:
            form_error(form, error)
        else:
            target = _sign_in(user)
            commit()
            flash(f"Signed in as {user.display_name}.", "success")
            return redirect(target or safe_next(request.args.get("next")) or url_for("kb.home"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    form = LogoutForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        services.end_login_session(current_user.login_token)
        commit()
        logout_user()
        session.clear()
        flash("You are signed out.", "success")
    return redirect(url_for("kb.home"))


@bp.route("/")
@require("account.manage")
def overview():
    return render_template("accounts/overview.html")


@bp.route("/outbox")
@require("outbox.view")
def parked_mail():
    """Side effects (mostly mail) that could never be done, with their errors."""
    return render_template("accounts/parked_outbox.html", events=parked_events())


@bp.route("/password", methods=["GET", "POST"])
@require("account.manage")
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user,
                form.current_password.data,
                form.new_password.data,
                utcnow(),
                request.headers.get("User-Agent", ""),
            )
        except DomainError as error:
            form_error(form, error)
        else:
            commit()
            login_user(current_user._get_current_object())
            flash(
                "Password changed. Every other device and app has been signed out "
                "(API tokens included).",
                "success",
            )
            return redirect(url_for("accounts.overview"))
    status = 422 if form.errors else 200
    return render_template("accounts/change_password.html", form=form), status


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"])
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(
            form.email.data,
            utcnow(),
            lambda token: site_link("accounts.reset_password", token=token),
        )
        commit()
        return render_template("accounts/reset_sent.html", email=form.email.data)
    return render_template(
        "accounts/reset_request.html", form=form
    ), 200 if not form.errors else 422


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        services.check_reset_token(token, utcnow())
    except DomainError as error:
        return render_template("accounts/reset_invalid.html", message=error.message), 410
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data, utcnow())
        except DomainError as error:
            form_error(form, error)
        else:
            commit()
            logout_user()
            session.clear()
            flash("Your password is changed. Sign in with the new one.", "success")
            return redirect(url_for("accounts.login"))
    return render_template(
        "accounts/reset_password.html", form=form
    ), 200 if not form.errors else 422
