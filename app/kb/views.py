"""Help Center pages."""

from flask import Blueprint, render_template

bp = Blueprint("kb", __name__)


@bp.route("/")
def home():
    return render_template("kb/home.html")
