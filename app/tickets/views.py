"""Support requests pages."""

from flask import Blueprint, render_template

bp = Blueprint("tickets", __name__, url_prefix="/requests")


@bp.route("/")
def index():
    return render_template("empty_section.html", title="Support requests")


@bp.route("/new")
def new():
    return render_template("empty_section.html", title="Submit a request")
