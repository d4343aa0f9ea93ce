"""Forms of the team's pages; CSRF comes with every FlaskForm."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.team import meetings, training
from app.tickets.forms import choices


def quiz_form(module, formdata=None) -> FlaskForm:
    """A form with one radio group per question (``q0``, ``q1``, ...)."""

    class QuizForm(FlaskForm):
        submit = SubmitField("Submit answers")

    for index, item in enumerate(module.quiz):
        setattr(
            QuizForm,
            f"q{index}",
            RadioField(
                f"{index + 1}. {item['question']}",
                choices=choices((str(n), text) for n, text in enumerate(item["choices"])),
                validators=[InputRequired("Choose an answer.")],
                validate_choice=True,
            ),
        )
    return QuizForm(formdata=formdata) if formdata is not None else QuizForm()


class MonthlyModuleForm(FlaskForm):
    month = StringField("Month (YYYY-MM)", validators=[InputRequired(), Length(max=7)])
    title = StringField("Title", validators=[InputRequired(), Length(max=training.TITLE_MAX)])
    intro = TextAreaField(
        "What changed this month (Markdown)",
        validators=[Optional(), Length(max=training.INTRO_MAX)],
    )
    articles = StringField(
        "Articles to read",
        validators=[Optional(), Length(max=1000)],
        description="Slugs of knowledge-base articles, separated by commas.",
    )
    quiz = TextAreaField(
        "Quiz",
        validators=[InputRequired("Write at least one question.")],
        description="'? question', then one choice a line: '* right answer', '- wrong answer'.",
    )
    pass_mark = IntegerField(
        "Pass mark (%)", default=80, validators=[InputRequired(), NumberRange(1, 100)]
    )
    topics = TextAreaField("Rising topics", validators=[Optional(), Length(max=5000)])
    submit = SubmitField("Start the module")


class WorkshopForm(FlaskForm):
    title = StringField("Title", validators=[InputRequired(), Length(max=training.TITLE_MAX)])
    starts_at = DateTimeLocalField(
        "Starts (support time zone)", validators=[InputRequired("Give a date and time.")]
    )
    materials = TextAreaField(
        "Materials (Markdown)", validators=[Optional(), Length(max=training.INTRO_MAX)]
    )
    submit = SubmitField("Schedule")


class AttendanceForm(FlaskForm):
    attendees = SelectMultipleField(
        "Attended",
        coerce=int,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validate_choice=True,
    )
    submit = SubmitField("Save attendance")


class NoteForm(FlaskForm):
    body = TextAreaField(
        "Note", validators=[InputRequired("Write a note."), Length(max=meetings.NOTE_MAX)]
    )
    submit = SubmitField("Add note")


class ActionForm(FlaskForm):
    text = StringField(
        "Action",
        validators=[InputRequired("Describe the action."), Length(max=meetings.ACTION_MAX)],
    )
    owner = SelectField("Owner", coerce=int, validate_choice=True)
    due_on = DateField("Due", validators=[InputRequired("Give a due date.")])
    submit = SubmitField("Add action item")


class FlagForm(FlaskForm):
    reason = StringField(
        "Why discuss it? (optional)", validators=[Optional(), Length(max=meetings.REASON_MAX)]
    )
    submit = SubmitField("Discuss at weekly")


class DecisionForm(FlaskForm):
    text = TextAreaField(
        "Decision",
        validators=[InputRequired("Write the decision."), Length(max=meetings.DECISION_MAX)],
    )
    ticket = IntegerField(
        "About ticket number (optional)", validators=[Optional(), NumberRange(1, 2**31 - 1)]
    )
    submit = SubmitField("Record decision")


class ButtonForm(FlaskForm):
    """A single button (mark done, mark discussed)."""

    submit = SubmitField("Done")
