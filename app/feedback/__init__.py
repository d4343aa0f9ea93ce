"""Feedback: satisfaction after interactions (CSAT), the quarterly NPS survey, the opt-out and
the common-issues reports."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.feedback import (  # noqa: F401  (tables for migrations)
        csat,
        models,
        nps,
        queries,
        report_views,
    )
    from app.feedback.cli import feedback_cli, reports_cli
    from app.feedback.views import bp, rating_form
    from app.tickets.sla.tick import register_tick_job

    app.register_blueprint(bp)
    app.cli.add_command(reports_cli)
    app.cli.add_command(feedback_cli)
    # The timer process (``flask tickets tick``) decides due surveys and sends NPS mail.
    register_tick_job(app, "satisfaction surveys", csat.run_due)
    register_tick_job(app, "quarterly survey", nps.run_due)
    # Live chat calls these when a chat ends (it never imports feedback): ask about it at once.
    app.extensions.setdefault("chat_ended_hooks", []).append(_rate_ended_chat)
    # The team's monthly training form offers these (team never imports feedback, nor the reverse).
    app.extensions["rising_topics_provider"] = _rising_topics_for_training
    app.extensions.setdefault("account_sections", []).append("feedback/_account_feedback.html")
    app.extensions.setdefault("request_page_sections", []).append("feedback/_request_rating.html")
    app.extensions.setdefault("agent_ticket_sections", []).append("feedback/_agent_rating.html")
    app.extensions.setdefault("guide_outcome_sections", []).append("feedback/_guide_rating.html")
    app.jinja_env.globals.update(
        csat_for_request=csat.survey_for_requester,
        csat_may_change=csat.may_change,
        csat_rating_form=rating_form,
        csat_for_ticket=queries.survey_for_ticket,
        csat_answers=queries.answers_of,
        feedback_opted_out=_opted_out,
        guide_rating_for=_guide_rating_for,
    )


def _rate_ended_chat(conversation, now) -> None:
    from app.feedback.csat import request_rating

    request_rating(conversation.ticket, now)


def _rising_topics_for_training() -> list[dict]:
    from app.feedback.reports import rising_topics_for_training
    from app.models import utcnow

    return rising_topics_for_training(utcnow())


def _opted_out(user) -> bool:
    from app.feedback.services import is_opted_out

    return is_opted_out(getattr(user, "id", None))


def _guide_rating_for(article):
    """(outcome id, survey or None) of this browser's latest outcome of ``article``, or None
    (also for a signed-in person who opted out of feedback requests)."""
    from flask import session
    from flask_login import current_user

    from app.feedback.guides import guide_outcome_to_rate
    from app.feedback.views import GUIDE_OUTCOMES_KEY

    if getattr(current_user, "is_authenticated", False) and _opted_out(current_user):
        return None
    return guide_outcome_to_rate(article.id, session.get(GUIDE_OUTCOMES_KEY, []))
