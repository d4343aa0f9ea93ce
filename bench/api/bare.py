"""The baseline: a bare Flask app returning a constant JSON body (gunicorn bench.api.bare:app)."""

from flask import Flask

app = Flask(__name__)
BODY = {
    "key": "billing.update-card",
    "lang": "en",
    "title": "Update your card",
    "body_html": "<p>Open Profile &gt; Settings &gt; Billing and tap Update card.</p>",
}


@app.get("/bare")
def bare():
    return BODY
