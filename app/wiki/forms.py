"""Wiki forms; CSRF comes with every FlaskForm."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.wiki.rules import MAX_BODY, MAX_SUMMARY, MAX_TITLE, PROTECTION_LABELS

_SUMMARY = StringField(
    "Edit summary",
    validators=[Optional(), Length(max=MAX_SUMMARY)],
    description="Briefly say what you changed (shown in the history).",
)


class PageForm(FlaskForm):
    """A form acting on one page. It carries the page's id, so a POST to a title the page has
    since left (renamed, maybe taken by a new page) still reaches the page it was opened on."""

    page_id = HiddenField()


class EditForm(PageForm):
    body = TextAreaField(
        "Page text",
        validators=[DataRequired("Write something on the page."), Length(max=MAX_BODY)],
        description="Markdown. Link another page with [[Page title]].",
    )
    summary = _SUMMARY
    #: The revision the editor started from (the base of a three-way merge).
    base_revision_id = HiddenField()
    #: Random per form: a resubmission finds the revision it already saved.
    edit_token = HiddenField()
    save = SubmitField("Save page")
    preview = SubmitField("Preview")


class NewPageForm(EditForm):
    title = StringField("Title", validators=[DataRequired("Enter a title."), Length(max=MAX_TITLE)])


class PreviewForm(FlaskForm):
    body = TextAreaField("Page text", validators=[Length(max=MAX_BODY)])


class RenameForm(PageForm):
    title = StringField(
        "New title", validators=[DataRequired("Enter a title."), Length(max=MAX_TITLE)]
    )
    summary = StringField("Reason", validators=[Optional(), Length(max=MAX_SUMMARY)])
    #: Shown to moderators only (the service refuses it from anyone else).
    keep_redirect = BooleanField(
        "Keep the old title for this page",
        description="Otherwise the old title redirects here until someone creates a page with it.",
    )


class ReasonForm(PageForm):
    """Confirmation forms (delete, revert, rollback, hide) with an optional reason."""

    summary = StringField("Reason", validators=[Optional(), Length(max=MAX_SUMMARY)])


class ProtectForm(PageForm):
    level = RadioField(
        "Who may edit",
        choices=[SelectChoice(value, label) for value, label in PROTECTION_LABELS.items()],
    )
    summary = StringField("Reason", validators=[Optional(), Length(max=MAX_SUMMARY)])


class ActionForm(FlaskForm):
    """Empty: a POST button (approve, unsubscribe) with its CSRF token."""


class PageActionForm(PageForm):
    """A POST button on a page (watch, restore) with its CSRF token and the page's id."""
