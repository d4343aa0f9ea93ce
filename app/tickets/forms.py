"""Ticket forms (CSRF comes with every FlaskForm). Domain checks live in the services; these
only shape the input."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.tickets.catalog import AGENT_STATUS_LABELS, CATEGORIES, IMPACTS, PRIORITY_LABELS


def choices(pairs) -> list[SelectChoice]:
    """``(value, label)`` pairs as WTForms choices (tuples are deprecated)."""
    return [SelectChoice(str(value), label) for value, label in pairs]


_CATEGORY_CHOICES = choices([("", "Choose a category"), *CATEGORIES.items()])


class TicketForm(FlaskForm):
    category = SelectField(
        "Category", choices=_CATEGORY_CHOICES, validators=[DataRequired("Choose a category.")]
    )
    subject = StringField(
        "Subject",
        validators=[DataRequired("Enter a subject."), Length(max=200)],
        description="A few words; we suggest help articles as you type.",
    )
    impact = RadioField(
        "How much does this affect you?",
        choices=choices(IMPACTS.items()),
        validators=[DataRequired("Tell us how much this affects you.")],
    )
    description = TextAreaField(
        "Description",
        validators=[DataRequired("Enter a description."), Length(max=20_000)],
        description="What happened, what you expected, and the steps to get there. Markdown works.",
    )
    attachments = MultipleFileField(
        "Attachments (optional)",
        description="Screenshots or logs: PNG, JPEG, GIF, WebP, PDF, TXT or LOG, "
        "up to 5 files of 5 MB each.",
    )
    guide = HiddenField()
    steps = HiddenField()


class EscalateThreadForm(FlaskForm):
    category = SelectField(
        "Category", choices=_CATEGORY_CHOICES, validators=[DataRequired("Choose a category.")]
    )
    impact = RadioField(
        "How much does this affect you?",
        choices=choices(IMPACTS.items()),
        validators=[DataRequired("Tell us how much this affects you.")],
    )


class ReplyForm(FlaskForm):
    body = TextAreaField(
        "Your reply", validators=[DataRequired("Enter a message."), Length(max=20_000)]
    )
    attachments = MultipleFileField("Attachments (optional)")


class ActionForm(FlaskForm):
    """Empty: a POST button with a CSRF token (mark solved, reopen, claim)."""


class AgentReplyForm(FlaskForm):
    body = TextAreaField(
        "Message", validators=[DataRequired("Enter a message."), Length(max=20_000)]
    )
    internal = BooleanField("Internal note (the requester never sees it)")
    status_after = SelectField(
        "Then set the status to",
        choices=choices([("", "Leave as it is"), *AGENT_STATUS_LABELS.items()]),
        validators=[Optional()],
    )
    attachments = MultipleFileField("Attachments (optional)")


class PropertiesForm(FlaskForm):
    priority = SelectField("Priority", choices=choices(PRIORITY_LABELS.items()))
    category = SelectField("Category", choices=choices(CATEGORIES.items()))
    status = SelectField("Status", choices=choices(AGENT_STATUS_LABELS.items()))


class AssignForm(FlaskForm):
    assignee = SelectField("Assignee", choices=[], validate_choice=False)


class EscalateForm(FlaskForm):
    to_tier = SelectField("Escalate to", choices=choices([("2", "Tier 2"), ("3", "Tier 3")]))
    reason = TextAreaField(
        "Reason",
        validators=[DataRequired("Give a reason."), Length(max=1000)],
        render_kw={"rows": 2},
    )


class MergeForm(FlaskForm):
    into = IntegerField(
        "Merge into ticket number",
        validators=[DataRequired("Enter the number of another ticket."), NumberRange(min=1)],
        description="This ticket is closed as a duplicate; the conversation stays readable.",
    )
    confirm = BooleanField("Yes, close this ticket as a duplicate")


class ThreadResolutionForm(FlaskForm):
    body = TextAreaField(
        "Resolution to post in the forum thread",
        validators=[DataRequired("Enter the resolution."), Length(max=20_000)],
    )
