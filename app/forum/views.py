"""Community forum pages."""

from flask import Blueprint, render_template

bp = Blueprint("forum", __name__, url_prefix="/community")


@bp.route("/")
def index():
    return render_template("empty_section.html", title="Community forum")
