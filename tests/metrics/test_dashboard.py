"""The dashboard, its exports and the formulas page: who sees what, bad input, real figures."""

from __future__ import annotations

import csv
import io

import pytest

from tests.metrics.conftest import berlin

RANGE = {"start": "2026-03-02", "end": "2026-03-08"}


@pytest.fixture
def history(app, factory, desk):
    """Two agents' tickets in the week of 2 March 2026, rolled up (each goes to Tier 2 after
    an hour, by the escalation timer)."""
    requester = factory.user()
    ana = factory.user(role="agent_t3", display_name="Ana Agent")
    ben = factory.user(role="agent_t3", display_name="Ben Agent")
    admin = factory.user(role="admin", display_name="Ada Admin")
    first = desk.create(requester, berlin(2026, 3, 2, 10), impact="broken")  # High
    desk.assign(ana, first, ana.id, berlin(2026, 3, 2, 10, 5))
    desk.reply(ana, first, berlin(2026, 3, 2, 11))  # 1 h
    desk.solve(requester, first, berlin(2026, 3, 2, 12))
    second = desk.create(requester, berlin(2026, 3, 3, 10), impact="broken", category="billing")
    desk.assign(ben, second, ben.id, berlin(2026, 3, 3, 10, 5))
    desk.reply(ben, second, berlin(2026, 3, 3, 15))  # 5 h: late against High's 4 h
    desk.update(berlin(2026, 3, 3, 16))
    return {"ana": ana, "ben": ben, "admin": admin, "requester": requester}


def test_members_and_visitors_cannot_open_the_dashboard(client, auth, factory):
    assert client.get("/metrics/").status_code == 302
    auth.login(factory.user())
    assert client.get("/metrics/").status_code == 403
    assert client.get("/metrics/data.json").status_code == 403
    assert client.get("/metrics/formulas").status_code == 403


def test_admins_see_everyones_figures(client, auth, history):
    auth.login(history["admin"])
    page = client.get("/metrics/", query_string=RANGE)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Figures of the whole team" in html
    assert 'id="chart-trend"' in html and "<svg" in html
    data = client.get("/metrics/data.json", query_string=RANGE).get_json()
    assert data["summary"]["new"] == 2
    assert data["summary"]["first_response_business"]["median"] == 3 * 3600  # (1 h + 5 h) / 2
    assert data["summary"]["sla_attainment"] == 0.5
    assert data["previous"]["new"] == 0
    sla = data["tables"]["sla"]["rows"]
    assert sla == [["High", "Tier 2", 2, 1, 50.0]]


def test_an_agent_sees_only_their_own_figures(client, auth, history):
    auth.login(history["ana"])
    html = client.get("/metrics/", query_string=RANGE).get_data(as_text=True)
    assert "Your own figures" in html
    data = client.get("/metrics/data.json", query_string=RANGE).get_json()
    assert data["filters"]["agent_id"] == history["ana"].id
    assert data["summary"]["new"] == 1
    # Asking for a colleague's figures is refused, not answered.
    other = client.get("/metrics/data.json", query_string={**RANGE, "agent": history["ben"].id})
    assert other.status_code == 422
    assert other.get_json()["error"]["details"]["agent"]


def test_admin_filters_by_agent_and_category(client, auth, history):
    auth.login(history["admin"])
    ben = client.get(
        "/metrics/data.json", query_string={**RANGE, "agent": history["ben"].id}
    ).get_json()
    assert ben["summary"]["new"] == 1 and ben["summary"]["sla_attainment"] == 0.0
    billing = client.get("/metrics/data.json", query_string={**RANGE, "category": "billing"})
    assert billing.get_json()["summary"]["new"] == 1


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        ({"start": "2026-03-08", "end": "2026-03-01"}, "end", "on or after the first day"),
        ({"start": "2020-01-01", "end": "2026-03-01"}, "end", "at most 400 days"),
        ({"start": "yesterday"}, "start", "Not a valid date"),
        ({"priority": "urgent"}, "priority", "Not a valid choice"),
        ({"tier": "9"}, "tier", "Not a valid choice"),
    ],
)
def test_bad_filters_are_shown_next_to_the_field(client, auth, history, args, field, message):
    auth.login(history["admin"])
    page = client.get("/metrics/", query_string=args)
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html
    api = client.get("/metrics/data.json", query_string=args)
    assert api.status_code == 422
    assert message in api.get_json()["error"]["details"][field]


def test_every_table_exports_as_csv(client, auth, history):
    auth.login(history["admin"])
    volume = client.get("/metrics/export/volume.csv", query_string=RANGE)
    assert volume.status_code == 200
    assert volume.mimetype == "text/csv"
    assert "attachment" in volume.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(volume.get_data(as_text=True))))
    assert rows[0] == ["Period", "New", "Solved", "Backlog at end"]
    assert rows[1] == ["2026-03-02", "1", "1", "0"]
    assert rows[2] == ["2026-03-03", "1", "0", "1"]
    html = client.get("/metrics/", query_string=RANGE).get_data(as_text=True)
    for name in client.get("/metrics/data.json", query_string=RANGE).get_json()["tables"]:
        assert f'id="csv-{name}"' in html
        assert client.get(f"/metrics/export/{name}.csv", query_string=RANGE).status_code == 200
    assert client.get("/metrics/export/nothing.csv").status_code == 404


def test_the_formulas_page_publishes_each_definition(client, auth, history):
    auth.login(history["ana"])
    html = client.get("/metrics/formulas").get_data(as_text=True)
    for phrase in ("First response time", "Business time", "Next-reply time", "90th percentile",
                   "Reopen rate", "Backlog", "CSAT", "NPS", "confidence interval",
                   "Self-service score", "Session key", "Audit score", "Team pulse"):  # fmt: skip
        assert phrase in html


def test_the_satisfaction_section_says_when_no_survey_was_answered(client, auth, history):
    auth.login(history["admin"])
    html = client.get("/metrics/", query_string=RANGE).get_data(as_text=True)
    assert 'id="fig-csat"' in html and 'id="nps-none"' in html
    assert 'id="feedback-missing"' not in html


def test_a_feedback_provider_feeds_csat_and_nps(app, client, auth, history):
    app.extensions["metrics_feedback"] = lambda since, until: {
        "csat": (45, 5, 100),
        "nps": [("2026 Q1", list(range(11)), 22)],
    }
    auth.login(history["admin"])
    html = client.get("/metrics/", query_string=RANGE).get_data(as_text=True)
    assert "90.0 %" in html and "50.0 %" in html
    assert "-45.5" in html and "-91.7 to 0.8" in html


@pytest.mark.parametrize(
    ("role", "links"),
    [
        ("member", set()),
        ("agent_t1", {"menu-metrics", "menu-pulse"}),
        ("admin", {"menu-metrics", "menu-pulse", "menu-quality"}),
    ],
)
def test_the_user_menu_leads_staff_to_their_metrics_pages(client, auth, factory, role, links):
    auth.login(factory.user(role=role))
    html = client.get("/").get_data(as_text=True)
    assert {link for link in ("menu-metrics", "menu-pulse", "menu-quality")
            if f'id="{link}"' in html} == links  # fmt: skip
