"""Privacy request forms; CSRF comes with every FlaskForm."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, RadioField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

#: The erasure's choice about forum posts, worded for the person.
POST_CHOICES = [
    SelectChoice("anonymise", "Keep all my posts, shown as written by a former member"),
    SelectChoice(
        "delete", "Delete my posts where nobody replied to or quoted them; keep the rest anonymised"
    ),
]


class ExportForm(FlaskForm):
    #: The button; a refusal (rate limit) is shown next to it.
    export = SubmitField("Download my data")


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        "Your password",
        validators=[DataRequired("Enter your password to confirm.")],
        description="We ask for it so that nobody else can delete your account.",
    )
    posts = RadioField(
        "Your forum posts", choices=POST_CHOICES, default="anonymise",
        validators=[DataRequired("Choose what happens to your posts.")],
    )  # fmt: skip


class TicketRequestForm(FlaskForm):
    kind = RadioField(
        "Request", choices=[SelectChoice("export", "Export their data"),
                 SelectChoice("erasure", "Erase their account")],
        validators=[DataRequired("Choose export or erasure.")],
    )  # fmt: skip
    reason = TextAreaField(
        "Reason", validators=[DataRequired("Say why."), Length(max=1000)],
        description="The admin who approves it reads this; it goes in the ticket's log.",
    )  # fmt: skip
    posts = RadioField("Their forum posts (erasure)", choices=POST_CHOICES, default="anonymise")


class DecisionForm(FlaskForm):
    note = TextAreaField(
        "Why reject it?", validators=[Length(max=1000)],
        description="Needed to reject; the agent reads it in the ticket's log.",
    )  # fmt: skip
    approve = SubmitField("Approve")
    reject = SubmitField("Reject")
