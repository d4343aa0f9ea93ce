"""Start-up wiring of privacy requests (called from :func:`app.privacy.init_app`): the pages,
the timer job, the account-page section, the ticket panel and the sign-in hook."""

from __future__ import annotations

from flask import Flask, url_for


def init_flows(app: Flask) -> None:
    from app.outbox import register_handler
    from app.privacy import jobs, queries, request_models  # noqa: F401  (the table, for migrations)
    from app.privacy.forms import ExportForm
    from app.privacy.request_views import bp
    from app.tickets.sla.tick import register_tick_job

    app.register_blueprint(bp)
    # Exports and erasures past their cooling-off run in the timer process, never in a request.
    register_tick_job(app, "privacy requests", jobs.run_due)
    register_handler(app, jobs.FAREWELL, jobs.send_farewell, inline=True)
    app.extensions.setdefault("sign_in_hooks", []).append(_cancel_erasure)
    app.extensions.setdefault("account_sections", []).append("privacy/_account_privacy.html")
    app.extensions.setdefault("ticket_panels", []).append("privacy/_ticket_panel.html")
    app.jinja_env.globals.update(
        privacy_new_export_form=ExportForm,
        privacy_latest_export=_latest_export,
        privacy_next_export_at=_next_export_at,
        privacy_ticket_requests=queries.requests_for_ticket,
        privacy_request_facts=queries.request_facts,
        privacy_download_link=jobs.download_link,
        privacy_erasure_totals=jobs.erasure_totals,
    )


def _latest_export(user):
    from app.privacy.requests import latest_export

    return latest_export(user.id)


def _next_export_at(user):
    from app.privacy.requests import next_export_allowed_at

    return next_export_allowed_at(user.id)


def _cancel_erasure(user, now) -> str | None:
    from app.privacy.requests import cancel_erasure_on_sign_in

    if cancel_erasure_on_sign_in(user, now) is None:
        return None
    return url_for("privacy_requests.deletion_cancelled")
