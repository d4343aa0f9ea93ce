"""Feedback forms (CSRF comes with every FlaskForm). The services check the values; these only
shape the input."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

RATING_CHOICES = [
    SelectChoice("good", "Good, I'm satisfied"),
    SelectChoice("bad", "Bad, I'm unsatisfied"),
]
SCORE_CHOICES = [SelectChoice(str(n), str(n)) for n in range(11)]


class RatingForm(FlaskForm):
    rating = RadioField(
        "How would you rate the support you received?",
        choices=RATING_CHOICES,
        validators=[DataRequired("Choose good or bad.")],
    )
    reason = SelectField(
        "What went wrong? (optional, for a bad rating)", choices=[], validate_choice=False
    )
    comment = TextAreaField(
        "Comment (optional)", validators=[Length(max=2000)],
        description="Anything you'd like the team to know.",
    )  # fmt: skip

    def with_reasons(self, reasons: list[str]) -> RatingForm:
        self.reason.choices = [
            SelectChoice("", "No reason"),
            *(SelectChoice(r, r) for r in reasons),
        ]
        return self


class NpsForm(FlaskForm):
    score = RadioField(
        "How likely are you to recommend GrowgrEbuddy to a friend?",
        choices=SCORE_CHOICES,
        validators=[DataRequired("Choose a number from 0 to 10.")],
        description="0 means not at all likely, 10 extremely likely.",
    )
    why = TextAreaField("Why? (optional)", validators=[Length(max=2000)])


class OptOutForm(FlaskForm):
    """Only the CSRF token: the page itself says what the button does."""


class PreferenceForm(FlaskForm):
    opted_out = BooleanField("Don't ask me for feedback")


class FollowUpForm(FlaskForm):
    """Only the CSRF token (marking a bad rating followed up)."""
