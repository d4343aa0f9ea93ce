from __future__ import annotations

from flask_wtf import FlaskForm


class QuarantineActionForm(FlaskForm):
    """Retry or discard one quarantined message (the form carries only the CSRF token)."""
