"""Incident forms (CSRF is global). Shapes only; the services check the rest. Each form that
publishes carries a one-time token, so a retried submission publishes nothing twice."""

from __future__ import annotations

import uuid

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.incidents.models import SEVERITIES
from app.incidents.rules import SECTIONS
from app.tickets.catalog import CATEGORIES

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(str(value), label) for value, label in pairs]


class PublishForm(FlaskForm):
    token = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.token.data:
            self.token.data = uuid.uuid4().hex


class DeclareForm(PublishForm):
    kind = SelectField("Type of crisis", validators=[DataRequired("Choose the type of crisis.")])
    severity = SelectField(
        "Severity",
        choices=_choices([(s, s.capitalize()) for s in SEVERITIES]),
        validators=[DataRequired("Choose a severity.")],
        description="Sets how often a public update is due.",
    )
    title = StringField(
        "Public title",
        validators=[DataRequired("Give the incident a public title."), Length(max=200)],
        description="Shown in the banner, on the status page and as the forum thread's title.",
    )
    categories = SelectMultipleField(
        "Affected request categories",
        choices=_choices(CATEGORIES.items()),
        description="New requests in these categories get the auto-reply and are linked.",
    )
    screens = StringField(
        "Affected app screens", validators=[Length(max=500)], description="Separate with commas."
    )
    affected_features = StringField(
        "Affected features (fills {affected_features})", validators=[Length(max=500)]
    )
    workaround_url = StringField(
        "Workaround link or advice (fills {workaround_link})", validators=[Length(max=500)]
    )
    message = TextAreaField(
        "Public message",
        validators=[Length(max=10_000)],
        description="Leave empty to send the type's template; every {placeholder} must be filled.",
    )
    detected_at = DateTimeLocalField(
        "Problem noticed at (UTC)", format=DATETIME_FORMATS, validators=[Optional()],
        description="For the report's time to declare; empty means now.",
    )  # fmt: skip
    aware_at = DateTimeLocalField(
        "Team became aware at (UTC, data breach)", format=DATETIME_FORMATS,
        validators=[Optional()], description="The 72-hour clock for the authority starts here.",
    )  # fmt: skip
    is_drill = BooleanField("This is a drill (only staff see it)")


class UpdateForm(PublishForm):
    message = TextAreaField(
        "Update", validators=[DataRequired("Write the update."), Length(max=10_000)]
    )
    notify_requesters = BooleanField("Also e-mail the requesters of linked tickets")


class ResolveForm(PublishForm):
    message = TextAreaField(
        "Final message",
        validators=[DataRequired("Write the final message."), Length(max=10_000)],
    )


class BulkLinkForm(FlaskForm):
    text = StringField(
        "Mentioning", validators=[DataRequired("Type what to look for."), Length(max=100)]
    )
    since = DateTimeLocalField("Since (UTC)", format=DATETIME_FORMATS, validators=[Optional()])
    tickets = BooleanField("Tickets", default=True)
    threads = BooleanField("Forum threads")


class ActionForm(FlaskForm):
    """A button with nothing to fill in (exclude, checklist step, authority notified)."""

    step = HiddenField()


class TemplateForm(FlaskForm):
    note = StringField("What changed", validators=[Length(max=200)])


for _name in SECTIONS:
    setattr(
        TemplateForm, _name,
        TextAreaField(_name.capitalize(), validators=[DataRequired("Write this part."),
                                                      Length(max=5000)]),
    )  # fmt: skip
