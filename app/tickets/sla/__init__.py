"""The SLA of a ticket: when support is open, what the targets are, when a clock runs out.

``calendar`` (business-hours arithmetic), ``policy`` (targets and escalation decisions),
``deadlines`` (a ticket's clocks and its next timer action) and ``policy_config`` (the policy
read from settings, described for agents) are pure; ``clock`` applies them to tickets in the
database and ``tick`` runs the due timer actions for ``flask tickets tick``.
"""
