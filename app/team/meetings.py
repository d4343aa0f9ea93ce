"""Weekly team meetings and monthly reviews with product and development: pages made once
per week or month and kept, append-only notes and decisions, action items carried over until
done, and tickets flagged "discuss at weekly". Services take the acting user and ``now``."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from app.accounts.models import User
from app.accounts.permissions import can
from app.errors import DomainError, NotFound, PermissionDenied
from app.extensions import db
from app.markup import render
from app.team import queries, rules
from app.team.models import (
    ActionItem,
    DiscussionFlag,
    MeetingNote,
    MonthlyReview,
    ReviewDecision,
    WeeklyMeeting,
)
from app.tickets.models import Ticket

NOTE_MAX = 10_000
ACTION_MAX = 500
REASON_MAX = 300
DECISION_MAX = 1000
#: Ticket categories the monthly review with product and development ranks.
REVIEW_CATEGORIES = {"feature_request": "Feature requests", "bug": "Bug reports"}


def _require(user: User, permission: str = "team.meet") -> None:
    if not can(user, permission):
        raise PermissionDenied("Only the support team takes part in its meetings.")


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


# --- Weekly meeting ------------------------------------------------------------------------


def weekly_meeting(user: User, day: date, now: datetime) -> WeeklyMeeting:
    """The page of ``day``'s week, made (with last week's figures) on first visit and kept.

    :raises NotFound: a week that hasn't started yet.
    """
    _require(user)
    start = rules.week_start(day)
    if start > now.date():
        raise NotFound("That week's meeting page doesn't exist yet.")
    meeting = db.session.scalar(select(WeeklyMeeting).where(WeeklyMeeting.week_start == start))
    if meeting is None:
        begin, end = _midnight(start - timedelta(days=7)), _midnight(start)
        figures = rules.week_figures(queries.ticket_rows(begin, end), begin, end)
        meeting = WeeklyMeeting(week_start=start, figures=figures, created_at=now)
        db.session.add(meeting)
        db.session.flush()
    return meeting


def add_note(user: User, meeting: WeeklyMeeting, body: str, now: datetime) -> MeetingNote:
    _require(user)
    body = (body or "").strip()
    if not body or len(body) > NOTE_MAX:
        raise DomainError(f"Write a note of 1 to {NOTE_MAX:,} characters.", field="body")
    note = MeetingNote(
        meeting_id=meeting.id,
        author_id=user.id,
        body=body,
        body_html=render(body, user_content=True),
        created_at=now,
    )
    db.session.add(note)
    db.session.flush()
    return note


def add_action(
    user: User, meeting: WeeklyMeeting, *, text: str, owner_id: int | None, due_on: date | None,
    now: datetime,
) -> ActionItem:  # fmt: skip
    """:raises DomainError: no text, an owner outside the team or no due date."""
    _require(user)
    text = (text or "").strip()
    if not text or len(text) > ACTION_MAX:
        raise DomainError(f"Describe the action in 1 to {ACTION_MAX} characters.", field="text")
    owner = db.session.get(User, owner_id) if owner_id else None
    if owner is None or not can(owner, "team.meet"):
        raise DomainError("Choose an owner from the support team.", field="owner")
    if due_on is None:
        raise DomainError("Give a due date.", field="due_on")
    item = ActionItem(
        meeting_id=meeting.id, text=text, owner_id=owner.id, due_on=due_on,
        created_by_id=user.id, created_at=now,
    )  # fmt: skip
    db.session.add(item)
    db.session.flush()
    return item


def complete_action(user: User, item_id: int, now: datetime) -> ActionItem:
    _require(user)
    item = db.session.get(ActionItem, item_id)
    if item is None:
        raise NotFound("No such action item.")
    if item.done_at is None:
        item.done_at, item.done_by_id = now, user.id
        db.session.flush()
    return item


def actions_for(meeting: WeeklyMeeting) -> list[ActionItem]:
    """Open items raised this week or before (carried over), and items done this week."""
    end = _midnight(meeting.week_start + timedelta(days=7))
    begin = _midnight(meeting.week_start)
    return list(
        db.session.scalars(
            select(ActionItem)
            .join(WeeklyMeeting, WeeklyMeeting.id == ActionItem.meeting_id)
            .where(WeeklyMeeting.week_start <= meeting.week_start)
            .where(
                ActionItem.done_at.is_(None)
                | ((ActionItem.done_at >= begin) & (ActionItem.done_at < end))
            )
            .order_by(ActionItem.due_on, ActionItem.id)
        )
    )


def flag_for_discussion(user: User, ticket: Ticket, reason: str, now: datetime) -> DiscussionFlag:
    """Put a ticket on the next weekly meeting's list (once while not yet discussed)."""
    _require(user, "tickets.work")
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise DomainError(f"Keep the reason under {REASON_MAX} characters.", field="reason")
    existing = open_flag(ticket.id)
    if existing is not None:
        return existing
    flag = DiscussionFlag(ticket_id=ticket.id, flagged_by_id=user.id, reason=reason, created_at=now)
    db.session.add(flag)
    db.session.flush()
    return flag


