"""Community wiki pages."""

from flask import Blueprint, render_template

bp = Blueprint("wiki", __name__, url_prefix="/wiki")


@bp.route("/")
def index():
    return render_template("empty_section.html", title="Community wiki")
