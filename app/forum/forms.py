"""Forum forms; CSRF comes with every FlaskForm."""

from flask_wtf import FlaskForm
from wtforms import (
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.forum.models import FLAG_REASONS
from app.models import MAX_DB_INT

_BODY_HINT = "Markdown works: **bold**, *italic*, `code`, > quotes, lists and links."


class ThreadForm(FlaskForm):
    category = SelectField("Category", validators=[DataRequired("Choose a category.")])
    title = StringField(
        "Title", validators=[DataRequired("Give your thread a title."), Length(max=200)]
    )
    body = TextAreaField(
        "Your question or message",
        validators=[DataRequired("Write your message.")],
        description=_BODY_HINT,
    )


class ReplyForm(FlaskForm):
    body = TextAreaField(
        "Your reply", validators=[DataRequired("Write your reply.")], description=_BODY_HINT
    )


class EditForm(FlaskForm):
    body = TextAreaField("Text", validators=[DataRequired("Write something.")])


class ConfirmForm(FlaskForm):
    """A button only (delete, like, accept, follow, claim): CSRF is all it carries."""


class FlagForm(FlaskForm):
    reason = RadioField(
        "Why should moderators look at this post?",
        choices=[SelectChoice(value, label) for value, label in FLAG_REASONS.items()],
        validators=[DataRequired("Choose a reason.")],
    )
    note = TextAreaField(
        "Note for the moderators",
        validators=[Optional(), Length(max=500)],
        description="Required for “Something else”.",
    )


_REASON_LENGTH = Length(max=500, message="Keep the reason to 500 characters or fewer.")
_SILENCE_RANGE = NumberRange(
    min=1, max=24 * 365, message="Silence for 1 to 8760 hours (a year at most)."
)


class ReviewForm(FlaskForm):
    reason = StringField("Reason (kept in the audit log)", validators=[Optional(), _REASON_LENGTH])
    body = TextAreaField("Edited text (for “Edit and approve”)", validators=[Optional()])
    silence_hours = IntegerField("Silence for (hours)", validators=[Optional(), _SILENCE_RANGE])


class MemberModerationForm(FlaskForm):
    """Silence, suspend or lift a suspension, from a member's profile."""

    reason = StringField("Reason (kept in the audit log)", validators=[Optional(), _REASON_LENGTH])
    silence_hours = IntegerField(
        "Silence for (hours)",
        validators=[Optional(), _SILENCE_RANGE],
        description="Only for “Silence”. Empty: the default length.",
    )


class ModerateThreadForm(FlaskForm):
    reason = StringField("Reason (kept in the audit log)", validators=[Optional(), _REASON_LENGTH])
    category = SelectField("Move to category", validators=[Optional()])
    target = IntegerField(
        "Merge into thread number",
        validators=[
            Optional(),
            NumberRange(min=1, max=MAX_DB_INT, message="There is no thread with that number."),
        ],
    )
    title = StringField("Title of the new thread", validators=[Optional(), Length(max=200)])
    post_ids = SelectMultipleField(
        "Replies to move to the new thread",
        coerce=int,
        validators=[Optional()],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )


class ModeratePostForm(FlaskForm):
    reason = StringField("Reason (kept in the audit log)", validators=[Optional(), _REASON_LENGTH])
