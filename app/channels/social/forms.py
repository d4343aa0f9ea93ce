"""Forms of the social channel's pages (CSRF comes with every FlaskForm); the checks that
matter live in the services."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from app.channels.social.rules import PLATFORMS


class ConnectAccountForm(FlaskForm):
    platform = SelectField(
        "Platform",
        choices=[
            SelectChoice("", "Choose a platform"),
            *(SelectChoice(k, v) for k, v in PLATFORMS.items()),
        ],
        validators=[DataRequired("Choose a platform.")],
    )
    external_id = StringField(
        "Account id", validators=[DataRequired("Enter the account's id.")],
        description="Facebook: the Page id. Instagram: the professional account's id. X: the user id.",  # noqa: E501
    )  # fmt: skip
    name = StringField(
        "Name", validators=[DataRequired("Enter a name.")],
        description="How agents know it, for example @growgrebuddy.",
    )  # fmt: skip
    token = PasswordField(
        "Access token", validators=[DataRequired("Paste the access token.")],
        description="Stored encrypted; only its last four characters are ever shown again.",
    )  # fmt: skip


class RotateTokenForm(FlaskForm):
    token = PasswordField(
        "New access token", validators=[DataRequired("Paste the new access token.")]
    )


class DisconnectForm(FlaskForm):
    pass


class LinkIdentityForm(FlaskForm):
    email = StringField(
        "E-mail address of the requester's account",
        validators=[DataRequired("Enter the e-mail address of an account.")],
        description="Their future messages from this social account go to that requester.",
    )
