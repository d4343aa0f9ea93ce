"""Account forms; CSRF comes with every FlaskForm."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from app.accounts.services import AccountError, check_email


def _email_rule(form, field) -> None:
    """The site's one e-mail rule (``services.check_email``), which the CLI applies too."""
    try:
        check_email(field.data or "")
    except AccountError as error:
        raise ValidationError(error.message) from None


_EMAIL = [DataRequired("Enter your e-mail address."), _email_rule, Length(max=254)]


class RegisterForm(FlaskForm):
    email = EmailField("E-mail address", validators=_EMAIL)
    display_name = StringField(
        "Display name", validators=[DataRequired("Enter a display name."), Length(max=80)]
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Choose a password.")],
        description="At least 12 characters. A short sentence works well.",
    )


class LoginForm(FlaskForm):
    email = EmailField("E-mail address", validators=_EMAIL)
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired("Enter your current password.")]
    )
    new_password = PasswordField(
        "New password",
        validators=[DataRequired("Choose a password.")],
        description="At least 12 characters.",
    )


class ResetRequestForm(FlaskForm):
    email = EmailField("E-mail address", validators=_EMAIL)


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[DataRequired("Choose a password.")],
        description="At least 12 characters.",
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[
            DataRequired("Repeat the password."),
            EqualTo("password", "The passwords differ."),
        ],
    )


class LogoutForm(FlaskForm):
    """Empty: sign-out is a POST with a CSRF token, so a link elsewhere can't sign you out."""


class ConfirmRegistrationForm(FlaskForm):
    """Empty: creating the account is a POST, never the GET a mail scanner makes."""
