"""The ticket's clocks inside the service layer: policy, status changes with pauses, timer
actions and the event log. Used by the requester services, the agent workspace and the timer."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from app.mail import OutgoingMail, site_link
from app.outbox import record_mail
from app.tickets.catalog import PAUSED_STATUSES, SOLVED, STATUSES, TIERS
from app.tickets.models import Ticket, TicketEvent, TicketMessage
from app.tickets.notices import RequesterNotice, send_notice
from app.tickets.sla import deadlines as timers
from app.tickets.sla.policy import SupportPolicy
from app.tickets.sla.policy_config import policy_from_config

#: A ticket overdue by a long time catches up in one tick, but never loops for ever.
MAX_ACTIONS_PER_TICK = 12


def get_policy() -> SupportPolicy:
    """The support policy of the running application, built once from its configuration."""
    policy = current_app.extensions.get("ticket_policy")
    if policy is None:
        policy = policy_from_config(current_app.config)
        current_app.extensions["ticket_policy"] = policy
    return policy


def log_event(
    ticket: Ticket,
    actor: User | None,
    kind: str,
    now: datetime,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    rule: str | None = None,
) -> TicketEvent:
    """Append one event to the ticket's history (the only way events are written)."""
    event = TicketEvent(
        ticket_id=ticket.id,
        actor_id=actor.id if actor is not None else None,
        kind=kind,
        before=before,
        after=after,
        rule=rule,
        created_at=now,
    )
    db.session.add(event)
    return event


def clock_state(ticket: Ticket) -> timers.ClockState:
    """The pure snapshot of a ticket that :mod:`app.tickets.sla.deadlines` computes from."""
    return timers.ClockState(
        priority=ticket.priority,
        category=ticket.category,
        status=ticket.status,
        tier=ticket.tier,
        tier_entered_at=ticket.tier_entered_at,
        created_at=ticket.created_at,
        first_responded_at=ticket.first_responded_at,
        awaiting_since=ticket.awaiting_since,
        pauses=timers.pauses_from_json(ticket.pauses),
        flags=frozenset(ticket.flags or ()),
        sla_breached=ticket.sla_breached_at is not None,
    )


def refresh(ticket: Ticket, policy: SupportPolicy | None = None) -> timers.Schedule:
    """Recompute and store the deadlines and ``next_timer_at`` after any change."""
    plan = timers.schedule(policy or get_policy(), clock_state(ticket))
    ticket.first_response_due_at = plan.first_response_due_at
    ticket.next_reply_due_at = plan.next_reply_due_at
    ticket.sla_due_at = plan.sla_due_at
    ticket.sla_at_risk_at = plan.sla_at_risk_at
    ticket.next_timer_at = plan.next_timer_at
    ticket.timer_version = (ticket.timer_version or 0) + 1
    return plan


def set_status(ticket: Ticket, status: str, now: datetime, actor: User | None) -> bool:
    """Change the status, opening or closing the clock pause; logs the change.

    :returns: whether anything changed.
    """
    old = ticket.status
    if old == status:
        return False
    pauses = timers.pauses_from_json(ticket.pauses)
    if status in PAUSED_STATUSES:
        pauses = timers.open_pause(pauses, now)
    else:
        pauses = timers.close_pause(pauses, now)
    ticket.pauses = timers.pauses_to_json(pauses)
    ticket.status = status
    if status == SOLVED:
        ticket.solved_at = now
    elif status not in PAUSED_STATUSES:
        ticket.solved_at = None
    ticket.updated_at = now
    log_event(ticket, actor, "status", now, before={"status": old}, after={"status": status})
    return True


def apply_due_actions(
    ticket: Ticket,
    now: datetime,
    policy: SupportPolicy | None = None,
    *,
    paged_recently: TicketEvent | None = None,
) -> list[timers.TimerAction]:
    """Apply every timer action due at ``now``, in order, each exactly once; then refresh.

    Idempotent: an applied flag is remembered in ``flags``, an escalation moves the tier (so the
    same rule no longer applies) and a breach sets ``sla_breached_at``.

    :param paged_recently: the requester's recent on-call page (:func:`recent_page`): a
        Critical escalation then logs ``page_throttled`` instead of paging again.
    :returns: the actions applied (each also logged as an event naming its rule).
    """
    policy = policy or get_policy()
    applied: list[timers.TimerAction] = []
    for _ in range(MAX_ACTIONS_PER_TICK):
        plan = refresh(ticket, policy)
        action = plan.action
        if action is None or action.due_at > now:
            break
        _apply(ticket, action, now, paged_recently)
        applied.append(action)
    else:
        refresh(ticket, policy)
    return applied


def _apply(
    ticket: Ticket, action: timers.TimerAction, now: datetime, paged_recently: TicketEvent | None
) -> None:
    due = action.due_at.isoformat()
    if action.kind == timers.BREACH:
        ticket.sla_breached_at = action.due_at
        log_event(
            ticket, None, "sla_breach", now, after={"due_at": due, "tier": ticket.tier},
            rule=action.rule,
        )  # fmt: skip
    elif action.kind == "flag":
        ticket.flags = sorted({*(ticket.flags or ()), action.rule})
        log_event(
            ticket, None, "flagged", now, after={"flag": action.rule, "due_at": due},
            rule=action.rule,
        )  # fmt: skip
    else:
        move_to_tier(
            ticket, action.to_tier, action.due_at, None, rule=action.rule, now=now,
            paged_recently=paged_recently,
        )  # fmt: skip


