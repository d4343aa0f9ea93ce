"""The baseline: a bare Flask "hello" page (gunicorn -c gunicorn.conf.py bench.pages.bare:app)."""

from flask import Flask

app = Flask(__name__)


@app.get("/hello")
def hello():
    return "<!doctype html><title>Hello</title><p>Hello, world.</p>"
