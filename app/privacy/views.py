"""The admins' data inventory page."""

from __future__ import annotations

from flask import Blueprint, render_template

from app.accounts.permissions import require
from app.privacy.inventory import inventory

bp = Blueprint("privacy", __name__, url_prefix="/admin/privacy")


@bp.route("/inventory")
@require("privacy.inventory")
def inventory_page():
    return render_template("privacy/inventory.html", entries=inventory())
