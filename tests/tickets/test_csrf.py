"""CSRF is on for ticket forms and the deflection endpoint (the other tests switch it off)."""

import pytest


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def test_forms_and_json_need_a_token(client, factory):
    user = factory.user()
    page = client.get("/account/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post(
        "/account/login",
        data={"email": user.email, "password": "correct horse battery", "csrf_token": token},
    )
    form = {"category": "app", "subject": "s", "impact": "minor", "description": "d"}
    assert client.post("/requests/new", data=form).status_code == 400
    deflection = {"query": "q", "article_url": "/a", "outcome": "clicked"}
    assert client.post("/requests/deflection", json=deflection).status_code == 400
    page = client.get("/requests/new").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    ok = client.post("/requests/deflection", json=deflection, headers={"X-CSRFToken": token})
    assert ok.status_code == 204
