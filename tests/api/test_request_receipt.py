"""A request made in the app gets the same receipt e-mail as one made on the site."""

from __future__ import annotations

import json
import re


def test_receipt_for_a_request_from_the_app(client, bearer, member_token, mailbox):
    body = {"category": "billing", "subject": "Charged twice", "impact": "blocked",
            "description": "I was charged twice for Premium this month."}  # fmt: skip
    created = client.post("/api/v1/requests", data=json.dumps(body), headers=bearer,
                          content_type="application/json")  # fmt: skip
    assert created.status_code == 201
    ticket_id = created.json["id"]
    [receipt] = [m for m in mailbox.messages() if m["To"] == member_token[0].email]
    assert receipt["Subject"] == f"[#{ticket_id}] We received your request"
    text = receipt.get_content()
    assert "We will reply by" in text and "(Berlin time)" in text
    assert re.search(rf"/requests/{ticket_id}\b", text)
