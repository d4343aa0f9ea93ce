"""Forms of the account page's API-token section; CSRF comes with every FlaskForm."""

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class CreateTokenForm(FlaskForm):
    name = StringField(
        "Token name",
        validators=[DataRequired("Give the token a name."), Length(max=80)],
        description="For example the device it is for, such as “Ana's phone”.",
    )


class RevokeTokenForm(FlaskForm):
    """Only the CSRF token: the token to revoke is in the address."""
