"""Templates: placeholders are checked before anything is sent, browser edits are versions, and
a changed file never silently replaces a browser edit."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.incidents.models import Incident, IncidentTemplateRevision

CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture
def app_config(tmp_path):
    target = tmp_path / "content"
    shutil.copytree(CONTENT / "incidents", target / "incidents")
    return {"CONTENT_DIR": str(target)}


def _declare(client, **fields):
    data = {
        "kind": "outage",
        "severity": "major",
        "title": "Sync is down",
        "affected_features": "plant sync",
        "workaround_url": "sync by hand",
        **fields,
    }
    return client.post("/incidents/new", data=data)


def test_an_unfilled_placeholder_is_refused_next_to_the_message(app, client, auth, incidents):
    from app.forum.cli import seed_categories
    from app.outbox import commit

    with app.app_context():
        seed_categories()
        commit()
    auth.login(incidents.lead())
    response = _declare(client, workaround_url="")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="message-error"' in body and "Fill in before sending: workaround link." in body
    typed = _declare(client, message="Down until {next_update}, see {nonsense}.")
    assert typed.status_code == 422 and "Fill in before sending: nonsense." in typed.get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Incident)) == 0
    assert _declare(client).status_code == 302


def test_browser_edits_are_versions_and_a_file_change_does_not_overwrite_them(
    app, client, auth, incidents, runner
):
    auth.login(incidents.lead())
    form = client.get("/incidents/templates/outage").get_data(as_text=True)
    assert "Version 1" in form and "file import" in form
    sections = {"banner": "Down: {title}.", "declare": "We are on it: {affected_features}.",
                "update": "Still on it. Next: {next_update}.", "resolve": "Fixed.",
                "autoreply": "We know: {title}.", "note": "shorter"}  # fmt: skip
    assert client.post("/incidents/templates/outage", data=sections).status_code == 302
    assert client.post("/incidents/templates/outage", data=sections).status_code == 302  # same
    bad = client.post("/incidents/templates/outage", data={**sections, "update": "At {when}."})
    assert bad.status_code == 422 and 'id="update-error"' in bad.get_data(as_text=True)

    path = Path(app.config["CONTENT_DIR"]) / "incidents" / "outage.md"
    path.write_text(path.read_text() + "\nOne more line.\n")
    result = runner.invoke(args=["incidents", "templates"])
    assert "kept browser edit (file changed): outage" in result.output
    with app.app_context():
        numbers = db.session.scalars(select(IncidentTemplateRevision.number)).all()
    assert sorted(numbers)[-1] == 2  # file import, one browser edit; nothing else
    result = runner.invoke(args=["incidents", "templates", "--accept-file", "outage"])
    assert "imported: outage" in result.output
    page = client.get("/incidents/templates/outage").get_data(as_text=True)
    assert "Version 3" in page and "One more line." in page


def test_a_broken_template_file_is_reported_and_not_imported(app, runner):
    path = Path(app.config["CONTENT_DIR"]) / "incidents" / "billing.md"
    path.write_text("## banner\nHi {title}\n\n## declare\nUse {bogus}.\n")
    result = runner.invoke(args=["incidents", "templates"])
    assert result.exit_code == 1
    assert "billing: missing section(s): update, resolve, autoreply" in result.output
    assert "unknown placeholder(s) bogus" in result.output
