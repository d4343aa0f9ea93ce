"""The dashboard's filter form (a GET form: it changes nothing, so it carries no CSRF token)."""

from __future__ import annotations

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from app.tickets.catalog import CATEGORIES, CHANNELS, PRIORITY_LABELS, TIERS


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(str(value), label) for value, label in [("", "Any"), *pairs]]


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    start = DateField("From", validators=[Optional()], description="First day (support time).")
    end = DateField("To", validators=[Optional()], description="Last day, included.")
    compare = SelectField(
        "Compare with",
        choices=[SelectChoice("previous", "The range before"), SelectChoice("none", "Nothing")],
        default="previous",
    )
    category = SelectField("Category", choices=_choices(CATEGORIES.items()), default="")
    priority = SelectField("Priority", choices=_choices(PRIORITY_LABELS.items()), default="")
    channel = SelectField("Channel", choices=_choices(CHANNELS.items()), default="")
    tier = SelectField("Tier", choices=_choices(TIERS.items()), default="")
    agent = SelectField("Agent", choices=_choices(()), default="", validate_choice=False)

    def validate_end(self, field) -> None:
        if self.start.data and field.data:
            if field.data < self.start.data:
                raise ValidationError("The last day must be on or after the first day.")
            limit = current_app.config["METRICS_MAX_RANGE_DAYS"]
            if (field.data - self.start.data).days + 1 > limit:
                raise ValidationError(f"Choose at most {limit} days.")

    def validate_agent(self, field) -> None:
        allowed = {choice[0] for choice in self.agent.iter_choices()}
        if (field.data or "") not in allowed:
            raise ValidationError("Choose an agent from the list.")


RATING_LABELS = {1: "1 Poor", 2: "2 Fair", 3: "3 Good", 4: "4 Excellent"}
PULSE_LABELS = {1: "1 Bad", 2: "2 Not great", 3: "3 Okay", 4: "4 Good", 5: "5 Great"}


class DrawSampleForm(FlaskForm):
    week = DateField("Week starting", validators=[Optional()])


def audit_form_class(criteria: list[str]) -> type[FlaskForm]:
    """A review form with one 1-4 rating per criterion of the rubric (``c0``, ``c1`` ...);
    the service checks the ratings, so its message lands next to the right one."""

    class AuditForm(FlaskForm):
        comment = TextAreaField("Comment", description="What was good, what to do differently.")

    for index, name in enumerate(criteria):
        setattr(AuditForm, f"c{index}", RadioField(
            name, choices=[SelectChoice(str(v), label) for v, label in RATING_LABELS.items()],
            validate_choice=False,
        ))  # fmt: skip
    return AuditForm


class PulseForm(FlaskForm):
    score = RadioField(
        "How do you feel about working on the support team this month?",
        choices=[SelectChoice(str(v), label) for v, label in PULSE_LABELS.items()],
        validate_choice=False,
    )
    comment = TextAreaField(
        "Anything you want to add? (optional)",
        description="Shown to the team only in months with at least 5 answers, without names.",
    )
