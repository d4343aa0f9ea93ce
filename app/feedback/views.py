"""Feedback pages: rating links from e-mail (a GET only shows a confirm page, so mail scanners
that prefetch links never vote), the request page's rating form, the NPS page, opting out, and
the team lead's follow-up list."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from werkzeug import exceptions as werkzeug_errors

from app.accounts.permissions import require
from app.errors import DomainError, NotFound, form_error
from app.feedback import csat, guides, nps, queries, services
from app.feedback.forms import FollowUpForm, NpsForm, OptOutForm, PreferenceForm, RatingForm
from app.models import utcnow
from app.outbox import commit
from app.request_args import page_arg
from app.tickets import services as tickets

bp = Blueprint("feedback", __name__, url_prefix="/feedback")


@bp.errorhandler(NotFound)
def _not_found(error: NotFound):
    # A forged link, a survey that isn't the person's, someone else's request: all plain 404s.
    return current_app.handle_http_exception(werkzeug_errors.NotFound())


#: Surveys whose e-mail link this browser used: it may change its answer through the link.
LINKS_KEY = "csat_links"
#: The knowledge base keeps the guide outcomes this browser recorded under this key.
GUIDE_OUTCOMES_KEY = "guide_outcomes"
GUIDE_QUESTION = "How would you rate this guide?"


def rating_form(survey=None, question: str | None = None) -> RatingForm:
    form = RatingForm().with_reasons(current_app.config["CSAT_BAD_REASONS"])
    if question:
        form.rating.label.text = question
    if survey is not None and not form.is_submitted():
        form.rating.data, form.reason.data = survey.rating, survey.reason or ""
        form.comment.data = survey.comment
    return form


def _render_link_page(survey, token, form, status=200, done=False):
    ticket = csat.ticket_of(survey)
    return render_template(
        "feedback/rate.html", survey=survey, ticket=ticket, token=token, form=form,
        done=done, may_reuse=survey.id in session.get(LINKS_KEY, []),
        may_change=csat.may_change(survey),
    ), status  # fmt: skip


@bp.get("/rate/<token>")
def rate(token: str):
    """The e-mail's link: a confirm page with the clicked rating chosen; nothing is recorded."""
    survey = csat.survey_from_token(token)
    form = rating_form(survey)
    clicked = request.args.get("rating")
    if clicked in ("good", "bad") and (
        survey.rating is None or survey.id in session.get(LINKS_KEY, [])
    ):
        form.rating.data = clicked
    return _render_link_page(survey, token, form)


@bp.post("/rate/<token>")
def rate_confirm(token: str):
    survey = csat.survey_from_token(token)
    form = rating_form(survey)
    if form.validate_on_submit():
        try:
            csat.answer_by_link(
                token, form.rating.data, form.reason.data, form.comment.data, utcnow(),
                may_reuse=survey.id in session.get(LINKS_KEY, []),
            )  # fmt: skip
        except DomainError as error:
            form_error(form, error)
        else:
            commit()
            session[LINKS_KEY] = [*session.get(LINKS_KEY, [])[-19:], survey.id]
            return _render_link_page(survey, token, rating_form(survey), done=True)
    return _render_link_page(survey, token, form, 422)


@bp.post("/requests/<int:ticket_id>/rating")
@require("tickets.submit")
def rate_request(ticket_id: int):
    """The request page's rating form (the requester, signed in)."""
    ticket = tickets.get_ticket_for_requester(current_user, ticket_id)
    survey = csat.survey_for_requester(current_user, ticket.id)
    if survey is None:
        raise NotFound("This request has no survey.")
    form = rating_form(survey)
    if form.validate_on_submit():
        try:
            csat.answer(
                survey, form.rating.data, form.reason.data, form.comment.data, "page", utcnow()
            )
        except DomainError as error:
            form_error(form, error)
        else:
            commit()
            flash("Thank you for rating our support.", "success")
            return redirect(url_for("tickets.show", ticket_id=ticket.id) + "#rating")
    page = render_template("feedback/rate_request.html", ticket=ticket, survey=survey, form=form)
    return page, 422


@bp.post("/guides/<int:outcome_id>/rating")
def rate_guide(outcome_id: int):
    """The optional rating question under a finished troubleshooting guide; only for an
    outcome this browser recorded (anyone else's is a 404)."""
    if outcome_id not in session.get(GUIDE_OUTCOMES_KEY, []):
        raise NotFound("No such guide outcome.")
    form = rating_form(question=GUIDE_QUESTION)
    if form.validate_on_submit():
        try:
            survey = guides.rate_guide(
                outcome_id, current_user, form.rating.data, form.reason.data, form.comment.data,
                utcnow(),
            )  # fmt: skip
        except NotFound:
            raise  # no such outcome, or the person opted out: a 404, not a form error
        except DomainError as error:
            form_error(form, error)
        else:
            back = guides.guide_page(survey)
            commit()
            return redirect(url_for("kb.article", **back) + "#guide-rating")
    page = render_template("feedback/rate_guide.html", form=form, outcome_id=outcome_id)
    return page, 422


@bp.route("/nps/<token>", methods=["GET", "POST"])
def nps_answer(token: str):
    """The quarterly survey from its e-mail: GET shows the question, only POST answers."""
    invitation = nps.invitation_from_token(token)
    form = NpsForm()
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            try:
                nps.answer(invitation, form.score.data, form.why.data, "email", utcnow())
            except DomainError as error:
                form_error(form, error)
            else:
                commit()
                status = 200
    expired = invitation.answered_at is None and nps.is_expired(invitation, utcnow())
    page = render_template(
        "feedback/nps.html", form=form, invitation=invitation, token=token, expired=expired,
        question=nps.QUESTION,
    )  # fmt: skip
    return page, status


@bp.route("/opt-out/<token>", methods=["GET", "POST"])
def opt_out(token: str):
    """The link in every survey e-mail: GET asks, POST opts out of both surveys."""
    user = services.user_from_opt_out_token(token)
    form = OptOutForm()
    done = False
    if form.validate_on_submit():
        services.set_opt_out(user, True, utcnow())
        commit()
        done = True
    opted_out = services.is_opted_out(user.id)
    return render_template("feedback/opt_out.html", form=form, done=done, opted_out=opted_out)


@bp.post("/preferences")
@require("account.manage")
def preferences():
    """The account page's setting."""
    form = PreferenceForm()
    if form.validate_on_submit():
        services.set_opt_out(current_user, bool(form.opted_out.data), utcnow())
        commit()
        flash("Your feedback setting is saved.", "success")
    return redirect(url_for("accounts.overview") + "#feedback-preferences")


@bp.get("/follow-ups")
@require("feedback.follow_up")
def follow_ups():
    """Bad ratings waiting for the team lead (the follow-up queue), oldest first."""
    page = queries.bad_ratings(page_arg(), open_only=True)
    return render_template("feedback/follow_ups.html", page=page, form=FollowUpForm())


@bp.post("/follow-ups/<int:survey_id>")
@require("feedback.follow_up")
def follow_up_done(survey_id: int):
    form = FollowUpForm()
    if form.validate_on_submit():
        csat.mark_followed_up(current_user, survey_id, utcnow())
        commit()
        flash("Marked as followed up.", "success")
    return redirect(url_for("feedback.follow_ups"))


@bp.get("/settings")
@require("feedback.configure")
def settings_page():
    """The rules and settings in force, for admins (changed in the configuration)."""
    return render_template("feedback/settings.html", rows=queries.settings_in_force())