def move_to_tier(
    ticket: Ticket,
    tier: int,
    entered_at: datetime,
    actor: User | None,
    *,
    now: datetime,
    rule: str | None = None,
    reason: str | None = None,
    paged_recently: TicketEvent | None = None,
) -> None:
    """Move a ticket to ``tier`` (restarting that tier's clock) and log it; notifies on-call
    agents when a Critical ticket reaches the top tier (unless ``paged_recently``)."""
    old = ticket.tier
    ticket.tier = tier
    ticket.tier_entered_at = entered_at
    # The new tier works it afresh: a personal assignment to a lower-tier agent would hide it.
    assignee = ticket.assignee_id
    if assignee is not None and ticket.assignee is not None and (ticket.assignee.tier or 3) < tier:
        ticket.assignee_id = None
    after: dict[str, Any] = {"tier": tier, "entered_at": entered_at.isoformat()}
    if reason:
        after["reason"] = reason
    if ticket.assignee_id != assignee:
        after["unassigned"] = assignee
    log_event(ticket, actor, "escalated", now, before={"tier": old}, after=after, rule=rule)
    ticket.updated_at = now
    if ticket.priority != "critical":
        return
    if paged_recently is None:
        notify_on_call(ticket, tier, now)
        return
    # The ticket is at its tier and in the queue; on-call was woken for this requester moments
    # ago, so one person can't page them again and again (the log says why nobody was paged).
    log_event(
        ticket, None, "page_throttled", now,
        after={"tier": tier, "window_minutes": _page_window_minutes(),
               "paged_for": paged_recently.ticket_id},
    )  # fmt: skip


def _page_window_minutes() -> int | float:
    return current_app.config["TICKET_CRITICAL_PAGE_WINDOW_MINUTES"]


def recent_page(requester: User, now: datetime) -> TicketEvent | None:
    """The latest on-call page for one of ``requester``'s tickets within
    ``TICKET_CRITICAL_PAGE_WINDOW_MINUTES`` before ``now``, if any."""
    window = _page_window_minutes()
    if not window:
        return None
    return db.session.scalar(
        select(TicketEvent)
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(
            Ticket.requester_id == requester.id,
            TicketEvent.kind == "on_call_paged",
            TicketEvent.created_at > now - timedelta(minutes=window),
        )
        .order_by(TicketEvent.created_at.desc(), TicketEvent.id.desc())
        .limit(1)
    )


def on_call_addresses(tier: int) -> list[str]:
    """Who is paged for a Critical ticket at ``tier``: the tier's agents, plus
    ``TICKET_ONCALL_EMAILS`` (for a rota address)."""
    role = f"agent_t{tier}"
    users = db.session.scalars(
        select(User.email).where(User.role == role, User.is_suspended.is_(False))
    ).all()
    extra = current_app.config.get("TICKET_ONCALL_EMAILS") or []
    return sorted(set(users) | set(extra))


def ticket_link(ticket_id: int, agent: bool = False) -> str:
    """Absolute link on the configured ``SITE_URL`` (in a request or not)."""
    return site_link("tickets.work" if agent else "tickets.show", ticket_id=ticket_id)


def notify_on_call(ticket: Ticket, tier: int, now: datetime) -> None:
    """E-mail the on-call agents about a Critical ticket (logged: the paging throttle reads it)."""
    addresses = on_call_addresses(tier)
    log_event(
        ticket, None, "on_call_paged", now, after={"tier": tier, "recipients": len(addresses)}
    )
    for address in addresses:
        body = (
            f"A Critical ticket needs {TIERS[tier]} now.\n\n"
            f"{ticket.ref}: {ticket.subject}\n"
            f"First response due: {ticket.first_response_due_at or 'see the ticket'}\n\n"
            f"{ticket_link(ticket.id, agent=True)}\n"
        )
        record_mail(OutgoingMail(address, f"[Critical] {ticket.ref} {ticket.subject}", body), now)


def notify_requester(
    ticket: Ticket, subject: str, text: str, now: datetime, message: TicketMessage | None = None
) -> None:
    """Tell the requester about their ticket (agent replies, status changes), by e-mail or
    through the ticket's channel (:mod:`app.tickets.notices`)."""
    requester = ticket.requester
    body = (
        f"Hello {requester.display_name},\n\n{text}\n\n"
        f"Status: {STATUSES[ticket.status]}\n"
        f"See the conversation and reply: {ticket_link(ticket.id)}\n\n"
        "GrowgrEbuddy Support\n"
    )
    kind = "agent_reply" if message is not None else "status"
    send_notice(RequesterNotice(ticket, kind, f"[{ticket.ref}] {subject}", body, message), now)
