"""Feedback test helpers: solved tickets made through the real ticket services, the timer's
jobs run at an injected time, and the links of the survey e-mails."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from app.extensions import db


class Surveys:
    def __init__(self, app, factory, mailbox):
        self.app = app
        self.factory = factory
        self.mailbox = mailbox

    def solved_ticket(self, requester, agent, solved_at, *, reply=True, **fields) -> int:
        """A ticket of ``requester`` that ``agent`` answered publicly and solved at
        ``solved_at`` (``reply=None``: only an internal note, no public reply)."""
        from app.accounts.models import User
        from app.outbox import commit
        from app.tickets import workspace
        from app.tickets.models import Ticket

        ticket_id = self.factory.ticket(requester, solved_at - timedelta(hours=2), **fields)
        with self.app.app_context():
            ticket = db.session.get(Ticket, ticket_id)
            staff = db.session.get(User, agent.id)
            if reply is None:
                workspace.agent_reply(staff, ticket, "Looking into it", solved_at, internal=True,
                                      status_after="solved")  # fmt: skip
            else:
                workspace.agent_reply(staff, ticket, "Fixed: update to 4.2.", solved_at,
                                      status_after="solved")  # fmt: skip
            commit()
        return ticket_id

    def tick(self, now) -> dict:
        """What ``flask tickets tick`` runs after the SLA actions: the registered jobs."""
        from app.tickets.sla.tick import run_tick_jobs

        with self.app.app_context():
            return run_tick_jobs(now)

    def survey(self, ticket_id):
        from app.feedback.queries import survey_for_ticket

        with self.app.app_context():
            survey = survey_for_ticket(ticket_id)
            if survey is not None:
                db.session.expunge(survey)
            return survey

    def mails_to(self, address: str) -> list:
        return [m for m in self.mailbox.messages() if m["To"] == address]

    def links(self, message) -> list[str]:
        """Paths (with query) of the site's links in a message."""
        body = message.get_content()
        return [
            urlsplit(url).path + ("?" + urlsplit(url).query if urlsplit(url).query else "")
            for url in re.findall(r"https?://\S+", body)
        ]


@pytest.fixture
def surveys(app, factory, mailbox) -> Surveys:
    return Surveys(app, factory, mailbox)


@pytest.fixture
def app_config(tmp_path):
    # The quarterly wave is started by its own tests; here it would survey the test accounts.
    return {"TICKET_ATTACHMENT_DIR": str(tmp_path / "attachments"), "NPS_AUTO_WAVE": False}