def open_flag(ticket_id: int) -> DiscussionFlag | None:
    return db.session.scalar(
        select(DiscussionFlag).where(
            DiscussionFlag.ticket_id == ticket_id, DiscussionFlag.discussed_at.is_(None)
        )
    )


def flags_for(meeting: WeeklyMeeting) -> list[DiscussionFlag]:
    """Flags not yet discussed, and those discussed in this meeting."""
    return list(
        db.session.scalars(
            select(DiscussionFlag)
            .where(
                DiscussionFlag.discussed_at.is_(None)
                | (DiscussionFlag.discussed_in_id == meeting.id)
            )
            .order_by(DiscussionFlag.created_at, DiscussionFlag.id)
        )
    )


def mark_discussed(user: User, meeting: WeeklyMeeting, flag_id: int, now: datetime) -> None:
    _require(user)
    flag = db.session.get(DiscussionFlag, flag_id)
    if flag is None:
        raise NotFound("No such flag.")
    if flag.discussed_at is None:
        flag.discussed_at, flag.discussed_in_id = now, meeting.id
        db.session.flush()


# --- Monthly review with product and development -----------------------------------------------


def monthly_review(user: User, month: str, now: datetime) -> MonthlyReview:
    """:raises NotFound: not a month, or one that hasn't started."""
    _require(user)
    first = rules.parse_month(month)
    if first is None or first > now.date():
        raise NotFound("No review page for that month.")
    review = db.session.scalar(select(MonthlyReview).where(MonthlyReview.month == month))
    if review is None:
        review = MonthlyReview(month=month, created_at=now)
        db.session.add(review)
        db.session.flush()
    return review


def ranked_requests(month: str) -> dict[str, list[dict]]:
    """Feature requests and bug reports of the month, grouped by subject (a merged duplicate
    counts for the ticket it was merged into), ranked by distinct affected requesters."""
    first = rules.parse_month(month)
    begin = _midnight(first)
    nxt = _midnight((first + timedelta(days=32)).replace(day=1))
    tickets = db.session.scalars(
        select(Ticket).where(
            Ticket.category.in_(REVIEW_CATEGORIES),
            Ticket.created_at >= begin,
            Ticket.created_at < nxt,
        )
    ).all()
    by_id = {ticket.id: ticket for ticket in tickets}
    groups: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    heads: dict[str, dict[str, Ticket]] = defaultdict(dict)
    for ticket in tickets:
        head = by_id.get(ticket.merged_into_id or ticket.id, ticket)
        key = " ".join(head.subject.lower().split())
        groups[ticket.category][key].add(ticket.requester_id)
        heads[ticket.category].setdefault(key, head)
    ranked = {}
    for category, label in REVIEW_CATEGORIES.items():
        ranked[label] = [
            {"ticket": heads[category][key], "affected": count}
            for key, count in rules.rank_by_affected(groups[category])
        ]
    return ranked


def record_decision(
    user: User, review: MonthlyReview, text: str, ticket_id: int | None, now: datetime
) -> ReviewDecision:
    _require(user)
    text = (text or "").strip()
    if not text or len(text) > DECISION_MAX:
        raise DomainError(f"Write the decision in 1 to {DECISION_MAX} characters.", field="text")
    if ticket_id is not None and db.session.get(Ticket, ticket_id) is None:
        raise DomainError("No ticket with that number.", field="ticket")
    decision = ReviewDecision(
        review_id=review.id, ticket_id=ticket_id, text=text, author_id=user.id, created_at=now
    )
    db.session.add(decision)
    db.session.flush()
    return decision
