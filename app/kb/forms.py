"""Knowledge-base forms; CSRF comes with every FlaskForm."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.kb.feedback import REASON_MAX
from app.kb.rules import SUMMARY_MAX


class VoteForm(FlaskForm):
    """ "Was this article helpful?": two submit buttons carry the answer."""

    reason = TextAreaField(
        "What could be better? (optional)",
        validators=[Optional(), Length(max=REASON_MAX)],
        description="Don't include personal details; this is read by the support team.",
    )
    yes = SubmitField("Yes, it helped")
    no = SubmitField("No, it didn't")


class GuideStepForm(FlaskForm):
    """ "Did this solve it?" for one troubleshooting step."""

    step = IntegerField(validators=[InputRequired(), NumberRange(min=1)])
    yes = SubmitField("Yes, it's solved")
    no = SubmitField("No, next step")


class EditArticleForm(FlaskForm):
    base_revision = HiddenField(validators=[DataRequired()])
    title = StringField("Title", validators=[DataRequired("Enter a title."), Length(max=200)])
    summary = StringField(
        "Summary",
        validators=[DataRequired("Enter a one-sentence summary."), Length(max=SUMMARY_MAX)],
        description=f"One sentence, at most {SUMMARY_MAX} characters. Shown in lists and search.",
    )
    tags = StringField("Tags", description="Lower-case words separated by commas.")
    body = TextAreaField(
        "Article text (Markdown)",
        validators=[DataRequired("The article text can't be empty.")],
        description="FAQs: one '## Question?' heading per question. Troubleshooting guides: "
        "'## Step 1: ...' headings numbered in order.",
    )
    comment = StringField(
        "What did you change?", validators=[Length(max=300)], description="Shown in the history."
    )
    preview = SubmitField("Preview")
    save = SubmitField("Save")


class RestoreForm(FlaskForm):
    base_revision = HiddenField(validators=[DataRequired()])
