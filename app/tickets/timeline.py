"""Readable ticket history and deadlines (pure functions: no Flask, no database, no clock).

The event log stores facts for machines (``{"assignee_id": 10, "claimed": true}``); agents read
sentences. Each event kind has one function turning its facts into sentence :class:`Part` s;
the template links people, tickets, threads and messages and shows times in the support time
zone. Countdown wording for deadlines lives here too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from app.tickets.catalog import AGENT_STATUS_LABELS, CATEGORIES, IMPACTS, PRIORITY_LABELS
from app.tickets.sla.policy import (
    RULE_CRITICAL_IMMEDIATE,
    RULE_TIER1_ESCALATE,
    RULE_TIER1_FLAG,
    RULE_TIER2_ESCALATE,
    RULE_TIER2_FLAG,
)

#: Why the timer acted, in words (the rule name stays in the log for machines).
RULE_REASONS: dict[str, str] = {
    RULE_TIER1_FLAG: "Tier 1 has worked on it longer than planned",
    RULE_TIER1_ESCALATE: "Tier 1's time to resolve it ran out",
    RULE_TIER2_FLAG: "Tier 2 has worked on it longer than planned",
    RULE_TIER2_ESCALATE: "Tier 2's time to resolve it ran out",
    RULE_CRITICAL_IMMEDIATE: "Critical requests go to their tier at once",
}

#: How a request arrived, as the end of "submitted the request ...".
CHANNEL_WORDS: dict[str, str] = {
    "web": "on the website",
    "forum": "from the forum",
    "email": "by e-mail",
    "api": "in the app",
    "social": "on social media",
}


@dataclass(frozen=True)
class Part:
    """One piece of a sentence. ``kind`` tells the page what to do with it:

    ``text`` as is; ``person`` links a member's profile (``ref`` user id); ``ticket`` links a
    ticket (``ref`` id); ``thread`` links a forum thread; ``post`` links a forum post (``ref``
    post id, ``thread`` its thread); ``message`` links a message of this ticket; ``time`` shows
    ``at`` in the support time zone.
    """

    text: str = ""
    kind: str = "text"
    ref: int | None = None
    at: datetime | None = None
    thread: int | None = None


@dataclass(frozen=True)
class Names:
    """What the sentences need beyond the event: people's and threads' names by id."""

    users: Mapping[int, str] = field(default_factory=dict)
    threads: Mapping[int, str] = field(default_factory=dict)


class EventFacts(Protocol):
    kind: str
    actor_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    rule: str | None


def _text(value: str) -> Part:
    return Part(value)


def _person(user_id: Any, names: Names) -> Part:
    if isinstance(user_id, int) and not isinstance(user_id, bool):
        return Part(names.users.get(user_id, "a former member"), "person", user_id)
    return Part("nobody")


def _actor(event: EventFacts, names: Names) -> Part:
    if event.actor_id is None:
        return Part("The SLA timer")
    return _person(event.actor_id, names)


def _thread(thread_id: Any, names: Names) -> Part:
    if not isinstance(thread_id, int):
        return Part("a forum thread")
    title = names.threads.get(thread_id)
    return Part(f"\u201c{title}\u201d" if title else "a removed forum thread", "thread", thread_id)


def _ticket(ticket_id: Any) -> Part:
    return Part(f"#{ticket_id}", "ticket", ticket_id) if isinstance(ticket_id, int) else Part("")


def _time(value: Any) -> Part | None:
    if isinstance(value, datetime):
        return Part(kind="time", at=value)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        return Part(kind="time", at=parsed) if parsed.tzinfo else None
    return None


def _label(labels: Mapping[Any, str], value: Any) -> str:
    return labels.get(value, str(value).replace("_", " ") if value is not None else "none")


def _tier(value: Any) -> str:
    return f"Tier {value}" if isinstance(value, int) else "another tier"


def _facts(event: EventFacts) -> tuple[dict[str, Any], dict[str, Any]]:
    return dict(event.before or {}), dict(event.after or {})


# --- one function per event kind ----------------------------------------------------------------


def created(event: EventFacts, names: Names) -> list[Part]:
    _, after = _facts(event)
    parts = [_actor(event, names), _text(" submitted the request")]
    if after.get("channel"):
        parts.append(_text(" " + _label(CHANNEL_WORDS, after["channel"])))
    if after.get("forum_thread_id"):
        parts += [_text(" from the forum thread "), _thread(after["forum_thread_id"], names)]
    details = []
    if after.get("priority"):
        details.append(f"priority {_label(PRIORITY_LABELS, after['priority'])}")
    if after.get("category"):
        details.append(f"category {_label(CATEGORIES, after['category'])}")
    if after.get("impact"):
        details.append(f"impact \u201c{_label(IMPACTS, after['impact'])}\u201d")
    if details:
        parts.append(_text(": " + ", ".join(details)))
    return parts


def _changed(what: str, labels: Mapping[Any, str]) -> Callable[[EventFacts, Names], list[Part]]:
    def sentence(event: EventFacts, names: Names) -> list[Part]:
        before, after = _facts(event)
        old, new = before.get(what), after.get(what)
        text = f" changed the {what} from {_label(labels, old)} to {_label(labels, new)}"
        if old is None:
            text = f" set the {what} to {_label(labels, new)}"
        return [_actor(event, names), _text(text)]

    sentence.__name__ = what
    return sentence


status = _changed("status", AGENT_STATUS_LABELS)
priority = _changed("priority", PRIORITY_LABELS)
category = _changed("category", CATEGORIES)


def assigned(event: EventFacts, names: Names) -> list[Part]:
    before, after = _facts(event)
    new = after.get("assignee_id")
    if after.get("claimed"):
        return [_actor(event, names), _text(" claimed the ticket")]
    if new is None:
        parts = [_actor(event, names), _text(" unassigned the ticket")]
        if before.get("assignee_id") is not None:
            parts += [_text(" (it was with "), _person(before["assignee_id"], names), _text(")")]
        return parts
    if new == event.actor_id:
        return [_actor(event, names), _text(" took the ticket")]
    return [_actor(event, names), _text(" assigned the ticket to "), _person(new, names)]


def escalated(event: EventFacts, names: Names) -> list[Part]:
    before, after = _facts(event)
    move = f" from {_tier(before.get('tier'))} to {_tier(after.get('tier'))}"
    if event.actor_id is None:
        parts = [_text("Escalated automatically" + move)]
    else:
        parts = [_actor(event, names), _text(" escalated the ticket" + move)]
    if after.get("reason"):
        parts.append(_text(f": \u201c{after['reason']}\u201d"))
    elif event.rule:
        parts.append(_text(f": {RULE_REASONS.get(event.rule, _label({}, event.rule))}"))
    if after.get("unassigned") is not None:
        parts += [_text("; no longer assigned to "), _person(after["unassigned"], names)]
    return parts


def escalated_from_thread(event: EventFacts, names: Names) -> list[Part]:
    _, after = _facts(event)
    return [
        _actor(event, names),
        _text(" escalated the forum thread "),
        _thread(after.get("thread_id"), names),
        _text(" to support"),
    ]


def thread_resolution(event: EventFacts, names: Names) -> list[Part]:
    _, after = _facts(event)
    thread = after.get("thread_id")
    post = after.get("post_id")
    parts = [_actor(event, names), _text(" posted ")]
    if isinstance(post, int) and isinstance(thread, int):
        parts.append(Part("the resolution", "post", post, thread=thread))
    else:
        parts.append(_text("the resolution"))
    return [*parts, _text(" in the forum thread "), _thread(thread, names)]


def _message(verb: str, link: str) -> Callable[[EventFacts, Names], list[Part]]:
    def sentence(event: EventFacts, names: Names) -> list[Part]:
        _, after = _facts(event)
        message = after.get("message_id")
        parts = [_actor(event, names), _text(f" {verb} ")]
        if isinstance(message, int):
            return [*parts, Part(link, "message", message)]
        return [*parts, _text(link)]

    return sentence


requester_reply = _message("sent", "a reply")
agent_reply = _message("sent", "a public reply")
internal_note = _message("added", "an internal note")


def first_response(event: EventFacts, names: Names) -> list[Part]:
    return [_text("First response given by "), _actor(event, names)]


def merged(event: EventFacts, names: Names) -> list[Part]:
    _, after = _facts(event)
    return [_actor(event, names), _text(" merged this ticket into "), _ticket(after.get("into"))]


def merged_from(event: EventFacts, names: Names) -> list[Part]:
    _, after = _facts(event)
    return [_actor(event, names), _text(" merged "), _ticket(after.get("from")),
            _text(" into this ticket")]  # fmt: skip


def sla_breach(event: EventFacts, names: Names) -> list[Part]:
    _, after = _facts(event)
    due = _time(after.get("due_at"))
    parts = [_text("SLA breached: the deadline")]
    if due is not None:
        parts += [_text(" of "), due]
    parts.append(_text(" passed without an answer"))
    if after.get("tier"):
        parts.append(_text(f" ({_tier(after['tier'])})"))
    return parts


def flagged(event: EventFacts, names: Names) -> list[Part]:
    _, after = _facts(event)
    flag = after.get("flag") or event.rule
    return [_text(f"Flagged for attention: {RULE_REASONS.get(flag, _label({}, flag))}")]


#: What a channel reports on a ticket (``channel_event`` with ``after["what"]``), in words.
CHANNEL_NOTES = {
    "unverified_sender": "The receiving mail server could not confirm the sender's address "
    "(it may be forged): check before sharing account details",
    "bounce": "A message to the requester bounced",
    "follow_up": "Opened as a follow-up of a closed request",
    "automatic_reply": "An automatic reply (out of office, a list) arrived; the status stays",
    "identity_linked": "An agent linked the sender's social account to a requester",
    "social_not_sent": "The platform refused an agent's reply; it was not delivered",
    "social_image_missing": "An image the person sent on the platform is not on the ticket",
}


def channel_event(event: EventFacts, names: Names) -> list[Part]:
    _, after = _facts(event)
    what = after.get("what", "")
    parts = [_text(CHANNEL_NOTES.get(what, _label({}, what or event.kind)))]
    if after.get("detail"):
        parts.append(_text(f" ({after['detail']})"))
    return parts


def csat_rated(event: EventFacts, names: Names) -> list[Part]:
    _, after = _facts(event)
    rating = "good" if after.get("rating") == "good" else "bad"
    parts = [_actor(event, names), _text(f" rated the support {rating}")]
    if after.get("reason"):
        parts.append(_text(f": {after['reason']}"))
    if rating == "bad":
        parts.append(_text(" (waiting for the team lead's follow-up)"))
    return parts


def csat_followed_up(event: EventFacts, names: Names) -> list[Part]:
    return [_actor(event, names), _text(" followed up the bad rating")]


#: The steps of a privacy request made from a ticket (``privacy_request``, app/privacy).
PRIVACY_STEPS: dict[str, str] = {
    "requested": "asked for",
    "approved": "approved",
    "rejected": "rejected",
    "cancelled": "cancelled",
    "started": "started",
    "done": "finished",
    "failed": "could not finish",
}


def privacy_request(event: EventFacts, names: Names) -> list[Part]:
    _, after = _facts(event)
    who = _actor(event, names) if event.actor_id is not None else Part("The privacy job")
    if after.get("step") == "cancelled" and event.actor_id is None:
        who = Part("The person's sign-in")
    what = (
        "an export of the requester's data"
        if after.get("kind") == "export"
        else ("the erasure of the requester's account")
    )
    parts = [who, _text(f" {PRIVACY_STEPS.get(after.get('step'), 'changed')} {what}")]
    if after.get("step") == "done" and after.get("kind") == "erasure":
        parts.append(_text(
            f" ({after.get('deleted', 0)} rows deleted, {after.get('anonymised', 0)} anonymised,"
            f" {after.get('redacted', 0)} redacted)"
        ))  # fmt: skip
    if after.get("reason"):
        parts.append(_text(f": {after['reason']}"))
    return parts


def _unknown(event: EventFacts, names: Names) -> list[Part]:
    # A kind added later still reads as words, never as a dump of its facts.
    return [_actor(event, names), _text(f": {_label({}, event.kind)}")]


SENTENCES: dict[str, Callable[[EventFacts, Names], list[Part]]] = {
    "created": created,
    "status": status,
    "priority": priority,
    "category": category,
    "assigned": assigned,
    "escalated": escalated,
    "escalated_from_thread": escalated_from_thread,
    "thread_resolution": thread_resolution,
    "requester_reply": requester_reply,
    "agent_reply": agent_reply,
    "auto_reply": _message("sent", "the incident's automatic reply"),
    "internal_note": internal_note,
    "first_response": first_response,
    "merged": merged,
    "merged_from": merged_from,
    "sla_breach": sla_breach,
    "flagged": flagged,
    "channel_event": channel_event,
    "csat_rated": csat_rated,
    "csat_followed_up": csat_followed_up,
    "privacy_request": privacy_request,
}


def describe(event: EventFacts, names: Names) -> list[Part]:
    """The sentence for one event, as parts the page renders."""
    parts = SENTENCES.get(event.kind, _unknown)(event, names)
    first = parts[0]
    if first.text[:1].islower():
        parts[0] = Part(first.text[0].upper() + first.text[1:], first.kind, first.ref, first.at)
    return parts


def people_and_threads(events: list[EventFacts]) -> tuple[set[int], set[int]]:
    """The user and thread ids the sentences of ``events`` name (to load their names at once)."""
    users: set[int] = set()
    threads: set[int] = set()
    for event in events:
        before, after = _facts(event)
        if event.actor_id is not None:
            users.add(event.actor_id)
        for facts in (before, after):
            for key in ("assignee_id", "unassigned"):
                if isinstance(facts.get(key), int) and not isinstance(facts.get(key), bool):
                    users.add(facts[key])
            for key in ("thread_id", "forum_thread_id"):
                if isinstance(facts.get(key), int):
                    threads.add(facts[key])
    return users, threads


# --- deadlines ----------------------------------------------------------------------------------


def duration_words(span: timedelta) -> str:
    """``1 h 20 min``, ``2 d 3 h``, ``12 min``, ``less than a minute`` (rounded down)."""
    minutes = int(abs(span).total_seconds() // 60)
    if minutes < 1:
        return "less than a minute"
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


def countdown(due: datetime, now: datetime) -> str:
    """``due in 1 h 20 min`` before the deadline, ``breached 12 min ago`` after it."""
    if due > now:
        return f"due in {duration_words(due - now)}"
    if now - due < timedelta(minutes=1):
        return "breached just now"
    return f"breached {duration_words(now - due)} ago"


def zone_label(zone_name: str) -> str:
    """What people call an IANA zone: ``Europe/Berlin`` is ``Berlin time``."""
    if "/" not in zone_name:
        return zone_name
    return f"{zone_name.rsplit('/', 1)[1].replace('_', ' ')} time"
