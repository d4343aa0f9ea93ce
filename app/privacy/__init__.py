"""Privacy: the data inventory, a person's export, erasure, and retention.

Sits on layer 9 beside ``search/`` and ``metrics/``: it reads every feature's models.
"""


def init_app(app):
    """Register the privacy CLI group, the nightly retention job and the admin inventory page."""
    from app.privacy.flows import init_flows

    init_flows(app)
